"""Probes against real servers: what they observe, and that none of them
waits longer than its bound."""

import socket
import time

import pytest
import redis

from coordcheck.observe import probe
from coordcheck.observe import tooz as tooz_probe
from coordcheck import url as urls
from coordcheck.kolla import backend_url_of
from coordcheck.secrets import Secret



@pytest.fixture(scope="module")
def service_url(deployment):
    conf = deployment.root / "ctl1" / "cinder-volume" / "cinder.conf"
    return urls.parse(backend_url_of(conf.read_text(), str(conf)))


@pytest.fixture
def silent_port():
    """A TCP port that accepts connections and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.2.250", 0))
        server.listen(16)
        yield probe.Address("127.0.2.250", server.getsockname()[1])


def test_sentinel_observation(deployment):
    obs = probe.observe_sentinel(probe.Address(deployment.address("ctl2"), 26379), "kolla", deployment.password)
    assert obs.login.requires_password and obs.login.password_ok
    assert "Authentication required" in obs.login.without_password_reply
    assert obs.master["flags"] == "master" and obs.master_addr == (deployment.address("ctl1"), 6379)
    assert obs.ckquorum_error is None and len(obs.replicas) == 2 and len(obs.sentinels) == 2


def test_wrong_password_is_rejected_with_the_servers_words(deployment):
    obs = probe.observe_sentinel(probe.Address(deployment.address("ctl2"), 26379), "kolla", Secret("not-the-password"))
    assert obs.login.password_ok is False and obs.master is None
    assert "WRONGPASS" in obs.login.password_error or "invalid" in obs.login.password_error


def test_unknown_master_name(deployment):
    obs = probe.observe_sentinel(probe.Address(deployment.address("ctl2"), 26379), "nokolla", deployment.password)
    assert obs.master is None and "No such master" in obs.master_error


def test_data_node_replication(deployment):
    replica = probe.observe_node(probe.Address(deployment.address("ctl3"), 6379), deployment.password)
    assert replica.role == "slave" and replica.replication["master_link_status"] == "up"


def test_silent_server_costs_one_timeout(silent_port):
    started = time.monotonic()
    obs = probe.observe_sentinel(silent_port, "kolla", Secret("x"), timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert not obs.login.reachable and "Timeout" in obs.login.error


def test_refused_port_answers_at_once():
    started = time.monotonic()
    obs = probe.observe_node(probe.Address("127.0.2.251", 6379), None, timeout=2.0)
    assert time.monotonic() - started < 0.5 and "refused" in obs.login.error


def test_discovery_with_the_fixed_url(service_url, deployment):
    found = probe.discover(service_url)
    assert found.ok and found.master_addr == (deployment.address("ctl1"), 6379)


def test_discovery_without_sentinel_password_keeps_each_reason(service_url):
    broken = urls.parse(urls.without_option(service_url.raw, "sentinel_password"))
    found = probe.discover(broken, timeout=1.0)
    assert not found.ok and "No master found" in found.error
    assert [a.error.startswith("AuthenticationError") for a in found.answers] == [True] * 3


def test_tooz_handshake_takes_and_releases_a_lock_and_leaves_no_key(deployment, service_url):
    master = redis.Redis(deployment.address("ctl1"), 6379, password=deployment.password.reveal(), socket_timeout=2)
    before = set(master.keys("*"))
    result = tooz_probe.handshake(service_url, deadline=10.0)
    assert result.ok and result.stage == "done" and result.tooz and result.redis
    assert set(master.keys("*")) == before


def test_tooz_handshake_is_cut_at_its_deadline(service_url, silent_port):
    """A sentinel that accepts and never answers, a socket timeout beyond the deadline: the deadline ends it."""
    silent = service_url.raw.replace(f"@{service_url.host}:{service_url.port}", f"@{silent_port.host}:{silent_port.port}")
    silent = urls.without_option(silent, "sentinel_fallback")
    started = time.monotonic()
    result = tooz_probe.handshake(urls.parse(silent), deadline=2.0, timeout=10.0)
    assert time.monotonic() - started < 4.0
    assert result.timed_out and not result.ok and "within 2 s" in result.error


def test_tooz_handshake_reports_tooz_first_failed_attempt(service_url):
    """The incident: tooz's own exception at its first attempt, long before the deadline (tooz retries 15 times)."""
    broken = urls.parse(urls.without_option(service_url.raw, "sentinel_password"))
    result = tooz_probe.handshake(broken, deadline=20.0, timeout=2.0)
    assert not result.ok and not result.timed_out and result.stage == "start"
    assert result.error.startswith("ToozConnectionError: No master found for 'kolla'") and "AuthenticationError" in result.error
    assert result.seconds < 5.0 and result.tooz and result.redis
