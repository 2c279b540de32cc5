"""The scripts coordcheck ships to hosts and service containers (`coordcheck.observe.remote`'s probes and
discovery, `coordcheck.observe.tooz`'s handshake) run on the oldest Python inside Kolla's images: 3.9
(Rocky 9 images of 2024.2), with the tooz and redis-py that release ships (6.3.0 / 5.0.8), against the
lab's authenticated sentinels."""

import subprocess

import pytest

from coordcheck import url as urls
from coordcheck.kolla import backend_url_of
from coordcheck.observe import probe, remote
from coordcheck.observe import tooz as tooz_probe
from coordcheck.observe.transport import Result
from tests import installs

#: Kolla 2024.2's images: Rocky 9's Python, upper-constraints' tooz and redis-py
PYTHON, CLIENTS = "3.9", ["tooz==6.3.0", "redis==5.0.8"]


@pytest.fixture(scope="module")
def old_python():
    return installs.cached_venv("kolla-2024.2-clients", PYTHON, CLIENTS).bin("python")


@pytest.fixture(scope="module")
def there(old_python):
    def run_python(script: str) -> Result:
        done = subprocess.run([old_python, "-"], input=script, capture_output=True, text=True, timeout=60)
        return Result(done.returncode, done.stdout, done.stderr)
    return remote.Remote(run_python, f"under Python {PYTHON}")


@pytest.fixture(scope="module")
def fixed_url(deployment):
    conf = deployment.root / "ctl1" / "cinder-volume" / "cinder.conf"
    return urls.parse(backend_url_of(conf.read_text(), str(conf)))


def test_the_old_python_is_what_kolla_ships(old_python):
    done = subprocess.run([old_python, "-c", "import sys, tooz, redis, importlib.metadata as m; "
                           "print(sys.version_info[:2], m.version('tooz'), redis.__version__)"],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["(3,", "9)", "6.3.0", "5.0.8"], done.stderr


def test_discovery_finds_the_master(there, fixed_url, deployment):
    found = there.discover(fixed_url, 2.0)
    assert found.ok and found.master_addr == probe.Address(deployment.address("ctl1"), 6379)
    assert found.master_error is None and [a.error for a in found.answers] == [None] * 3


def test_discovery_without_sentinel_password_names_authentication(there, fixed_url):
    broken = urls.parse(urls.without_option(fixed_url.raw, "sentinel_password"))
    found = there.discover(broken, 2.0)
    assert not found.ok and found.master_addr is None and "No master found for 'kolla'" in found.error
    assert [a.error.startswith("AuthenticationError") for a in found.answers] == [True] * 3


def test_probes_log_in_and_see_the_topology(there, deployment):
    sentinel = there.sentinel(probe.Address(deployment.address("ctl2"), 26379), "kolla", deployment.password, 2.0)
    assert sentinel.login.requires_password and sentinel.login.password_ok
    assert sentinel.master_addr == probe.Address(deployment.address("ctl1"), 6379)
    node = there.node(probe.Address(deployment.address("ctl3"), 6379), deployment.password, 2.0)
    assert node.login.password_ok and node.role == "slave"


def test_the_tooz_handshake_takes_a_lock(old_python, fixed_url):
    result = tooz_probe.handshake(fixed_url, deadline=15.0, python=old_python)
    assert result.ok and result.stage == "done", result.error
    assert (result.python[:4], result.tooz, result.redis) == ("3.9.", "6.3.0", "5.0.8")


def test_the_tooz_handshake_without_sentinel_password_fails_on_authentication(old_python, fixed_url, deployment):
    broken = urls.parse(urls.without_option(fixed_url.raw, "sentinel_password"))
    result = tooz_probe.handshake(broken, deadline=15.0, timeout=0.5, python=old_python)
    assert not result.ok and not result.timed_out and result.stage == "start"
    # redis-py 5.x keeps the reason (8.x says only auth:AuthenticationError)
    assert "ToozConnectionError: No master found for 'kolla'" in result.error
    assert "Authentication required" in result.error
    assert deployment.password.reveal() not in result.error
