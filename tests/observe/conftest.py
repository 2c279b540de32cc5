"""What the probes' tests share: one lab per worker (the probes only read
it), listeners that do not speak RESP, a redis-server with a password, and
the oldest Python inside Kolla's images."""

import socket
import subprocess

import pytest

from coordcheck.lab.garbage import start_garbage_server
from coordcheck.observe import probe, remote
from coordcheck.observe.transport import Result
from tests import installs
from tests.conftest import lab
from tests.observe.probing import PW
from tests.observe.servers import redis_server, tooz_backend


@pytest.fixture(scope="session")
def deployment(tmp_path_factory):
    """`coordcheck up` once per worker for every probe test here (tests/conftest.py's is one per module):
    the probes read it and leave nothing behind."""
    with lab(tmp_path_factory.mktemp("observed") / "kolla") as made:
        yield made


@pytest.fixture
def garbage():
    """garbage(mode) -> the Address of a `GARBAGE_SERVER` in that mode on a free port of 127.0.0.1."""
    started = []

    def start(mode: str) -> probe.Address:
        proc, [addr] = start_garbage_server(mode, ["127.0.0.1:0"])
        started.append(proc)
        return probe.Address(*addr)

    yield start
    for proc in started:
        proc.kill()
        proc.wait()
        proc.stderr.close()


@pytest.fixture(scope="module")
def password_server():
    """A redis-server with requirepass `PW` on a free port of 127.0.0.1."""
    with redis_server(PW) as addr:
        yield addr


@pytest.fixture(scope="module")
def plain_backend():
    """`servers.Backend`: a redis-server without sentinels, as tooz's plain redis:// URL reaches it."""
    with tooz_backend() as backend:
        yield backend


@pytest.fixture(scope="session")
def old_python():
    return installs.old_clients().bin("python")


@pytest.fixture(scope="session")
def old_there(old_python):
    """`remote.Remote` running the shipped probes in the old Python."""
    def run_python(script: str) -> Result:
        done = subprocess.run([old_python, "-"], input=script, capture_output=True, text=True, timeout=60)
        return Result(done.returncode, done.stdout, done.stderr)
    return remote.Remote(run_python, f"under Python {installs.OLD_PYTHON}")


@pytest.fixture
def silent_port():
    """A TCP port of 127.0.0.1 that accepts connections and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield probe.Address("127.0.0.1", server.getsockname()[1])
