"""Observe a target once and remember: every test of the checklist asks the
observer; each host's configs and containers are read once, and each host
probes the sentinels, data nodes and URLs from where it stands
(`coordcheck.runbook.vantage`), hosts at once (`prefetch`).

    observer = Observer(target, probe_timeout=2.0, tooz_deadline=5.0, host_for=...)
    observer.at("ctl1").sentinel(target.sentinels[0]).login.requires_password   # -> True
"""

from __future__ import annotations

import threading
import time
from functools import cached_property, lru_cache
from typing import Callable

from coordcheck.interrupt import thread_pool
from coordcheck import kolla
from coordcheck.checks import configs as config_checks
from coordcheck.checks import servers as checks
from coordcheck.findings import Finding, Where, because
from coordcheck.kolla import KollaError, config_file
from coordcheck.kolla.fixes import Expected
from coordcheck.kolla.target import Target
from coordcheck.observe import ports, probe, host_configs, transport
from coordcheck.observe import tooz as tooz_probe
from coordcheck.observe.failover import Failover
from coordcheck.runbook.containers import ContainerObserver
from coordcheck.runbook.vantage import View, view_for


class Observer:
    """The run's single point of contact with the deployment (or, in the gate,
    with the config repository)."""

    def __init__(self, target: Target, probe_timeout: float, tooz_deadline: float,
                 host_for: Callable[[str], object], logs_since: str = "1h",
                 probe_from: str = "controller", failover_wait: float = 30.0) -> None:
        """``probe_from="controller"``: sentinels, data nodes and URLs are
        probed from each host (`coordcheck.runbook.vantage`); "runner": every
        host's probes run from this machine.
        ``failover_wait``: how long a run follows the sentinels' failover
        when the master stops answering during it."""
        self.target = target
        self.failover_wait = failover_wait
        self.probe_from = probe_from
        self.containers = ContainerObserver(self, target.container_engine, logs_since)
        self.timeout = probe_timeout
        self.tooz_deadline = tooz_deadline
        self.host_for = host_for       # inventory host name -> testinfra host
        self.configs = lru_cache(maxsize=None)(self._configs)
        self.unreachable = lru_cache(maxsize=None)(self._unreachable)
        self._views: dict[str | None, View] = {}
        self._reachable: dict[str, dict] = {}
        self._handshakes_here: dict[str, tooz_probe.Handshake] = {}
        self._url_locks: dict[str, threading.Lock] = {}
        self._lock = threading.RLock()
        self.config_errors: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Observer({self.target!r}, views {self.views})"

    @property
    def master_name(self) -> str:
        """The master the services ask for (their URLs' sentinel=), Kolla's by default."""
        names = {c.url.master_name for h in self.target.hosts for c in self.configs(h) if c.url}
        return names.pop() if len(names) == 1 else kolla.MASTER_NAME

    def at(self, host: str | None) -> View:
        """The view from ``host`` (None: the runner), made once."""
        with self._lock:
            if host not in self._views:
                self._views[host] = view_for(self, host)
            return self._views[host]

    def handshake_here(self, url) -> tooz_probe.Handshake:
        """The tooz handshake with ``url`` from this machine, once per URL:
        every view that probes from here (the runner's, a host's that cannot
        run it itself) is the same vantage, with the same tooz."""
        with self._lock:
            url_lock = self._url_locks.setdefault(url.raw, threading.Lock())
        with url_lock:
            if url.raw not in self._handshakes_here:
                self._handshakes_here[url.raw] = tooz_probe.handshake(url, self.tooz_deadline, self.timeout)
            return self._handshakes_here[url.raw]

    def known_view(self, host: str | None) -> View | None:
        """The view from ``host`` if one was made (no probe is started)."""
        return self._views.get(host)

    @property
    def views(self) -> list[View]:
        return list(self._views.values())

    @property
    def default(self) -> View:
        """The view the run's reference answers come from: the first host's."""
        return self.at(self.target.hosts[0] if self.target.hosts else None)

    def prefetch(self, forks: int, done=None) -> None:
        """Observe every host at once, at most ``forks`` at a time: its
        configs and containers first, then its probes, discoveries and
        handshakes. ``done(host, seconds)`` is called as each host completes."""
        hosts = list(self.target.hosts)
        if not hosts:
            return
        with thread_pool(max(1, min(forks, len(hosts)))) as pool:
            list(pool.map(self._read_host, hosts))
            self.master_name  # noqa: B018 - every host's configs are read: decided once
            with thread_pool(1) as aside:
                runner = aside.submit(self._probe_runner)   # the runner's own vantage, meanwhile
                for host, seconds in pool.map(self._probe_host, hosts):
                    if done is not None:
                        done(host, seconds)
                runner.result()

    def _read_host(self, host: str) -> None:
        """What testinfra reads on the host: ports reached (before any CPU-heavy
        handshake runs: a loaded host answers late), configs, containers."""
        if self.unreachable(host) is None:
            self.reachable(host, [*self.target.sentinels, *self.target.data_nodes])
            self.configs(host)
            if self.target.service_containers:
                self.containers.on(host)
                self.containers.consumers(host)

    def reachable(self, host: str, addresses) -> dict:
        """address -> whether TCP reaches it from ``host`` (asked on the host,
        every address at once: `coordcheck.observe.ports`), each once."""
        with self._lock:
            cache = self._reachable.setdefault(host, {})
        missing = [a for a in addresses if a not in cache]
        if missing:
            cache.update(ports.reachable(self.host_for(host), missing, self.timeout))
        return {a: cache[a] for a in addresses}

    def _probe_host(self, host: str) -> tuple[str, float]:
        started = time.monotonic()
        if self.unreachable(host) is None:
            view = self.at(host)
            view.probe_all()
            view.sentinels()
            for group in config_checks.by_url(list(self.configs(host))).values():
                view.handshake(group[0].url)
            if self.target.service_containers:
                for c in self.containers.running(host):
                    self.containers.handshake(c)
                for c in self.containers.consumers(host):
                    if c.running:
                        self.containers.consumer_client(c)
        return host, time.monotonic() - started

    def _probe_runner(self) -> None:
        view = self.at(None)
        for group in config_checks.by_url(self.all_configs()).values():
            view.handshake(group[0].url)

    # -- the runner-wide answers, as the first host sees them ---------------------
    def sentinels(self) -> list[probe.SentinelObservation]:
        return self.default.sentinels()

    @property
    def failover(self) -> Failover | None:
        return next((v.failover for v in self.views if v.failover is not None), None)

    @property
    def sentinels_require_password(self) -> bool | None:
        return self.default.sentinels_require_password

    def _unreachable(self, host_name: str) -> Finding | None:
        """HOST_UNREACHABLE when testinfra cannot run a command on the host
        (its address does not resolve, SSH fails); None when it can."""
        try:
            transport.open_master(self.host_for(host_name))   # one SSH handshake for the host
            done = self.host_for(host_name).run("true")
            error = None if done.rc == 0 else (done.stderr or done.stdout or f"exit {done.rc}")
        except Exception as exc:  # noqa: BLE001 - testinfra raises what its backend raised
            result = exc.args[0] if exc.args else None  # testinfra: RuntimeError(CommandResult)
            error = getattr(result, "stderr", None) or f"{exc.__class__.__name__}: {exc}"
        if error is None:
            return None
        variables = self.target.inventory.host_vars(host_name)
        address = str(variables.get("ansible_host") or host_name)
        return Finding("HOST_UNREACHABLE", Where(host=host_name, address=address),
                       evidence=f"running a command on {host_name} ({address}) failed: {' '.join(error.split())[:300]}")

    def _configs(self, host_name: str) -> tuple[config_file.ServiceConfig, ...]:
        """The host's service configs; () when they cannot be read (the reason
        is kept in ``config_errors`` and reported by CONFIG_MISSING)."""
        directory = self.target.inventory.node_config_directory(host_name)
        try:
            return tuple(host_configs.discover(self.host_for(host_name), host_name, directory))
        except KollaError as exc:
            self.config_errors[host_name] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a host testinfra cannot reach
            self.config_errors[host_name] = f"host {host_name} cannot be reached: {' '.join(str(exc).split())[:300]}"
        return ()

    def all_configs(self) -> list[config_file.ServiceConfig]:
        return [c for h in self.target.hosts for c in self.configs(h)]

    def client_findings(self, host_name: str | None, with_handshake: bool) -> list[Finding]:
        """Discovery (and optionally the tooz handshake) for every distinct URL
        of a host, run from that host; ``None``: every URL, from the runner.
        A host with no usable URL is a finding too, never a pass."""
        view = self.at(host_name)
        if host_name is None:
            configs = self.all_configs()
            found = config_checks.urls_parse(configs, self.expected)
            for group in config_checks.by_url(configs).values():
                cause = self._discovery_findings(group, view.discovery(group[0].url))
                found += config_checks.handshake_findings(group, view.handshake(group[0].url), cause) \
                    if with_handshake else cause
            return found
        configs = list(self.configs(host_name))
        found: list[Finding] = config_checks.urls_parse(configs, self.expected) + config_checks.configs_present(
            host_name, configs, self.target.inventory.node_config_directory(host_name),
            self.config_errors.get(host_name))
        for group in config_checks.by_url(configs).values():
            url = group[0].url
            cause = self._discovery_findings(group, view.discovery(url))
            found += config_checks.handshake_findings(group, view.handshake(url), cause) if with_handshake else cause
        return found

    def _discovery_findings(self, group: list[config_file.ServiceConfig], found: probe.Discovery) -> list[Finding]:
        """Why discovery with the group's URL fails: servers on its way that do
        not speak RESP (NOT_A_REDIS_SERVER, each once), then the other causes,
        from the answers of the servers that do."""
        junk = checks.discovery_not_redis(found, lambda address: config_checks.where_all(group, address=address))
        rest = config_checks.discovery_findings(group, found.without_not_redis() if junk else found, self.expected)
        return junk + [f for f in rest if not (junk and f.id == "DISCOVERY_FAILED")]

    @cached_property
    def expected(self) -> Expected:
        """The URL Kolla would render here: the reference of every URL fix."""
        hosts = tuple(self.target.inventory.address(h) for h in self.target.backend_hosts)
        sentinel_auth = (self.sentinels_require_password,)
        if sentinel_auth[0] is None:  # none answered: say why, with each sentinel's own finding
            causes = checks.sentinels_answered(self.sentinels(), self.target.flavor.password_key)
            sentinel_auth = (None, "no sentinel answered" + because(causes))
        return Expected(self.target.flavor, self.target.password, hosts, *sentinel_auth)
