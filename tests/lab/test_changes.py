"""What changes a running lab (`repro`, `fix`, `break`): service configs
rewritten, a server or sentinel signalled or restarted, only ours."""

import signal
import time

import pytest

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.kolla import backend_url_of
from coordcheck.lab.errors import DeploymentError
from coordcheck.lab.processes import accepts
from coordcheck.secrets import Secret


def read_url(path):
    return urls.parse(backend_url_of(path.read_text(), str(path)))


def test_repro_writes_the_incidents_url_and_fix_the_fixed_one(written_lab):
    paths = written_lab.repro()
    assert paths == written_lab.service_config_paths() and len(paths) == 3 * len(kolla.LOCAL_SERVICES)
    password = written_lab.password()
    for path in paths:
        url = read_url(path)
        assert url.sentinel_password is None and url.password == password
        assert url.sentinels == [(ip, kolla.SENTINEL_PORT) for ip in written_lab.sentinel_addresses()]
    assert written_lab.fix() == paths
    assert all(read_url(path).sentinel_password == password for path in paths)


def test_a_url_is_written_to_the_configs_named_only(written_lab):
    first, *others = written_lab.service_config_paths()
    before = [path.read_text() for path in others]
    written_lab.write_backend_url(written_lab.incident_url(), [first])
    assert read_url(first).sentinel_password is None
    others_untouched = [path.read_text() for path in others] == before   # (texts that hold the password)
    assert others_untouched


def test_a_partition_needs_a_lab_of_namespaces(written_lab):
    with pytest.raises(DeploymentError, match="a partition needs a deployment made by `coordcheck up --netns`"):
        written_lab.partition("ctl2", "ctl3", kolla.SENTINEL_PORT)


def test_only_a_running_process_of_the_lab_is_signalled(one_backend_lab):
    with pytest.raises(DeploymentError, match="ctl2 server is not running"):
        one_backend_lab.signal("ctl2", "server", signal.SIGCONT)   # ctl2 runs nothing
    one_backend_lab.signal("ctl1", "sentinel", signal.SIGCONT)     # a running one: no error


def test_clients_reach_a_hosts_server_and_sentinel(one_backend_lab):
    ctl1 = one_backend_lab.address("ctl1")
    assert one_backend_lab.client("ctl1", "server").info("replication")["role"] == "master"
    assert one_backend_lab.client("ctl1", "sentinel").sentinel_master(kolla.MASTER_NAME)["ip"] == ctl1


def test_a_data_node_restarted_without_masterauth(one_backend_lab):
    before = {p.name: p.pid for p, _ in one_backend_lab.processes()}
    one_backend_lab.restart_server("ctl1", masterauth=False)
    try:
        ctl1 = one_backend_lab.address("ctl1")
        one_backend_lab.wait_for(lambda: [] if accepts(ctl1, kolla.DATA_PORT) else ["not up yet"], time.monotonic() + 10)
        after = {p.name: (p.pid, running) for p, running in one_backend_lab.processes()}
        assert after["ctl1 server"][1] and after["ctl1 server"][0] != before["ctl1 server"]
        conf = one_backend_lab.state_dir / "ctl1" / "server.conf"
        assert "masterauth " not in conf.read_text() and "requirepass " in conf.read_text()
        assert one_backend_lab.client("ctl1", "server").config_get("masterauth") == {"masterauth": ""}
    finally:
        one_backend_lab.reset()
    assert one_backend_lab.client("ctl1", "server").config_get("masterauth") != {"masterauth": ""}


def test_the_incident_url_has_no_sentinel_password(written_lab):
    url = urls.parse(written_lab.incident_url().reveal())
    assert url.sentinel_password is None and url.password == written_lab.password()
    assert isinstance(written_lab.incident_url(), Secret)   # it holds the password: never printed
