"""The data nodes' and sentinels' configs, one source for the lab's
processes and its compose file: each binds its own address, replicas follow
the master, the sentinels monitor it with the password, and require one
only when asked."""

from pathlib import Path

from coordcheck import kolla
from coordcheck.lab.templates import HOSTS, MASTER_HOST, sentinel_config, server_config
from coordcheck.secrets import Secret

PASSWORD = Secret("templates-pw")
RUN = Path("/run/lab/ctl2")


def lines(text: str) -> list[str]:
    return text.splitlines()


def test_the_default_hosts_are_the_incidents_on_loopback():
    assert HOSTS == {"ctl1": "127.0.2.110", "ctl2": "127.0.2.111", "ctl3": "127.0.2.112"} and MASTER_HOST == "ctl1"


def test_a_replica_binds_its_address_and_follows_the_master():
    conf = lines(server_config("127.0.2.111", RUN, PASSWORD, "127.0.2.110", bind_source=True))
    assert conf[:2] == ["bind 127.0.2.111", f"port {kolla.DATA_PORT}"]
    assert f"replicaof 127.0.2.110 {kolla.DATA_PORT}" in conf and "bind-source-addr 127.0.2.111" in conf
    assert "requirepass templates-pw" in conf and "masterauth templates-pw" in conf
    assert f"logfile {RUN / 'server.log'}" in conf and "replica-announce-ip 127.0.2.111" in conf


def test_the_master_replicates_nobody_and_old_servers_get_no_bind_source():
    conf = lines(server_config("127.0.2.110", RUN, PASSWORD, None, bind_source=False))
    assert not [line for line in conf if line.startswith(("replicaof", "bind-source-addr"))]


def test_a_sentinel_monitors_the_master_with_the_password():
    conf = lines(sentinel_config("127.0.2.112", "127.0.2.110", RUN, PASSWORD, sentinel_auth=True, bind_source=True))
    assert f"sentinel monitor {kolla.MASTER_NAME} 127.0.2.110 {kolla.DATA_PORT} {kolla.QUORUM}" in conf
    assert f"sentinel auth-pass {kolla.MASTER_NAME} templates-pw" in conf
    assert "requirepass templates-pw" in conf and "sentinel sentinel-pass templates-pw" in conf
    assert conf[:2] == ["bind 127.0.2.112", f"port {kolla.SENTINEL_PORT}"] and "sentinel announce-ip 127.0.2.112" in conf


def test_a_sentinel_without_auth_requires_no_password():
    conf = sentinel_config("127.0.2.112", "127.0.2.110", RUN, PASSWORD, sentinel_auth=False, bind_source=False)
    assert "requirepass" not in conf and "sentinel-pass" not in conf and "auth-pass" in conf
