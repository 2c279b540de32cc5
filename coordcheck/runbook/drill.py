"""The failover drill (opt-in: ``--allow-failover``): would every service of
this cloud survive a failover? ``SENTINEL FAILOVER <master name>`` on the
monitored master, then, inside each consumer container, that service's own
client (tooz lock; gnocchi's redis; octavia's jobboard; horizon's cache),
run again and again, once the sentinels agree on the new master, until it
works against it: seconds from the trigger, or none within ``--failover-wait``.
The trigger waits (within that wait) for a sentinel that would promote a replica: one sent seconds
after another failover, while the sentinels' view of the replicas is stale, is aborted by Sentinel.

    drill = run_drill(observer)
    drill.recoveries[0].seconds    # -> 2.4 (None: FAILOVER_NOT_FOLLOWED)

Each attempt is a new client process: it shows whether the service's URL
and client lead to the new master (a URL that names a data node never
does), not whether a long-running service process drops a cached master.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from coordcheck.observe import failover
from coordcheck.observe import tooz as tooz_probe
from coordcheck.observe import probe
from coordcheck.observe.probe import Address

#: between two rounds of attempts, seconds
PAUSE = 0.2


@dataclass
class Recovery:
    """One consumer container's client after the failover."""

    host: str
    container: str
    service: str
    client: str                       # "tooz", "gnocchi", "octavia", "horizon"
    versions: str = ""
    seconds: float | None = None      # from the trigger to its first success; None: not within the wait
    attempts: int = 0
    last_error: str | None = None


@dataclass
class Drill:
    old: Address | None
    refused: str | None = None                      # why no failover was triggered
    new: Address | None = None                      # where the master ended (the sentinels agree)
    settled_seconds: float | None = None
    recoveries: list[Recovery] = field(default_factory=list)

    def table(self) -> str:
        rows = [f"{r.host:8} {r.container:18} {r.client:8} {r.versions:32} "
                f"{f'{r.seconds:.1f} s' if r.seconds is not None else 'FAILOVER_NOT_FOLLOWED'}" for r in self.recoveries]
        ended = (f"master {self.old} -> {self.new}: the sentinels agreed and the old master was a replica "
                 f"{self.settled_seconds:.1f} s after the trigger"
                 if self.new else f"the sentinels did not agree on a master after the failover from {self.old}")
        return "\n".join([ended, *rows])


def _clients(observer) -> list[tuple[Recovery, callable]]:
    """Every running consumer container and the call that runs its own client once."""
    containers = observer.containers
    deadline, timeout = observer.tooz_deadline, observer.timeout
    out = []
    for host in observer.target.hosts:
        for c in containers.running(host):
            def tooz(c=c):
                return tooz_probe.handshake_in(containers.engine(c.host), c.name, c.path_inside, deadline, timeout,
                                               containers.secrets(c))
            out.append((Recovery(host, c.name, c.config.service, "tooz"), tooz))
        for c in containers.consumers(host):
            if c.running:
                def own(c=c):
                    return tooz_probe.handshake_in(containers.engine(c.host), c.name, c.path_inside, deadline,
                                                   timeout, [observer.target.password], c.consumer)
                out.append((Recovery(host, c.name, c.service, c.consumer), own))
    return out


def _versions(result) -> str:
    libraries = ", ".join(f"{k} {v}" for k, v in (result.libraries or {}).items())
    return libraries or f"tooz {result.tooz}, redis-py {result.redis}"


def _follow(recovery: Recovery, once, started: float, wait: float) -> None:
    """Run the client until it works, or ``wait`` s after the trigger."""
    while time.monotonic() - started < wait:
        result = once()
        recovery.attempts += 1
        recovery.versions = _versions(result)
        if result.ok:
            recovery.seconds = round(time.monotonic() - started, 1)
            return
        recovery.last_error = result.error
        time.sleep(PAUSE)


def _demoted(observer, old: Address) -> bool:
    """The old master took its new role (sentinels reconfigure it some seconds after the promotion)."""
    node = probe.observe_node(old, observer.target.password, observer.timeout)
    return not node.login.reachable or node.role in ("slave", "replica")


def _promoting(view, wait: float, poll: float) -> list[Address]:
    """The sentinels that would promote a replica now, waited for up to ``wait`` s: a SENTINEL FAILOVER
    sent while a sentinel's view of the replicas is stale (seconds after a failover) is aborted."""
    deadline = time.monotonic() + wait
    while True:
        able = [o.address for o in view.fresh_sentinels() if failover.promotable(o)]
        if able or time.monotonic() + poll > deadline:
            return able
        time.sleep(poll)


def run_drill(observer, poll: float = failover.POLL) -> Drill:
    """Trigger the failover, follow each consumer's client, wait for agreement."""
    view = observer.at(None)
    wait = observer.failover_wait
    old = failover.agreed_master(view.fresh_sentinels())
    drill = Drill(old)
    if old is None:
        drill.refused = "the sentinels do not agree on a master: no failover was triggered"
        return drill
    password = observer.target.password if observer.sentinels_require_password else None
    able = _promoting(view, wait, poll)
    if not able:
        drill.refused = (f"no sentinel saw a replica it may promote within {wait:g} s (down, replica-priority 0, "
                         "or not heard from for 5 s): no failover was triggered")
        return drill
    clients = _clients(observer)
    answer = None
    for sentinel in able:
        answer = failover.trigger(sentinel, observer.master_name, password, observer.timeout)
        if answer is None:
            break
    if answer is not None:
        drill.refused = f"no sentinel accepted SENTINEL FAILOVER {observer.master_name}: {answer}"
        return drill
    started = time.monotonic()
    while time.monotonic() - started < wait:     # the failover first: a client must reach the *new* master
        drill.new = failover.settled(view.fresh_sentinels())
        if drill.new is not None and drill.new != old and _demoted(observer, old):
            drill.settled_seconds = round(time.monotonic() - started, 1)
            break
        drill.new = None
        time.sleep(poll)
    if drill.new is not None:
        with ThreadPoolExecutor(max_workers=len(clients) or 1) as pool:   # each client's time is its own
            list(pool.map(lambda pair: _follow(*pair, started, drill.settled_seconds + wait), clients))
    drill.recoveries = [r for r, _ in clients]
    return drill
