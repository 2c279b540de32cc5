"""`coordcheck.observe.remote`: the probe modules shipped on stdin to another
Python (a host's, a container's) answer as they do here, discovery
included, down to the oldest Python inside Kolla's images (3.9, with
2024.2's tooz 6.3.0 and redis-py 5.0.8) against the lab's authenticated sentinels."""

import pytest

from coordcheck import url as urls
from coordcheck.checks import servers as checks
from coordcheck.kolla import backend_url_of
from coordcheck.observe import probe, remote
from coordcheck.observe.transport import Result
from coordcheck.secrets import Secret
from tests.observe.probing import PW, TIMEOUT
from tests.observe.servers import free_port, run_python_here


@pytest.fixture(scope="module")
def fixed_url(deployment):
    conf = deployment.root / "ctl1" / "cinder-volume" / "cinder.conf"
    return urls.parse(backend_url_of(conf.read_text(), str(conf)))


def test_discovery_elsewhere_is_discovery_here():
    port = free_port()
    url = urls.parse(f"redis://default:pw-s3cret@127.0.0.1:{port}?sentinel=kolla&sentinel_password=sp-s3cret")
    there = remote.Remote(run_python_here, "in a subprocess").discover(url, 1.0)
    here = probe.discover(url, 1.0)
    assert there == here and not there.ok and there.answers[0].address == probe.Address("127.0.0.1", port)


def test_a_python_without_redis_is_a_remote_error():
    def no_redis(script: str) -> Result:
        return run_python_here("import sys; sys.modules['redis'] = None\n" + script)
    try:
        remote.Remote(no_redis, "on ctl9").node(probe.Address("127.0.0.1", free_port()), Secret("x-s3cret"), 1.0)
    except remote.RemoteError as exc:
        assert "on ctl9" in str(exc) and "x-s3cret" not in str(exc)
    else:
        raise AssertionError("no RemoteError")


def test_a_survey_elsewhere_is_a_survey_here(deployment):
    """Every sentinel and data node in one process there, as here."""
    ips = list(deployment.hosts.values())[:2]
    sentinels, nodes = [probe.Address(ip, 26379) for ip in ips], [probe.Address(ip, 6379) for ip in ips]
    args = (sentinels, nodes, "kolla", deployment.password, 2.0)
    there = remote.Remote(run_python_here, "in a subprocess").survey(*args)
    here = probe.survey(*args)
    assert [o.login.password_ok for o in there[0]] == [o.login.password_ok for o in here[0]] == [True, True]
    assert [o.role for o in there[1]] == [o.role for o in here[1]] and {o.role for o in here[1]} <= {"master", "slave"}
    assert [o.address for o in there[0]] == sentinels


def test_probe_shipped_into_a_container_classifies_the_same(garbage):
    """probe.py and secrets.py, run by another Python (here this one, on
    stdin), bring not_redis back through JSON."""
    elsewhere = remote.Remote(run_python_here, "in a subprocess")
    obs = elsewhere.sentinel(garbage("junk"), "kolla", PW, TIMEOUT)
    assert "\\x00\\xff" in obs.login.not_redis
    assert checks.sentinel_answers(obs, [obs], "k")[0].id == "NOT_A_REDIS_SERVER"


# -- on Kolla 2024.2's Python and clients -----------------------------------------------
def test_discovery_finds_the_master(old_there, fixed_url, deployment):
    found = old_there.discover(fixed_url, 2.0)
    assert found.ok and found.master_addr == probe.Address(deployment.address("ctl1"), 6379)
    assert found.master_error is None and [a.error for a in found.answers] == [None] * 3


def test_discovery_without_sentinel_password_names_authentication(old_there, fixed_url):
    broken = urls.parse(urls.without_option(fixed_url.raw, "sentinel_password"))
    found = old_there.discover(broken, 2.0)
    assert not found.ok and found.master_addr is None and "No master found for 'kolla'" in found.error
    assert [a.error.startswith("AuthenticationError") for a in found.answers] == [True] * 3


def test_probes_log_in_and_see_the_topology(old_there, deployment):
    sentinel = old_there.sentinel(probe.Address(deployment.address("ctl2"), 26379), "kolla", deployment.password, 2.0)
    assert sentinel.login.requires_password and sentinel.login.password_ok
    assert sentinel.master_addr == probe.Address(deployment.address("ctl1"), 6379)
    node = old_there.node(probe.Address(deployment.address("ctl3"), 6379), deployment.password, 2.0)
    assert node.login.password_ok and node.role == "slave"


def test_a_data_node_elsewhere_is_a_data_node_here(password_server):
    there = remote.Remote(run_python_here, "in a subprocess").node(password_server, PW, TIMEOUT)
    here = probe.observe_node(password_server, PW, TIMEOUT)
    assert there.login == here.login and there.login.password_ok and there.role == here.role == "master"
