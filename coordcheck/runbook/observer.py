"""Probe a target once and remember: every test of the checklist asks the
observer, so each sentinel, node, URL and host is probed once per run.

    observer = Observer(target, probe_timeout=2.0, tooz_deadline=5.0)
    observer.sentinel(target.sentinels[0]).login.requires_password   # -> True
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cached_property, lru_cache
from typing import Callable

from coordcheck import kolla
from coordcheck.checks import servers as checks
from coordcheck.checks import configs as config_checks
from coordcheck.observe import failover
from coordcheck.observe import probe
from coordcheck.kolla import service_config
from coordcheck.observe import service_configs
from coordcheck.observe import tooz as tooz_probe
from coordcheck.runbook.containers import ContainerObserver
from coordcheck.observe.failover import Failover
from coordcheck.kolla.fixes import Expected
from coordcheck.findings import Finding, Where, because
from coordcheck.kolla import KollaError
from coordcheck.observe.remote import Remote, RemoteError
from coordcheck.kolla.render import Renderer
from coordcheck.kolla.target import Target
from coordcheck.url import BackendURL


class Observer:
    """The run's single point of contact with the deployment (or, in the gate,
    with the config repository)."""

    def __init__(self, target: Target, probe_timeout: float, tooz_deadline: float,
                 host_for: Callable[[str], object], renderer: Renderer | None = None,
                 sentinel_auth: tuple[bool, str] | None = None, logs_since: str = "1h",
                 probe_from: str = "controller", failover_wait: float = 30.0) -> None:
        """With a ``renderer`` (the gate) configs are rendered from the config
        repository and ``sentinel_auth`` says whether sentinels need a password.
        ``probe_from="controller"``: sentinels and data nodes are probed from
        inside a running service container of the first controller that has
        one (its network, its redis-py); "runner": from this machine.
        ``failover_wait``: how long a run follows the sentinels' failover
        when the master stops answering during it."""
        self.target = target
        self.failover_wait = failover_wait
        self.failover: Failover | None = None
        self.vantage_failed: str | None = None
        self.probe_from = probe_from
        self.containers = ContainerObserver(self, target.container_engine, logs_since)
        self.renderer = renderer
        self.static_sentinel_auth = sentinel_auth
        self.timeout = probe_timeout
        self.tooz_deadline = tooz_deadline
        self.host_for = host_for       # inventory host name -> testinfra host
        self._sentinels: dict[probe.Address, probe.SentinelObservation] = {}
        self._nodes: dict[probe.Address, probe.NodeObservation] = {}
        self.configs = lru_cache(maxsize=None)(self._configs)
        self.unreachable = lru_cache(maxsize=None)(self._unreachable)
        self._discoveries: dict[str, probe.Discovery] = {}
        self._handshakes: dict[str, tooz_probe.Handshake] = {}
        self.config_errors: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Observer({self.target!r}, probes {self.vantage_note if 'vantage' in vars(self) else 'not run yet'})"

    @property
    def master_name(self) -> str:
        """The master the services ask for (their URLs' sentinel=), Kolla's by default."""
        names = {c.url.master_name for h in self.target.hosts for c in self.configs(h) if c.url}
        return names.pop() if len(names) == 1 else kolla.MASTER_NAME

    @cached_property
    def vantage(self) -> Remote | None:
        """Where the server probes run: inside the first running service
        container of the first controller that has one, or here (None)."""
        if self.probe_from != "controller" or self.renderer is not None or not self.target.service_containers:
            return None
        for host in self.target.hosts:
            for c in self.containers.running(host):
                engine = self.containers.engine(host)
                return Remote(lambda script, name=c.name: engine.python(name, script, 3 * self.timeout + 2),
                              f"inside {c.name} on {host}")
        return None

    @property
    def vantage_note(self) -> str:
        """Where the server probes ran, for the run's summary."""
        if self.vantage:
            return self.vantage.where
        return "from this machine" + (f" ({self.vantage_failed})" if self.vantage_failed else "")

    def _remote_or_here(self, remote_call, local_call):
        """Probe from the vantage; if it cannot run the probe (no python3,
        no redis-py in the container), from here for the rest of the run."""
        if self.vantage:
            try:
                return remote_call(self.vantage)
            except RemoteError as exc:
                self.vantage_failed = f"{exc}; probed from here instead"
                self.__dict__["vantage"] = None
        return local_call()

    def _sentinel(self, addr: probe.Address) -> probe.SentinelObservation:
        args = (addr, self.master_name, self.target.password, self.timeout)
        return self._remote_or_here(lambda remote: remote.sentinel(*args), lambda: probe.observe_sentinel(*args))

    def _node(self, addr: probe.Address) -> probe.NodeObservation:
        args = (addr, self.target.password, self.timeout)
        return self._remote_or_here(lambda remote: remote.node(*args), lambda: probe.observe_node(*args))

    def _probe_all(self) -> None:
        """Every sentinel and data node of the target not probed yet, all at
        once (in parallel): silent or trickling servers cost one probe
        bound, not one each."""
        self.vantage  # noqa: B018 - chosen once, here, not by each thread
        jobs = ([(self._sentinels, a, self._sentinel) for a in self.target.sentinels if a not in self._sentinels]
                + [(self._nodes, a, self._node) for a in self.target.data_nodes if a not in self._nodes])
        with ThreadPoolExecutor(max_workers=len(jobs) or 1) as pool:
            seen = list(pool.map(lambda job: job[2](job[1]), jobs))
        for (cache, addr, _), obs in zip(jobs, seen):
            cache[addr] = obs

    def sentinel(self, addr: probe.Address) -> probe.SentinelObservation:
        """A sentinel, probed once (with every other server of the target)."""
        if addr not in self._sentinels:
            if addr in self.target.sentinels:
                self._probe_all()
            else:
                self._sentinels[addr] = self._sentinel(addr)
        return self._sentinels[addr]

    def node(self, addr: probe.Address) -> probe.NodeObservation:
        """A data node, probed once (with every other server of the target)."""
        if addr not in self._nodes:
            if addr in self.target.data_nodes:
                self._probe_all()
            else:
                self._nodes[addr] = self._node(addr)
        return self._nodes[addr]

    def _unreachable(self, host_name: str) -> Finding | None:
        """HOST_UNREACHABLE when testinfra cannot run a command on the host
        (its address does not resolve, SSH fails); None when it can."""
        if self.renderer is not None:
            return None  # the gate contacts no host
        try:
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

    def _configs(self, host_name: str) -> tuple[service_config.ServiceConfig, ...]:
        """The host's service configs; () when they cannot be read (the reason
        is kept in ``config_errors`` and reported by CONFIG_MISSING)."""
        directory = self.target.inventory.node_config_directory(host_name)
        try:
            if self.renderer is not None:
                return tuple(self.renderer.configs(host_name))
            return tuple(service_configs.discover(self.host_for(host_name), host_name, directory))
        except KollaError as exc:
            self.config_errors[host_name] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a host testinfra cannot reach
            self.config_errors[host_name] = f"host {host_name} cannot be reached: {' '.join(str(exc).split())[:300]}"
        return ()

    def sentinels(self) -> list[probe.SentinelObservation]:
        return self._all_sentinels

    @cached_property
    def _all_sentinels(self) -> list[probe.SentinelObservation]:
        """Every sentinel, probed at once (the first time only, with the
        data nodes): silent sentinels cost one timeout, not three."""
        return [self.sentinel(a) for a in self.target.sentinels]

    def fresh_sentinels(self, observe=None) -> list[probe.SentinelObservation]:
        """Every sentinel probed now, in parallel (``observe``: cached or not)."""
        with ThreadPoolExecutor(max_workers=len(self.target.sentinels) or 1) as pool:
            return list(pool.map(observe or self._sentinel, self.target.sentinels))

    def monitored_master(self, obs: probe.SentinelObservation) -> probe.NodeObservation | None:
        """The data node a sentinel monitors, as seen from here."""
        state = obs.master or {}
        return self.node(probe.Address(state["ip"], int(state["port"]))) if state.get("ip") else None

    @cached_property
    def sentinels_require_password(self) -> bool | None:
        if self.renderer is not None:
            return self.static_sentinel_auth[0]
        return checks.sentinels_require_password(self.sentinels())

    def master_address(self) -> probe.Address | None:
        """The address most sentinels announce."""
        answers = [o.master_addr for o in self.sentinels() if o.master_addr]
        return max(set(answers), key=answers.count) if answers else None

    def master(self) -> probe.NodeObservation | None:
        return self._master

    @cached_property
    def _master(self) -> probe.NodeObservation | None:
        """The announced master, asked afresh when the master step starts; if
        it stopped answering during the run, the one the sentinels failed
        over to (`coordcheck.observe.failover`), if any."""
        addr = self.master_address()
        if addr is None:
            return None
        node = self._node(addr)
        if node.login.reachable:
            return node
        self.failover = failover.follow(self.fresh_sentinels, addr, self.failover_wait)
        if not self.failover.new:
            return node
        self.__dict__["_all_sentinels"] = self.failover.sentinels  # what every later check sees
        self._sentinels.clear()
        self._nodes.clear()
        return self.node(self.failover.new)

    def replicas(self) -> list[probe.NodeObservation]:
        master = self.master_address()
        return [self.node(a) for a in self.target.data_nodes if a != master]

    def all_configs(self) -> list[service_config.ServiceConfig]:
        return [c for h in self.target.hosts for c in self.configs(h)]

    def known_not_redis(self) -> dict[probe.Address, str]:
        """The sentinels this run already saw answer in another protocol
        than RESP (address -> what they sent): not asked again."""
        seen = self.__dict__.get("_all_sentinels") or []
        return {o.address: o.login.not_redis for o in seen if o.login.not_redis}

    def discovery(self, url: BackendURL) -> probe.Discovery:
        if url.raw not in self._discoveries:
            self._discoveries[url.raw] = probe.discover(url, self.timeout, self.known_not_redis())
        return self._discoveries[url.raw]

    def handshake(self, url: BackendURL) -> tooz_probe.Handshake:
        """The tooz handshake with ``url`` — not run when its discovery stops
        at a server that does not speak RESP: tooz runs that same redis-py
        discovery, and would fail there (or hang until the deadline)."""
        if url.raw not in self._handshakes:
            stopped_at = self.discovery(url).stopped_at
            if stopped_at is not None:
                self._handshakes[url.raw] = tooz_probe.Handshake(
                    ok=False, stage="start", seconds=0.0,
                    error=f"not run: the redis-py discovery tooz uses stops at sentinel {stopped_at}, "
                          "which does not speak RESP")
            else:
                self._handshakes[url.raw] = tooz_probe.handshake(url, self.tooz_deadline, self.timeout)
        return self._handshakes[url.raw]

    def client_findings(self, host_name: str, with_handshake: bool) -> list[Finding]:
        """Discovery (and optionally the tooz handshake) for every distinct URL
        on a host; a host with no usable URL is a finding too, never a pass."""
        configs = list(self.configs(host_name))
        found: list[Finding] = config_checks.urls_parse(configs, self.expected) + config_checks.configs_present(
            host_name, configs, self.target.inventory.node_config_directory(host_name),
            self.config_errors.get(host_name))
        for group in config_checks.by_url(configs).values():
            url = group[0].url
            cause = self._discovery_findings(group, self.discovery(url))
            found += config_checks.handshake_findings(group, self.handshake(url), cause) if with_handshake else cause
        return found

    def _discovery_findings(self, group: list[service_config.ServiceConfig], found: probe.Discovery) -> list[Finding]:
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
        sentinel_auth = self.static_sentinel_auth or (self.sentinels_require_password,)
        if sentinel_auth[0] is None:  # none answered: say why, with each sentinel's own finding
            causes = checks.sentinels_answered(self.sentinels(), self.target.flavor.password_key)
            sentinel_auth = (None, "no sentinel answered" + because(causes))
        return Expected(self.target.flavor, self.target.password, hosts, *sentinel_auth)
