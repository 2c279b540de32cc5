"""redis-py's Sentinel discovery as tooz runs it, with each sentinel's
reason kept: the fixed URL finds the master, the incident's names
authentication at every sentinel, and a sentinel that does not speak RESP
is where redis-py's discovery (tooz's) stops."""

import pytest

from coordcheck import url as urls
from coordcheck.checks import servers as checks
from coordcheck.findings import render
from coordcheck.kolla import backend_url_of
from coordcheck.observe import discovery, probe
from tests.observe.probing import SLACK, TIMEOUT, assert_clean, timed
from tests.observe.servers import free_port


@pytest.fixture(scope="module")
def service_url(deployment):
    conf = deployment.root / "ctl1" / "cinder-volume" / "cinder.conf"
    return urls.parse(backend_url_of(conf.read_text(), str(conf)))


def test_discovery_with_the_fixed_url(service_url, deployment):
    found = probe.discover(service_url)
    assert found.ok and found.master_addr == (deployment.address("ctl1"), 6379)


def test_discovery_without_sentinel_password_keeps_each_reason(service_url):
    broken = urls.parse(urls.without_option(service_url.raw, "sentinel_password"))
    found = probe.discover(broken, timeout=1.0)
    assert not found.ok and "No master found" in found.error
    assert [a.error.startswith("AuthenticationError") for a in found.answers] == [True] * 3


def test_a_sentinel_asked_for_another_master_name_says_so(service_url):
    answer = discovery.ask_sentinel(probe.Address(*service_url.sentinels[1]), "nokolla", service_url.sentinel_username,
                                    service_url.sentinel_password, 2.0)
    assert answer.master_addr is None and answer.error == "sentinel monitors no master named 'nokolla'"


# -- redis-py stops at a sentinel that does not speak RESP -----------------------------
def test_discovery_names_the_garbage_sentinel_redis_py_stops_at(garbage):
    junk = garbage("junk")
    refused = probe.Address("127.0.0.1", free_port())
    url = urls.parse(f"redis://default:pw@{refused}?sentinel=kolla&sentinel_fallback={junk}"
                     f"&sentinel_password=x")
    seconds, found = timed(lambda: probe.discover(url, TIMEOUT))
    assert seconds < 2 * TIMEOUT + SLACK
    assert not found.ok and found.stopped_at == junk and str(junk) in found.not_redis
    assert "stops there" in found.error
    filtered = found.without_not_redis()
    assert [a.address for a in filtered.answers] == [refused] and filtered.error is None
    [finding] = checks.discovery_not_redis(found, lambda address: checks.Where(host="ctl1", address=address))
    assert finding.id == "NOT_A_REDIS_SERVER" and "redis-py's discovery (tooz's) stops there" in finding.evidence
    assert_clean(render([finding]))


def test_known_garbage_sentinels_are_not_asked_again(garbage):
    junk = garbage("trickle")
    url = urls.parse(f"redis://default:x@{junk}?sentinel=kolla")
    seconds, found = timed(lambda: probe.discover(url, TIMEOUT, {junk: "sent only '-.' (2 bytes)"}))
    assert seconds < 0.5 and found.stopped_at == junk


def test_no_sentinel_answering_is_no_master():
    first, second = (probe.Address("127.0.0.1", free_port()) for _ in range(2))
    url = urls.parse(f"redis://default:pw@{first}?sentinel=kolla&sentinel_fallback={second}&sentinel_password=sp")
    found = probe.discover(url, TIMEOUT)
    assert not found.ok and found.error == "No master found for 'kolla': no sentinel of the URL gave one"
    assert [a.address for a in found.answers] == [first, second] and all("refused" in a.error for a in found.answers)
    assert found.stopped_at is None and found.not_redis == {}
