"""Do the clients that share a backend exclude each other? Proved, not read
from a version table: one client holds a probe lock (`lock_probe.py`), every
client of another tooz/redis-py pair tries to take it at once; a second
acquire is the answer. One holder per client class (tooz, redis-py), each
other client tries once: O(containers), not O(pairs). Every lock the probe
takes expires by itself (``LOCK_TIMEOUT``) and is removed when the round ends.

    rounds = exclusion([runner, *containers], deadline=10.0, timeout=2.0)
    [r for r in rounds if r.acquired]   # -> clients that took a held lock
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from coordcheck.observe import tooz as tooz_probe
from coordcheck.observe.transport import Result, last_json

SOURCE = "\n".join([tooz_probe.SOURCE, tooz_probe.FIRST_FAILURE,
                    Path(__file__).with_name("lock_probe.py").read_text(encoding="utf-8")])
#: a probe lock lives at most this long, whatever happens to the runner
LOCK_TIMEOUT = 20
PREFIX = "coordcheck-probe-"


@dataclass(frozen=True)
class Client:
    """One tooz client of the backend: a service container's, or the runner's."""

    label: str                          # "ctl1 cinder_volume", "the runner"
    host: str | None
    container: str | None
    tooz: str | None
    redis: str | None
    run: Callable[[str, float], Result] = field(compare=False, repr=False)   # (script, deadline) -> Result
    source: dict = field(default_factory=dict, compare=False, repr=False)    # config= (inside) or url=

    @property
    def versions(self) -> tuple[str | None, str | None]:
        return self.tooz, self.redis


@dataclass(frozen=True)
class Attempt:
    """``client`` tried the lock ``holder`` held."""

    holder: Client
    client: Client
    acquired: bool | None               # None: the try itself failed (error)
    error: str | None = None


@dataclass
class Exclusion:
    lock: str
    attempts: list[Attempt] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)        # holds or breaks that failed
    removed: list[str] = field(default_factory=list)       # holders whose key was removed

    def not_excluded(self) -> list[Attempt]:
        return [a for a in self.attempts if a.acquired]


def probe_lock_name() -> str:
    return f"{PREFIX}{uuid.uuid4().hex[:12]}"


def script(mode: str, lock: str, source: dict, deadline: float, timeout: float) -> str:
    params = {**tooz_probe.params(timeout, deadline, **source), "mode": mode, "lock": lock,
              "lock_timeout": LOCK_TIMEOUT}
    return f"{SOURCE}\ninstall_first_failure()\nlock_probe(json.loads({json_literal(params)}))\n"


def json_literal(value) -> str:
    import json
    return json.dumps(json.dumps(value))


def run_here(script_text: str, deadline: float) -> Result:
    """The runner's own Python, tooz and redis-py."""
    try:
        done = subprocess.run([sys.executable, "-"], input=script_text, capture_output=True, text=True,
                              timeout=deadline + tooz_probe.START_ALLOWANCE, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    except subprocess.TimeoutExpired:
        return Result(None, "", "the lock probe did not end")
    return Result(done.returncode, done.stdout, done.stderr)


def runner_client(url) -> Client:
    """The runner's own tooz and redis-py, with ``url`` (only ever on stdin)."""
    import importlib.metadata as metadata

    return Client("the runner", None, None, metadata.version("tooz"), metadata.version("redis"), run_here,
                  {"url": url.raw})


def _once(client: Client, mode: str, lock: str, deadline: float, timeout: float) -> tuple[bool | None, str | None]:
    """(acquired, error) of one probe run by ``client``."""
    done = client.run(script(mode, lock, client.source, deadline, timeout), deadline)
    data = last_json(done.stdout or "")
    if data is None:
        tail = " ".join((done.stderr or "").split()[-20:])
        return None, f"the lock probe printed nothing (exit {done.rc}): {tail}"
    if not data.get("ok"):
        return None, data.get("error") or "the lock probe failed"
    return bool(data["acquired"]), None


def classes(clients: list[Client]) -> dict[tuple, list[Client]]:
    """The clients grouped by (tooz, redis-py), in the order first seen."""
    grouped: dict[tuple, list[Client]] = {}
    for c in clients:
        grouped.setdefault(c.versions, []).append(c)
    return grouped


def exclusion(clients: list[Client], deadline: float, timeout: float, lock: str | None = None) -> Exclusion:
    """Hold the probe lock with the first client of each class;
    every client of a later class tries it once, and one twin of the
    holder's class (its refusal shows the lock is really held); remove it."""
    seen = Exclusion(lock or probe_lock_name())
    groups = list(classes(clients).values())
    for index, group in enumerate(groups):
        others = [*group[1:2], *(c for later in groups[index + 1:] for c in later)]  # a twin: the lock is held
        if not others:
            continue
        holder = group[0]
        held, error = _once(holder, "hold", seen.lock, deadline, timeout)
        try:
            if not held:
                seen.errors.append(f"{holder.label} could not hold {seen.lock}: {error or 'it is taken'}")
                continue
            for client in others:
                acquired, error = _once(client, "try", seen.lock, deadline, timeout)
                seen.attempts.append(Attempt(holder, client, acquired, error))
        finally:
            removed, error = _once(holder, "break", seen.lock, deadline, timeout)
            if removed:
                seen.removed.append(holder.label)
            elif error:
                seen.errors.append(f"{holder.label} could not remove {seen.lock} (it expires in {LOCK_TIMEOUT} s): "
                                   f"{error}")
    return seen
