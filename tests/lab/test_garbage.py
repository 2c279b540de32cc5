"""Servers that do not speak RESP: a listener answering junk, and a whole
Kolla config dir served by such listeners on a free loopback range of its
own; the checklist against that cloud of junk is short and says so."""

import socket
import xml.etree.ElementTree as ET

import pytest
import yaml

from coordcheck import kolla
from coordcheck.kolla import backend_url_of
from coordcheck.lab.errors import DeploymentError
from coordcheck.lab.garbage import garbage_cloud, start_garbage_server
from coordcheck.lab.processes import accepts
from coordcheck.secrets import Secret, spellings
from tests.conftest import run_checklist


def first_bytes(address: tuple[str, int]) -> bytes:
    with socket.create_connection(address, timeout=2) as conn:
        conn.sendall(b"*1\r\n$4\r\nPING\r\n")
        return conn.recv(64)


def test_a_garbage_server_answers_junk_on_each_address_it_names():
    proc, addresses = start_garbage_server("junk", ["127.0.0.1:0", "127.0.0.1:0"])
    try:
        assert len(set(addresses)) == 2 and all(port > 0 for _, port in addresses)
        assert all(first_bytes(a).startswith(b"\x00\xff\xfe\x01junk") for a in addresses)
    finally:
        proc.kill()
        proc.wait()
        proc.stderr.close()


def test_a_garbage_server_that_cannot_listen_says_why():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(DeploymentError, match="the garbage server did not start: .*Address already in use"):
            start_garbage_server("junk", [f"127.0.0.1:{taken.getsockname()[1]}"])


def test_a_cloud_of_junk_is_a_kolla_config_dir_until_its_end(tmp_path):
    with garbage_cloud(tmp_path / "kolla", "say:" + b"-ERR hello\r\n".hex()) as root:
        password = Secret(yaml.safe_load((root / "passwords.yml").read_text())["redis_master_password"])
        configs = sorted(root.glob("ctl*/*/*.conf"))
        assert len(configs) == 3 * len(kolla.LOCAL_SERVICES) and all(c.stat().st_mode & 0o077 == 0 for c in configs)
        url = backend_url_of(configs[0].read_text(), str(configs[0]))
        host = url.split("@", 1)[1].split(":", 1)[0]   # the first sentinel's
        has_sentinel_password = f"sentinel_password={password.reveal()}" in url
        assert has_sentinel_password and host.startswith("127.77.")
        assert first_bytes((host, kolla.SENTINEL_PORT)) == b"-ERR hello\r\n"
        assert "[control]" in (root / "multinode").read_text()
    assert not accepts(host, kolla.SENTINEL_PORT) and not accepts(host, kolla.DATA_PORT)   # stopped on exit


def test_checklist_against_every_node_answering_junk(tmp_path):
    with garbage_cloud(tmp_path / "kolla", "junk") as root:
        password = Secret(next(line.split(": ", 1)[1].strip() for line in (root / "passwords.yml").read_text().splitlines()
                               if line.startswith("redis_master_password")))
        run = run_checklist("--hosts=controllers", "--inventory", str(root / "multinode"),
                            "--configdir", str(root), tmp_path=tmp_path, cwd=tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output[-3000:]   # its wall time is bench/garbage.py's (target <= 10 s)
    # 50 failing tests name their cause per host, and each cause lists its places once (6,023 lines of redis-py
    # tracebacks before)
    assert len(output.splitlines()) < 800, len(output.splitlines())
    assert "Traceback" not in output and "site-packages/redis" not in output
    summary = run.stdout.split("coordcheck summary", 1)[1]
    assert "NOT_A_REDIS_SERVER" in summary and "findings: none" not in summary
    assert "\x1b" not in output and "\\x00\\xff\\xfe\\x01junk" in output
    for spelling in spellings(password):
        assert spelling not in run.output
    # every failed test recorded a catalogue finding, or the summary lists it by name
    unexplained = summary.split("failed without a catalogue finding:", 1)[-1] if "without a catalogue" in summary else ""
    for case in ET.fromstring(run.junit).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            found = [p.get("value") for p in case.iter("property") if p.get("name") == "finding"]
            assert found or f"::{case.get('name')}:" in unexplained, case.get("name")
    assert "failed without a catalogue finding" not in summary
