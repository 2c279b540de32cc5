"""Run the tooz handshake (`coordcheck.handshake`) in a separate Python,
killed at a deadline: tooz retries a failing sentinel for minutes, coordcheck
waits seconds.

    handshake(url, deadline=5.0).ok   # -> True
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from coordcheck.secrets import Secret, redact

SOURCE = (Path(__file__).with_name("handshake.py")).read_text(encoding="utf-8")
NAMESPACE = "coordcheck"
LOCK_TIMEOUT = 30  # seconds: the lock key expires by itself if release fails


@dataclass
class Handshake:
    ok: bool
    stage: str
    seconds: float
    error: str | None = None
    timed_out: bool = False
    tooz: str | None = None
    redis: str | None = None


def script(url: Secret, timeout: float) -> str:
    """The handshake source plus its call; this text holds the URL, so it
    only ever travels on stdin."""
    params = {
        "url": url.reveal(), "member": f"coordcheck-{socket.gethostname()}-{os.getpid()}",
        "lock": f"probe-{socket.gethostname()}-{os.getpid()}", "namespace": NAMESPACE,
        "lock_timeout": LOCK_TIMEOUT, "timeout": timeout,
    }
    return f"{SOURCE}\nmain(json.loads({json.dumps(json.dumps(params))}))\n"


def parse_result(stdout: str, secrets: list[Secret | None]) -> Handshake:
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise ValueError("handshake printed no result")
    data = json.loads(lines[-1])
    return Handshake(ok=bool(data["ok"]), stage=data["stage"], seconds=float(data.get("seconds", 0)),
                     error=redact(data["error"], secrets) if data.get("error") else None,
                     tooz=data.get("tooz"), redis=data.get("redis"))


def handshake(url, deadline: float, timeout: float = 2.0, python: str = sys.executable) -> Handshake:
    """Run the handshake for ``url`` (a `BackendURL`) in ``python``, at most ``deadline`` s."""
    secrets = [url.password, url.sentinel_password]
    try:
        done = subprocess.run([python, "-"], input=script(Secret(url.raw), timeout),
                              capture_output=True, text=True, timeout=deadline)
    except subprocess.TimeoutExpired:
        return Handshake(ok=False, stage="start", seconds=deadline, timed_out=True,
                         error=f"tooz did not finish within {deadline:g} s (tooz retries "
                               "connection errors 15 times, so a service waits minutes)")
    try:
        return parse_result(done.stdout, secrets)
    except (ValueError, KeyError):
        tail = " ".join(done.stderr.split()[-30:])
        return Handshake(ok=False, stage="run", seconds=0.0,
                         error=redact(f"handshake exited {done.returncode}: {tail}", secrets))
