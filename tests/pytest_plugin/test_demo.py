"""`make demo`'s run: `pytest` with no options starts a local deployment,
checks it through the inventory and testinfra, and stops it."""

import socket

from tests.conftest import run_checklist


def port_open(host, port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def test_pytest_without_options_checks_a_local_deployment(tmp_path):
    run = run_checklist(tmp_path=tmp_path)
    outcomes = run.outcomes()
    assert run.returncode == 0, run.stdout[-3000:]
    assert len(outcomes) > 50 and set(outcomes.values()) == {"passed"}
    assert "[ansible://ctl3]" in " ".join(outcomes)
    assert not port_open("127.0.2.110", 26379) and not port_open("127.0.2.112", 6379)


def test_valkey_flavor(tmp_path):
    run = run_checklist("--flavor=valkey", "-m", "auth or config", tmp_path=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(run.outcomes().values()) == {"passed"}
