"""The sentinels, data nodes and service URLs as seen from one place: a
controller (inside its running service container, else on the host with
its python3) or the runner itself. Every host has its own `View`, with its
own caches: no verdict is reused across hosts.

    view = observer.at("ctl2")
    view.where                        # -> 'inside cinder_volume on ctl2'
    view.sentinel(addr).login.password_ok
"""

from __future__ import annotations

import re
import threading
from functools import cached_property

from coordcheck.interrupt import thread_pool
from coordcheck.checks import servers as checks
from coordcheck.observe import failover, probe, remote, transport
from coordcheck.observe import tooz as tooz_probe
from coordcheck.observe.failover import Failover
from coordcheck.observe.remote import Remote, RemoteError
from coordcheck.url import BackendURL

RUNNER = "runner"
HERE = "from this machine"


class View:
    """Probes from one vantage point; ``host`` None is the runner."""

    def __init__(self, observer, host: str | None, remote: Remote | None, where: str,
                 run_python=None) -> None:
        self.observer = observer
        self.host = host
        self.remote = remote
        self.where = where
        self.run_python = run_python        # script -> Result where the probes run (None: here)
        self.fallback: str | None = None    # why probes run here after all
        self.failover: Failover | None = None
        self._sentinels: dict[probe.Address, probe.SentinelObservation] = {}
        self._nodes: dict[probe.Address, probe.NodeObservation] = {}
        self._discoveries: dict[str, probe.Discovery] = {}
        self._handshakes: dict[str, tooz_probe.Handshake] = {}
        self._lock = threading.RLock()

    @property
    def name(self) -> str:
        return self.host or RUNNER

    @property
    def note(self) -> str:
        """Where this view's probes ran, for the summary."""
        return f"{HERE} ({self.fallback})" if self.fallback else self.where

    def __repr__(self) -> str:
        return f"View({self.name}: {self.note})"

    def _remote_or_here(self, remote_call, local_call):
        """From the vantage; if it cannot run the probe (no python3, no
        redis-py there), from here for the rest of the run, and said so."""
        if self.remote is not None:
            try:
                return remote_call(self.remote)
            except RemoteError as exc:
                missing = re.search(r"No module named '?(\w+)", str(exc))
                why = f"no {missing.group(1)} module" if missing else str(exc)[:160]
                self.fallback = f"{self.where}: {why}, so probed here"
                self.remote = None
                self.run_python = None
        return local_call()

    def _sentinel(self, addr: probe.Address) -> probe.SentinelObservation:
        args = (addr, self.observer.master_name, self.observer.target.password, self.observer.timeout)
        return self._remote_or_here(lambda r: r.sentinel(*args), lambda: probe.observe_sentinel(*args))

    def _node(self, addr: probe.Address) -> probe.NodeObservation:
        args = (addr, self.observer.target.password, self.observer.timeout)
        return self._remote_or_here(lambda r: r.node(*args), lambda: probe.observe_node(*args))

    def probe_all(self) -> None:
        """Every sentinel and data node not probed yet, at once
        (`coordcheck.observe.probe.survey`, run from the vantage)."""
        target = self.observer.target
        with self._lock:
            sentinels = [a for a in target.sentinels if a not in self._sentinels]
            nodes = [a for a in target.data_nodes if a not in self._nodes]
            if not sentinels and not nodes:
                return
            args = (sentinels, nodes, self.observer.master_name, target.password, self.observer.timeout)
            seen_sentinels, seen_nodes = self._remote_or_here(lambda r: r.survey(*args), lambda: probe.survey(*args))
            self._sentinels.update(zip(sentinels, seen_sentinels))
            self._nodes.update(zip(nodes, seen_nodes))

    def sentinel(self, addr: probe.Address) -> probe.SentinelObservation:
        if addr not in self._sentinels:
            if addr in self.observer.target.sentinels:
                self.probe_all()
            else:
                self._sentinels[addr] = self._sentinel(addr)
        return self._sentinels[addr]

    def node(self, addr: probe.Address) -> probe.NodeObservation:
        if addr not in self._nodes:
            if addr in self.observer.target.data_nodes:
                self.probe_all()
            else:
                self._nodes[addr] = self._node(addr)
        return self._nodes[addr]

    def sentinels(self) -> list[probe.SentinelObservation]:
        return self._all_sentinels

    @cached_property
    def _all_sentinels(self) -> list[probe.SentinelObservation]:
        return [self.sentinel(a) for a in self.observer.target.sentinels]

    def fresh_sentinels(self, observe=None) -> list[probe.SentinelObservation]:
        """Every sentinel probed now, in parallel (``observe``: cached or not)."""
        addresses = self.observer.target.sentinels
        with thread_pool(len(addresses) or 1) as pool:
            return list(pool.map(observe or self._sentinel, addresses))

    def monitored_master(self, obs: probe.SentinelObservation) -> probe.NodeObservation | None:
        state = obs.master or {}
        return self.node(probe.Address(state["ip"], int(state["port"]))) if state.get("ip") else None

    @cached_property
    def sentinels_require_password(self) -> bool | None:
        return checks.sentinels_require_password(self.sentinels())

    def master_address(self) -> probe.Address | None:
        answers = [o.master_addr for o in self.sentinels() if o.master_addr]
        return max(set(answers), key=answers.count) if answers else None

    def master(self) -> probe.NodeObservation | None:
        return self._master

    @cached_property
    def _master(self) -> probe.NodeObservation | None:
        """The announced master, asked afresh; if it stopped answering, the
        one the sentinels failed over to, if any."""
        addr = self.master_address()
        if addr is None:
            return None
        node = self._node(addr)
        if node.login.reachable:
            return node
        self.failover = failover.follow(self.fresh_sentinels, addr, self.observer.failover_wait)
        if not self.failover.new:
            return node
        self.__dict__["_all_sentinels"] = self.failover.sentinels
        self._sentinels.clear()
        self._nodes.clear()
        return self.node(self.failover.new)

    def replicas(self) -> list[probe.NodeObservation]:
        master = self.master_address()
        return [self.node(a) for a in self.observer.target.data_nodes if a != master]

    def known_not_redis(self) -> dict[probe.Address, str]:
        seen = self.__dict__.get("_all_sentinels") or []
        return {o.address: o.login.not_redis for o in seen if o.login.not_redis}

    def discovery(self, url: BackendURL) -> probe.Discovery:
        """redis-py's discovery with ``url``, run from this vantage."""
        if url.raw not in self._discoveries:
            known, timeout = self.known_not_redis(), self.observer.timeout
            self._discoveries[url.raw] = self._remote_or_here(
                lambda r: r.discover(url, timeout, known), lambda: probe.discover(url, timeout, known))
        return self._discoveries[url.raw]

    def handshake(self, url: BackendURL) -> tooz_probe.Handshake:
        """The tooz handshake with ``url`` from this vantage (its tooz) —
        not run when discovery stops at a server that does not speak RESP."""
        if url.raw not in self._handshakes:
            stopped_at = self.discovery(url).stopped_at
            if stopped_at is not None:
                self._handshakes[url.raw] = tooz_probe.Handshake(
                    ok=False, stage="start", seconds=0.0,
                    error=f"not run: the redis-py discovery tooz uses stops at sentinel {stopped_at}, "
                          "which does not speak RESP")
            else:
                self._handshakes[url.raw] = self._handshake(url)
        return self._handshakes[url.raw]

    def _handshake(self, url: BackendURL) -> tooz_probe.Handshake:
        deadline, timeout = self.observer.tooz_deadline, self.observer.timeout
        if self.run_python is not None:
            found = tooz_probe.handshake_with(self.run_python, url, deadline, timeout)
            if not (found.error and "No module named" in found.error):
                return found
            self.fallback = f"tooz {self.where}: {found.error[:120]}; its handshake ran here"
        return self.observer.handshake_here(url)


def view_for(observer, host: str | None) -> View:
    """The vantage of ``host``: its first running service container, else
    the host itself over its SSH connection, else (a local connection)
    this machine. ``None``: the runner."""
    if host is None or observer.probe_from == "runner":
        return View(observer, host, None, HERE)
    deadline = max(3 * observer.timeout + 2, observer.tooz_deadline + tooz_probe.START_ALLOWANCE)
    if observer.target.service_containers:
        for c in observer.containers.running(host):
            engine = observer.containers.engine(host)
            run = (lambda script, name=c.name: engine.python(name, script, deadline))
            return View(observer, host, Remote(run, f"inside {c.name} on {host}"), f"inside {c.name} on {host}", run)
    testinfra_host = observer.host_for(host)
    try:
        backend, _ = transport.native(testinfra_host, "true")
    except Exception:  # noqa: BLE001 - an inventory testinfra cannot read: the host step says so
        return View(observer, host, None, HERE)
    if isinstance(backend, transport.SshBackend):
        run = remote.on_host(testinfra_host, deadline)
        return View(observer, host, Remote(run, f"on {host}"), f"on {host} (its python3)", run)
    return View(observer, host, None, f"{HERE} ({host} is a local connection)")
