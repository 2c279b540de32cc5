"""Probes against real servers: what they observe, and that none of them
waits longer than its bound; a server that does not speak RESP is named so
(NOT_A_REDIS_SERVER, with its address) within the bound, wall clock."""

import time

import pytest

from coordcheck.checks import servers as checks
from coordcheck.findings import render
from coordcheck.observe import probe
from coordcheck.secrets import Secret
from tests.observe.probing import GARBAGE, PW, SLACK, TIMEOUT, assert_clean, timed
from tests.observe.servers import free_port


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
    obs = probe.observe_node(probe.Address("127.0.0.1", free_port()), None, timeout=2.0)
    assert time.monotonic() - started < 0.5 and "refused" in obs.login.error


@pytest.mark.parametrize("kind", ["sentinel", "data node"])
@pytest.mark.parametrize("mode", GARBAGE)
def test_garbage_server_is_named_within_the_bound(garbage, mode, kind):
    addr = garbage(mode)
    if kind == "sentinel":
        seconds, obs = timed(lambda: probe.observe_sentinel(addr, "kolla", PW, TIMEOUT))
        found = checks.sentinel_answers(obs, [obs], "redis_master_password")
    else:
        seconds, obs = timed(lambda: probe.observe_node(addr, PW, TIMEOUT))
        found = checks.password_authenticates(obs.login, "data node", "redis_master_password")
    assert seconds < TIMEOUT + SLACK, f"{mode}: {seconds:.1f} s"
    assert not obs.login.reachable and obs.login.not_redis, obs.login
    [finding] = found
    assert finding.id == "NOT_A_REDIS_SERVER" and finding.severity == "fail"
    assert finding.where.address == str(addr) and str(addr) in finding.evidence
    assert_clean(render(found))


def test_a_survey_asks_every_server_at_once(silent_port, password_server):
    """Two silent sentinels cost one timeout, not two; the data node answers beside them."""
    seconds, (sentinels, nodes) = timed(lambda: probe.survey([silent_port, silent_port], [password_server], "kolla",
                                                             PW, 0.5))
    assert seconds < 1.5
    assert [o.login.reachable for o in sentinels] == [False, False] and nodes[0].role == "master"
