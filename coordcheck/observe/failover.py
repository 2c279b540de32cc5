"""A master lost during a run: follow the sentinels' failover, bounded.

When the master the sentinels announced stops answering, the run asks the
sentinels again until they agree on another master (a failover, as tooz
clients would follow it), or until it is clear none will come: the
sentinels still see the old master up after their own down-after time, no
replica may be promoted (all have replica-priority 0), or the bound passes.

    seen = follow(lambda: observer.fresh_sentinels(), old, bound=30.0)
    seen.new, seen.seconds   # -> (Address('127.0.2.111', 6379), 7.4)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from coordcheck.observe import wire
from coordcheck.observe.probe import Address, SentinelObservation
from coordcheck.secrets import Secret

POLL = 0.5
DOWN_FLAGS = ("s_down", "o_down", "failover")
#: a sentinel promotes only a replica it heard from lately (INFO and PING, within 5 s; 30 s for INFO
#: once the master is down) whose link to the master was down at most 10 x down-after-milliseconds
FRESH_MS, FRESH_INFO_DOWN_MS, LINK_DOWN_FACTOR = 5000, 30000, 10


@dataclass
class Failover:
    old: Address
    new: Address | None                 # None: no new master within the bound
    seconds: float
    sentinels: list[SentinelObservation] = field(default_factory=list)   # the last answers
    why_not: str | None = None

    def __str__(self) -> str:
        if self.new:
            return f"failover seen: master {self.old} -> {self.new}, the sentinels agreed {self.seconds:.1f} s after it was lost"
        return f"no failover from master {self.old} within {self.seconds:.1f} s: {self.why_not}"


def agreed_master(answers: list[SentinelObservation]) -> Address | None:
    """The master every answering sentinel announces, if they agree."""
    said = {o.master_addr for o in answers if o.master_addr}
    return said.pop() if len(said) == 1 else None


def _hopeless(answers: list[SentinelObservation], old: Address, waited: float, bound: float) -> str | None:
    """Why no failover will come (within the bound), or None while one still may."""
    states = [o.master for o in answers if o.master and o.master_addr == old]
    if not states:
        return None
    flagged = any(any(flag in str(s.get("flags", "")) for flag in DOWN_FLAGS) for s in states)
    down_after = max(float(s.get("down-after-milliseconds", 0)) for s in states) / 1000
    if not flagged and (waited > down_after + 1 or down_after + 1 > bound):
        return f"the sentinels see {old} up (their down-after time is {down_after:g} s)"
    candidates = [r for o in answers for r in o.replicas
                  if int(r.get("slave-priority", r.get("replica-priority", 100)) or 0) > 0
                  and "s_down" not in str(r.get("flags", ""))]
    if flagged and not candidates:
        return "no replica may be promoted (replica-priority 0, or down)"
    return None


def _flags(state: dict) -> set[str]:
    flags = state.get("flags", "")
    return set(flags) if isinstance(flags, (set, frozenset)) else set(str(flags).split(","))


def promotable(observation: SentinelObservation) -> list[str]:
    """The replicas this sentinel would promote now, as Sentinel picks them (not down or disconnected,
    replica-priority above 0, INFO and PING fresh, the master link not down too long). Right after a
    failover the replicas' INFO is some seconds old: a SENTINEL FAILOVER then is aborted (no good replica).

    >>> promotable(SentinelObservation(None, "kolla", master={"flags": "master", "down-after-milliseconds": 5000},
    ...     replicas=[{"name": "127.0.2.111:6379", "flags": "slave", "slave-priority": 100, "info-refresh": 800,
    ...                "last-ok-ping-reply": 300, "master-link-down-time": 0},
    ...               {"name": "127.0.2.112:6379", "flags": "slave", "slave-priority": 100, "info-refresh": 9000}]))
    ['127.0.2.111:6379']
    """
    master = observation.master or {}
    down = bool(_flags(master) & {"s_down", "o_down"})
    info_ms = FRESH_INFO_DOWN_MS if down else FRESH_MS
    link_ms = LINK_DOWN_FACTOR * int(master.get("down-after-milliseconds", 30000) or 0)
    return [str(r.get("name", "")) for r in observation.replicas
            if not _flags(r) & {"s_down", "o_down", "disconnected"}
            and int(r.get("slave-priority", r.get("replica-priority", 100)) or 0) > 0
            and int(r.get("info-refresh", 0) or 0) <= info_ms and int(r.get("last-ok-ping-reply", 0) or 0) <= FRESH_MS
            and (down or int(r.get("master-link-down-time", 0) or 0) <= link_ms)]


def follow(ask_sentinels: Callable[[], list[SentinelObservation]], old: Address, bound: float,
           poll: float = POLL) -> Failover:
    started = time.monotonic()
    while True:
        answers = ask_sentinels()
        waited = time.monotonic() - started
        new = agreed_master(answers)
        if new is not None and new != old:
            return Failover(old, new, waited, answers)
        why_not = _hopeless(answers, old, waited, bound)
        if why_not or waited + poll > bound:
            return Failover(old, None, waited, answers, why_not or f"bound of {bound:g} s reached")
        time.sleep(poll)


def trigger(sentinel: Address, master_name: str, password: Secret | None, timeout: float) -> str | None:
    """``SENTINEL FAILOVER master_name`` on ``sentinel`` (the failover drill):
    None when the sentinel accepted it, else its answer."""
    client = wire.client(sentinel, password, timeout=timeout)
    try:
        client.execute_command("SENTINEL", "FAILOVER", master_name)
        return None
    except Exception as exc:  # noqa: BLE001 - the sentinel's refusal is the answer
        return wire.describe(exc, password)
    finally:
        client.close()


def settled(answers: list[SentinelObservation]) -> Address | None:
    """The master every sentinel announces once no failover runs any more (None: not yet)."""
    if not answers or any(o.master is None for o in answers):
        return None
    if any("failover" in str(o.master.get("flags", "")) for o in answers):
        return None
    return agreed_master(answers)
