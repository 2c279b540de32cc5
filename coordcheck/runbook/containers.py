"""The service containers of each controller, observed once per run through
the host's container engine: which run where the inventory places them,
the config each holds, what each logged, and the tooz handshake run inside
each with its own Python, tooz and redis-py.

    containers = ContainerObserver(observer, engine="docker", logs_since="1h")
    containers.client_findings("ctl2")   # -> [Finding('CLIENT_TOO_OLD', ...), ...]
"""

from __future__ import annotations

import logging
from functools import lru_cache

from coordcheck.checks import configs as config_checks
from coordcheck.checks import containers as checks
from coordcheck.checks import locks as lock_checks
from coordcheck.observe import locks as lock_probe
from coordcheck.observe import tooz as tooz_probe
from coordcheck.checks.containers import ConsumerContainer, ServiceContainer
from coordcheck.kolla import KollaError
from coordcheck.observe.engine import Engine, EngineError, container_name
from coordcheck.observe.host_configs import discover_consumers
from coordcheck.findings import Finding
from coordcheck.kolla.config_file import read_in_container


LOG = logging.getLogger(__name__)


class ContainerObserver:
    def __init__(self, observer, engine: str, logs_since: str) -> None:
        self.observer = observer
        self.engine_command = engine
        self.logs_since = logs_since
        self.errors: dict[str, str] = {}      # host -> why its engine cannot be used
        self.engine = lru_cache(maxsize=None)(lambda host: Engine(observer.host_for(host), engine))
        self.on = lru_cache(maxsize=None)(self._on)
        self.handshake = lru_cache(maxsize=None)(self._handshake)
        self.consumers = lru_cache(maxsize=None)(self._consumers)
        self.consumer_client = lru_cache(maxsize=None)(self._consumer_client)
        self.exclusion = lru_cache(maxsize=None)(self._exclusion)

    def placed(self, host: str) -> list:
        """The host's coordination service configs whose service the
        inventory places here (a service without a group of its name counts)."""
        inventory = self.observer.target.inventory
        groups = inventory.groups
        return [c for c in self.observer.configs(host) if c.service not in groups or inventory.in_group(host, c.service)]

    def _on(self, host: str) -> tuple[ServiceContainer, ...]:
        """The service containers the host should run, with what they hold."""
        placed = self.placed(host)
        if not placed:
            return ()
        try:
            engine = self.engine(host)
            present = engine.containers()
        except EngineError as exc:
            self.errors[host] = str(exc)
            return ()
        found = []
        for config in placed:
            name = container_name(config.service)
            c = ServiceContainer(host, config, name, present.get(name))
            if c.running:
                text = engine.read(name, c.path_inside)
                c.inside = None if text is None else read_in_container(config, name, c.path_inside, text)
            found.append(c)
        return tuple(found)

    def _consumers(self, host: str) -> tuple[ConsumerContainer, ...]:
        """The host's containers of consumers with a client of their own
        (coordcheck/consumers.py) that reach Redis/Valkey (their configs
        under node_config_directory say so), placed here."""
        inventory = self.observer.target.inventory
        try:
            found = discover_consumers(self.observer.host_for(host), host, inventory.node_config_directory(host))
            placed = [f for f in found if f[0] not in inventory.groups or inventory.in_group(host, f[0])]
            present = self.engine(host).containers() if placed else {}
        except (KollaError, EngineError) as exc:
            self.errors.setdefault(host, str(exc))
            return ()
        return tuple(ConsumerContainer(host, service, consumer, path, container_name(service),
                                       present.get(container_name(service))) for service, consumer, path in placed)

    def _consumer_client(self, c: ConsumerContainer) -> tooz_probe.Handshake:
        return tooz_probe.handshake_in(self.engine(c.host), c.name, c.path_inside, self.observer.tooz_deadline,
                                       self.observer.timeout, [self.observer.target.password], c.consumer)

    def running(self, host: str) -> list[ServiceContainer]:
        return [c for c in self.on(host) if c.running]

    def secrets(self, c: ServiceContainer) -> list:
        """Every password the container's output may hold."""
        urls = [x.url for x in (c.config, c.inside) if x is not None and x.url is not None]
        return [self.observer.target.password] + [s for u in urls for s in (u.password, u.sentinel_password)]

    def _handshake(self, c: ServiceContainer) -> tooz_probe.Handshake:
        return tooz_probe.handshake_in(self.engine(c.host), c.name, c.path_inside, self.observer.tooz_deadline,
                                       self.observer.timeout, self.secrets(c))

    def causes(self, c: ServiceContainer) -> list[Finding]:
        """Why the container's coordination fails: its tooz, or its URL as the
        sentinels answer it from the container's host (once per URL); for a
        container that is not running, the host copy's URL."""
        view = self.observer.at(c.host)
        too_old = checks.client_too_old(c, self.handshake(c), view.sentinels_require_password) if c.running else []
        config = c.inside if c.running else c.config
        if too_old or config is None or config.url is None:
            return too_old
        return config_checks.discovery_findings([config], view.discovery(config.url), self.observer.expected)

    # -- findings, one method per checklist test ---------------------------------
    def running_findings(self, host: str) -> list[Finding]:
        containers = [*self.on(host), *self.consumers(host)]
        return checks.engine_usable(host, self.errors.get(host)) + checks.running(containers, self.engine_command)

    def config_findings(self, host: str) -> list[Finding]:
        found = checks.engine_usable(host, self.errors.get(host))
        for c in self.running(host):
            found += checks.config_matches_host(c, self.engine_command)
        return found

    def log_findings(self, host: str) -> list[Finding]:
        found = checks.engine_usable(host, self.errors.get(host))
        for c in (c for c in self.on(host) if c.state is not None):  # a stopped one's logs say why, often
            try:
                log = self.engine(host).logs(c.name, c.config.project, c.config.service, self.logs_since, c.running)
            except EngineError as exc:
                found += checks.engine_usable(host, str(exc))
                continue
            found += checks.log_errors(c, log, self.logs_since, self.secrets(c), self.causes(c))
        return found

    def client_findings(self, host: str) -> list[Finding]:
        found = checks.engine_usable(host, self.errors.get(host))
        for c in self.running(host):
            causes = self.causes(c)
            result = self.handshake(c)
            found += [f for f in causes if f.id == "CLIENT_TOO_OLD"] + checks.traps_hit(c, result, causes)
            found += config_checks.handshake_findings([c.inside or c.config], result, causes)
        return found

    def consumer_findings(self, host: str) -> list[Finding]:
        """Each consumer container's own client, run inside it."""
        found = checks.engine_usable(host, self.errors.get(host))
        need = self.observer.at(host).sentinels_require_password
        for c in self.consumers(host):
            if c.running:
                found += checks.consumer_findings(c, self.consumer_client(c), need)
        return found

    # -- locks across hosts: do the service containers' tooz exclude each other? ----
    def lock_clients(self) -> list[list[lock_probe.Client]]:
        """The running service containers of every host whose tooz handshake
        works, grouped by backend (the sentinels and master name of their
        URL), each group with the runner's own client for that URL."""
        backends: dict[tuple, list[lock_probe.Client]] = {}
        for host in self.observer.target.hosts:
            for c in self.running(host):
                url, result = (c.inside or c.config).url, self.handshake(c)
                if url is None or not result.ok:
                    continue
                engine = self.engine(host)
                run = (lambda name: lambda script, deadline: engine.python(name, script, deadline
                                                                           + tooz_probe.START_ALLOWANCE))(c.name)
                client = lock_probe.Client(f"{host} {c.name}", host, c.name, result.tooz, result.redis, run,
                                           {"config": c.path_inside})
                key = (tuple(sorted(url.sentinels)), url.master_name, url.options.get("db"))
                backends.setdefault(key, [lock_probe.runner_client(url)]).append(client)
        return [[*group[1:], group[0]] for group in backends.values()]   # the runner last: services' pairs first

    def _exclusion(self) -> tuple[lock_probe.Exclusion, ...]:
        deadline, timeout = self.observer.tooz_deadline, self.observer.timeout
        return tuple(lock_probe.exclusion(group, deadline, timeout) for group in self.lock_clients() if len(group) > 1)

    def lock_findings(self) -> list[Finding]:
        """A probe lock held by one client class, tried by every other
        (LOCKS_NOT_EXCLUSIVE for each that took it)."""
        for seen in self.exclusion():
            for line in lock_checks.runner_pairs(seen) + seen.errors:
                LOG.info("lock probe %s: %s", seen.lock, line)
        return [f for seen in self.exclusion() for f in lock_checks.exclusion_findings(seen)]
