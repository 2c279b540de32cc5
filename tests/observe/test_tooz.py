"""The tooz handshake run in a separate Python, killed at a deadline: a
lock taken and released with no key left, the verdict at tooz's first
failed attempt, and the same on the oldest Python inside Kolla's images
(3.9, Rocky 9 images of 2024.2, with that release's tooz 6.3.0 and redis-py
5.0.8)."""

import re
import subprocess
import time

import pytest
import redis

from coordcheck import url as urls
from coordcheck.kolla import backend_url_of
from coordcheck.observe import tooz as tooz_probe
from tests.observe.probing import PW
from tests.observe.servers import run_python_here


@pytest.fixture(scope="module")
def service_url(deployment):
    conf = deployment.root / "ctl1" / "cinder-volume" / "cinder.conf"
    return urls.parse(backend_url_of(conf.read_text(), str(conf)))


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
    assert time.monotonic() - started < 8.0   # the deadline (2 s) ended it, not the socket timeout (10 s)
    assert result.timed_out and not result.ok and "within 2 s" in result.error


def test_tooz_handshake_reports_tooz_first_failed_attempt(service_url):
    """The incident: tooz's own exception at its first attempt, long before the deadline (tooz retries 15 times)."""
    broken = urls.parse(urls.without_option(service_url.raw, "sentinel_password"))
    result = tooz_probe.handshake(broken, deadline=20.0, timeout=2.0)
    assert not result.ok and not result.timed_out and result.stage == "start"
    assert result.error.startswith("ToozConnectionError: No master found for 'kolla'") and "AuthenticationError" in result.error
    assert result.seconds < 10.0 and result.tooz and result.redis   # the first attempt, not the 20 s deadline
    # each sentinel's client named by its address, not by redis-py's thousand-character repr
    sentinels = re.findall(r"Redis\((127\.[\d.]+:26379)\) - auth:AuthenticationError", result.error)
    assert len(sentinels) == 3 and "<redis.client.Redis(" not in result.error and len(result.error) < 400, result.error


def test_the_handshake_elsewhere_is_the_handshake_here(service_url):
    """`handshake_with`: the script run by another Python (a host's, a container's), its result read back."""
    there = tooz_probe.handshake_with(run_python_here, service_url, deadline=10.0, timeout=2.0)
    assert there.ok and there.stage == "done" and there.python


# -- on Kolla 2024.2's Python and clients -----------------------------------------------
def test_the_old_python_is_what_kolla_ships(old_python):
    done = subprocess.run([old_python, "-c", "import sys, tooz, redis, importlib.metadata as m; "
                           "print(sys.version_info[:2], m.version('tooz'), redis.__version__)"],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["(3,", "9)", "6.3.0", "5.0.8"], done.stderr


def test_the_tooz_handshake_takes_a_lock(old_python, service_url):
    result = tooz_probe.handshake(service_url, deadline=15.0, python=old_python)
    assert result.ok and result.stage == "done", result.error
    assert (result.python[:4], result.tooz, result.redis) == ("3.9.", "6.3.0", "5.0.8")


def test_the_tooz_handshake_without_sentinel_password_fails_on_authentication(old_python, service_url, deployment):
    broken = urls.parse(urls.without_option(service_url.raw, "sentinel_password"))
    result = tooz_probe.handshake(broken, deadline=15.0, timeout=0.5, python=old_python)
    assert not result.ok and not result.timed_out and result.stage == "start"
    # redis-py 5.x keeps the reason (8.x says only auth:AuthenticationError)
    assert "ToozConnectionError: No master found for 'kolla'" in result.error
    assert "Authentication required" in result.error
    assert deployment.password.reveal() not in result.error


# -- the result, whatever the Python printed ----------------------------------------------
def test_each_handshake_has_a_member_and_lock_of_its_own():
    first, second = tooz_probe.params(2.0, 5.0, url="redis://x"), tooz_probe.params(2.0, 5.0, config="/etc/c.conf")
    assert first["member"] != second["member"] and first["lock"] != second["lock"]
    assert (first["url"], second["config"], first["deadline"]) == ("redis://x", "/etc/c.conf", 5.0)


def test_an_error_the_script_prints_is_masked():
    printed = '{"ok": false, "stage": "start", "error": "AuthenticationError: s3cret-Pw/#?& rejected", "seconds": 0.1}'
    result = tooz_probe.outcome("noise\n" + printed + "\n", "", 0, 5.0, [PW])
    assert (result.ok, result.stage, result.error) == (False, "start", "AuthenticationError: *** rejected")


def test_no_result_is_a_timeout_when_killed_else_the_end_of_stderr():
    assert tooz_probe.outcome("", "", None, 5.0, []).timed_out
    assert tooz_probe.outcome("", "", 137, 5.0, [], consumer="gnocchi").error.startswith("gnocchi did not finish")
    crashed = tooz_probe.outcome("", f"Traceback ...\nImportError: {PW.reveal()} missing\n", 1, 5.0, [PW])
    assert (crashed.stage, crashed.timed_out) == ("run", False)
    assert crashed.error == "handshake exited 1: Traceback ... ImportError: *** missing"
