"""The checklist over real SSH: `coordcheck up --ssh` gives the hosts an sshd
of their own (key login, port 2222 on each host's address of the lab's range) and an
inventory with ansible_connection=ssh; every host command then crosses SSH."""

import re

import pytest

from tests.conftest import assert_no_secret, lab, run_checklist, run_cli
from tests.pytest_plugin.checklist_ids import SENTINEL_AUTH_CHECKS


@pytest.fixture(scope="module")
def over_ssh(tmp_path_factory):
    with lab(tmp_path_factory.mktemp("ssh") / "kolla", "--ssh") as made:
        yield made


def test_inventory_reaches_hosts_over_ssh(over_ssh):
    inventory = over_ssh.inventory.read_text()
    for ip in over_ssh.hosts.values():
        assert inventory.count(f"ansible_connection=ssh ansible_host={ip} ") == 1
    assert "ansible_connection=local" not in inventory


def test_checklist_over_ssh(over_ssh, tmp_path):
    run = run_checklist(*over_ssh.checklist_args(), "-vv", "-o", "log_cli=true", "--log-cli-level=DEBUG",
                        tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(run.outcomes().values()) == {"passed"}
    host_commands = [line for line in run.stdout.splitlines() if "RUN CommandResult(backend=" in line
                     and "ansible-inventory" not in line]
    assert host_commands and all("SshBackend" in line and re.search(r"command=b['\"]ssh ", line)
                                 for line in host_commands)


def test_incident_over_ssh(over_ssh, tmp_path):
    run_cli("repro", "--dir", str(over_ssh.root))
    try:
        run = run_checklist(*over_ssh.checklist_args(), "-vv", "-o", "log_cli=true", "--log-cli-level=DEBUG",
                            tmp_path=tmp_path, cwd=tmp_path)
    finally:
        run_cli("fix", "--dir", str(over_ssh.root))
    assert set(run.failures()) == SENTINEL_AUTH_CHECKS
    assert_no_secret(run.output, over_ssh.password)


def test_more_hosts_than_one_sshd_listens_for(tmp_path_factory, tmp_path):
    """sshd listens on at most 16 addresses: a lab of 18 controllers runs two,
    and the checklist reaches every host over SSH, each once."""
    root = tmp_path_factory.mktemp("ssh18") / "kolla"   # a short path: ssh's control sockets live under it
    with lab(root, "--ssh", "--controllers", "18") as eighteen:
        run = run_checklist(*eighteen.checklist_args(), "-m", "network", tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    hosts = {test.split("ansible://")[1].rstrip("]") for test in run.outcomes() if "ansible://" in test}
    assert hosts == {f"ctl{n}" for n in range(1, 19)}
