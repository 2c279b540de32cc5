"""Run the tooz handshake (`coordcheck.observe.handshake`) in a separate Python,
killed at a deadline: tooz retries a failing sentinel for minutes, coordcheck
waits seconds.

    handshake(url, deadline=5.0).ok   # -> True
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from coordcheck.consumers import Consumer
from coordcheck.secrets import Secret, redact
from coordcheck.observe.transport import last_json

SOURCE = (Path(__file__).with_name("handshake.py")).read_text(encoding="utf-8")
#: the verdict at tooz's first failed attempt (`coordcheck.observe.first_failure`), run around ``main``
FIRST_FAILURE = (Path(__file__).with_name("first_failure.py")).read_text(encoding="utf-8")
NAMESPACE = "coordcheck"
LOCK_TIMEOUT = 30  # seconds: the lock key expires by itself if release fails
#: A Python's start and its tooz import, on a loaded host, on top of the handshake's own deadline
#: (which the script applies itself, once tooz is imported).
START_ALLOWANCE = 10.0


@dataclass
class Handshake:
    ok: bool
    stage: str
    seconds: float
    error: str | None = None
    timed_out: bool = False
    tooz: str | None = None
    redis: str | None = None
    python: str | None = None
    consumer: str | None = None          # a consumer's name (coordcheck/consumers.py): its own client ran
    libraries: dict | None = None        # its libraries' versions
    sentinel_password: bool | None = None  # whether its config gives the sentinels a password


def params(timeout: float, deadline: float | None = None, **source) -> dict:
    """The handshake's parameters; ``source`` is ``url=`` (it then holds a
    password, and only ever travels on stdin) or ``config=`` (a path)."""
    tag = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"  # handshakes run at once
    return {"member": f"coordcheck-{tag}", "lock": f"probe-{tag}", "namespace": NAMESPACE,
            "lock_timeout": LOCK_TIMEOUT, "timeout": timeout, "deadline": deadline, **source}


def script(parameters: dict) -> str:
    """The handshake source plus its call, at tooz's first failed attempt its verdict."""
    return f"{SOURCE}\n{FIRST_FAILURE}\nfirst_failure_main(json.loads({json.dumps(json.dumps(parameters))}))\n"


CLIENT_REPR = "<redis.client.Redis("


def clients_named(error: str) -> str:
    """redis-py's client reprs in an error (tooz's "No master found" quotes
    one per sentinel, a thousand characters each) as their address:

    >>> clients_named("No master found for 'kolla' : <redis.client.Redis(<redis.connection.ConnectionPool("
    ...               "<redis.connection.Connection(db=0,retry=<redis.retry.Retry object at 0x7f>,host=127.0.3.110,"
    ...               "port=26379,orig_host_address=127.0.3.110)>)>)> - auth:AuthenticationError")
    "No master found for 'kolla' : Redis(127.0.3.110:26379) - auth:AuthenticationError"
    """
    parts, start = [], 0
    while (begin := error.find(CLIENT_REPR, start)) >= 0:
        depth, end = 0, begin
        for end in range(begin, len(error)):
            depth += {"<": 1, ">": -1}.get(error[end], 0)
            if depth == 0:
                break
        address = re.search(r"\bhost=([^,()<>]+),port=(\d+)", error[begin:end + 1])
        parts += [error[start:begin], f"Redis({address[1]}:{address[2]})" if address else "Redis(...)"]
        start = end + 1
    return "".join(parts) + error[start:]


def parse_result(stdout: str, secrets: list[Secret | None]) -> Handshake:
    data = last_json(stdout)
    if data is None:
        raise ValueError("handshake printed no result")
    return Handshake(ok=bool(data["ok"]), stage=data["stage"], seconds=float(data.get("seconds", 0)),
                     error=clients_named(redact(data["error"], secrets)) if data.get("error") else None,
                     timed_out=bool(data.get("timed_out")),
                     tooz=data.get("tooz"), redis=data.get("redis"), python=data.get("python"),
                     consumer=data.get("consumer"), libraries=data.get("libraries"),
                     sentinel_password=data.get("sentinel_password"))


def timed_out(deadline: float, consumer: str | None = None) -> Handshake:
    """Killed at its deadline: tooz's handshake, or ``consumer``'s own client."""
    error = (f"{consumer} did not finish within {deadline:g} s (its client retries connection errors, so a service "
             "waits minutes)" if consumer else f"tooz did not finish within {deadline:g} s (tooz retries "
             "connection errors 15 times, so a service waits minutes)")
    return Handshake(ok=False, stage="start", seconds=deadline, timed_out=True, error=error, consumer=consumer)


def outcome(stdout: str, stderr: str, rc: int | None, deadline: float, secrets: list[Secret | None],
            consumer: str | None = None) -> Handshake:
    """The handshake's result from what its Python printed (``rc`` None: killed)."""
    try:
        return parse_result(stdout, secrets)
    except (ValueError, KeyError):
        if rc is None or rc == 137:  # killed here, or by timeout -s KILL where it ran
            return timed_out(deadline, consumer)
        tail = " ".join(stderr.split()[-30:])
        return Handshake(ok=False, stage="run", seconds=0.0,
                         error=redact(f"handshake exited {rc}: {tail}", secrets))


#: handshakes run here at once (hosts observed in parallel): a tooz import
#: costs a CPU second, so more than a core each would only make them all late
LOCAL = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def handshake(url, deadline: float, timeout: float = 2.0, python: str = sys.executable) -> Handshake:
    """Run the handshake for ``url`` (a `BackendURL`) in ``python``, at most
    ``deadline`` s from its start (a core of this machine each)."""
    secrets = [url.password, url.sentinel_password]
    with LOCAL:
        try:
            done = subprocess.run([python, "-"], input=script(params(timeout, deadline, url=url.raw)),
                                  capture_output=True, text=True, timeout=deadline + START_ALLOWANCE)
        except subprocess.TimeoutExpired:
            return timed_out(deadline)
    return outcome(done.stdout, done.stderr, done.returncode, deadline, secrets)


def handshake_in(engine, container: str, config: str, deadline: float, timeout: float,
                 secrets: list[Secret | None], consumer: Consumer | None = None) -> Handshake:
    """The handshake inside ``container`` (an `coordcheck.engine.Engine`'s),
    with the container's own Python, tooz and redis-py and the URL of its
    own ``config``: no URL or password leaves the container. ``consumer``
    (a record whose client is its own): that client instead, with its config."""
    chosen = consumer.params() if consumer else {}
    done = engine.python(container, script(params(timeout, deadline, config=config, **chosen)),
                         deadline + START_ALLOWANCE)
    return outcome(done.stdout, done.stderr, done.rc, deadline, secrets, consumer.name if consumer else None)


def handshake_with(run_python, url, deadline: float, timeout: float) -> Handshake:
    """The handshake for ``url`` run by ``run_python(script) -> Result``
    somewhere else (a host's python3, a container's)."""
    done = run_python(script(params(timeout, deadline, url=url.raw)))
    return outcome(done.stdout, done.stderr, done.rc, deadline, [url.password, url.sentinel_password])
