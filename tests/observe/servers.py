"""Real servers for the probes' tests, on free ports of 127.0.0.1 (no
lab): a redis-server with a password (and tooz's URL of it), and a Python
that runs a shipped script on stdin as a host's or a container's would."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

from coordcheck.address import Address
from coordcheck.observe import wire
from coordcheck.observe.transport import Result
from coordcheck.secrets import Secret


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on (refused until someone does)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis_server(password: Secret):
    """A redis-server with requirepass on a free port of 127.0.0.1: its Address, once it answers."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (make packages)"
    port, folder = free_port(), tempfile.mkdtemp(prefix="coordcheck-redis-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--requirepass", password.reveal(),
                             "--save", "", "--appendonly", "no", "--dir", folder],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    addr = Address("127.0.0.1", port)
    deadline = time.monotonic() + 10
    while wire.hello(addr, wire.Bound(0.5)).reply is None and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield addr
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(folder, ignore_errors=True)


def run_python_here(script: str, timeout: float = 30) -> Result:
    """``script`` on the stdin of this Python, as `remote` ships it to a host's."""
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=timeout)
    return Result(done.returncode, done.stdout, done.stderr)


class Backend(NamedTuple):
    """A plain redis-server as tooz reaches it: its URL (no sentinel), password and address."""

    url: str
    password: Secret
    address: Address


@contextlib.contextmanager
def tooz_backend():
    """A redis-server whose password a URL carries as written, and tooz's URL of it."""
    password = Secret(secrets.token_hex(12))
    with redis_server(password) as addr:
        yield Backend(f"redis://:{password.reveal()}@{addr}", password, addr)
