"""`coordcheck.observe.remote`: the probe modules shipped on stdin to another
Python (a host's, a container's) answer as they do here, discovery included."""

import socket
import subprocess
import sys

from coordcheck import url as urls
from coordcheck.observe import probe, remote
from coordcheck.observe.transport import Result
from coordcheck.secrets import Secret


def run_python(script: str) -> Result:
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=30)
    return Result(done.returncode, done.stdout, done.stderr)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_discovery_elsewhere_is_discovery_here():
    port = free_port()
    url = urls.parse(f"redis://default:pw-s3cret@127.0.0.1:{port}?sentinel=kolla&sentinel_password=sp-s3cret")
    there = remote.Remote(run_python, "in a subprocess").discover(url, 1.0)
    here = probe.discover(url, 1.0)
    assert there == here and not there.ok and there.answers[0].address == probe.Address("127.0.0.1", port)


def test_a_python_without_redis_is_a_remote_error():
    def no_redis(script: str) -> Result:
        return run_python("import sys; sys.modules['redis'] = None\n" + script)
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
    there = remote.Remote(run_python, "in a subprocess").survey(*args)
    here = probe.survey(*args)
    assert [o.login.password_ok for o in there[0]] == [o.login.password_ok for o in here[0]] == [True, True]
    assert [o.role for o in there[1]] == [o.role for o in here[1]] and {o.role for o in here[1]} <= {"master", "slave"}
    assert [o.address for o in there[0]] == sentinels
