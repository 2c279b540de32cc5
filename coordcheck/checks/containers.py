"""Checks of the service containers on a controller: each runs, holds the
host's config, logged no coordination error lately, and its own tooz can
use its URL. Observations in, findings out.

    log_errors(container, [LogLine(when, "ToozConnectionError: No master found", "docker logs")], "1h", [], [])
    # -> [Finding('SERVICE_LOG_ERRORS', ...)]
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from dataclasses import dataclass

from coordcheck import url as urls
from coordcheck.consumers import Consumer
from coordcheck.observe.engine import Container, config_in_container
from coordcheck.observe.service_logs import LogLine
from coordcheck.findings import FAIL, Finding, Where, because
from coordcheck.secrets import Secret, redact
from coordcheck.kolla.config_file import ServiceConfig
from coordcheck.observe.tooz import Handshake

#: tooz reads sentinel_password (and sentinel_username) from 6.1.0 on
TOOZ_SENTINEL_AUTH = (6, 1, 0)
#: the exception lines of a coordination failure (not the traceback's frames)
COORDINATION_ERROR = re.compile(r"\b(?:ToozConnectionError|ToozError|MasterNotFoundError): |No master found")
QUOTE_LIMIT = 400
#: tooz appends the redis-py client's repr (pools, options: noise) to its message
CLIENT_REPR = re.compile(r"\s*:\s*<redis\.client\.\w+\(.*$")


@dataclass(eq=False)
class ServiceContainer:
    """A coordination service's container on a host, and its two configs
    (compared and hashed by identity: the observer makes each once)."""

    host: str
    config: ServiceConfig               # the host's copy, under node_config_directory
    name: str                           # Kolla's container name
    state: Container | None             # None: no such container on the host
    inside: ServiceConfig | None = None  # the config the container holds (None: unreadable)

    @property
    def running(self) -> bool:
        return self.state is not None and self.state.running

    @property
    def path_inside(self) -> str:
        return config_in_container(self.config.project, posixpath.basename(self.config.path))

    @property
    def host_path(self) -> str:
        return self.config.path

    @property
    def project(self) -> str:
        return self.config.project

    @property
    def where(self) -> Where:
        return Where(host=self.host, container=self.name, service=self.config.service, file=self.path_inside)


@dataclass(eq=False)
class ConsumerContainer:
    """The container of a service of a consumer with a client of its own
    (gnocchi, octavia's jobboard, horizon) on a host (compared and hashed by
    identity: the observer makes each once)."""

    host: str
    service: str
    consumer: Consumer
    path: str                           # the host's copy, under node_config_directory
    name: str
    state: Container | None

    @property
    def running(self) -> bool:
        return self.state is not None and self.state.running

    @property
    def path_inside(self) -> str:
        return self.consumer.path_inside

    @property
    def host_path(self) -> str:
        return self.path

    @property
    def project(self) -> str:
        return self.consumer.project

    @property
    def where(self) -> Where:
        return Where(host=self.host, container=self.name, service=self.service, file=self.path_inside)


def consumer_findings(c: ConsumerContainer, result: Handshake, sentinels_need_password: bool | None) -> list[Finding]:
    """The consumer's own client failed inside its container: the cause when
    its config sends the sentinels no password they need, else CONSUMER_CLIENT_FAILED."""
    if result.ok:
        return []
    libraries = ", ".join(f"{k} {v}" for k, v in (result.libraries or {}).items())
    evidence = (f"inside {c.name}, {c.project}'s own client ({libraries}, redis-py {result.redis}) with "
                f"{c.path_inside} failed at {result.stage}: {(result.error or '')[:300]}")
    if sentinels_need_password and result.sentinel_password is False:
        return [Finding(c.consumer.missing_auth, c.where,
                        evidence=f"the sentinels require a password and {c.consumer.lacks}; {evidence}")]
    return [Finding("CONSUMER_CLIENT_FAILED", c.where, evidence=evidence)]


def version_tuple(version: str | None) -> tuple[int, ...]:
    """``"3.1.0"`` -> (3, 1, 0); digits up to the first non-digit of each part."""
    parts = []
    for part in (version or "").split("."):
        digits = re.match(r"\d+", part)
        if not digits:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def engine_usable(host: str, error: str | None) -> list[Finding]:
    return [Finding("CONTAINER_ENGINE_UNUSABLE", Where(host=host), evidence=error)] if error else []


def running(containers: list[ServiceContainer | ConsumerContainer], engine: str) -> list[Finding]:
    found = []
    for c in containers:
        if c.running:
            continue
        evidence = (f"no container named {c.name} on {c.host}, though {c.host_path} is there" if c.state is None
                    else f"{engine} ps: {c.name} is {c.state.state} (image {c.state.image})")
        found.append(Finding("CONTAINER_NOT_RUNNING", c.where, evidence=evidence,
                             fix=f"{engine} logs {c.name}; {engine} start {c.name} "
                                 f"(or kolla-ansible deploy --tags {c.project})"))
    return found


def config_matches_host(c: ServiceContainer, engine: str) -> list[Finding]:
    """The URL the container holds is the host's (running containers only)."""
    if not c.running:
        return []
    fix = f"{engine} restart {c.name} (or kolla-ansible reconfigure --tags {c.config.project})"
    if c.inside is None:
        return [Finding("CONTAINER_CONFIG_STALE", c.where, fix=fix,
                        evidence=f"{c.path_inside} cannot be read inside {c.name}")]
    ours, theirs = (c.inside.url.raw if c.inside.url else c.inside.error), (c.config.url.raw if c.config.url else c.config.error)
    if ours == theirs:
        return []
    return [Finding("CONTAINER_CONFIG_STALE", c.where, fix=fix, evidence=(
        f"inside: {urls.mask(ours or '(no backend_url)')}; host copy {c.config.path}: {urls.mask(theirs or '(no backend_url)')}"))]


def log_errors(c: ServiceContainer, log: list[LogLine], since: str, secrets: list[Secret | None],
               causes: list[Finding]) -> list[Finding]:
    """SERVICE_LOG_ERRORS quoting the newest matching line (masked), after
    its file and time (a failed test's short text shows them first)."""
    lines = sorted((line for line in log if COORDINATION_ERROR.search(line.text)), key=lambda line: line.when)
    if not lines:
        return []
    newest = lines[-1]
    text = CLIENT_REPR.sub(" : <redis-py client>", " ".join(newest.text.split()))
    quoted = urls.mask(redact(text, secrets))[:QUOTE_LIMIT]
    return [Finding("SERVICE_LOG_ERRORS", c.where,
                    evidence=f"{newest.source} at {newest.when.isoformat(timespec='seconds')}: {quoted} "
                             f"(the newest of {len(lines)} error line(s) in the last {since} since the container "
                             f"started){because(causes)}",
                    fix=f"{causes[0].advice}; then restart {c.name}" if causes else None)]


def traps_hit(c: ServiceContainer, result: Handshake, causes: list[Finding]) -> list[Finding]:
    """A risk the container's own client fails on is a failure there:
    SENTINEL_AUTH_UNEXPECTED is a warning while redis-py 8 tolerates it, and
    redis-py 5-7 (Kolla 2024.2-2026.1) fail on it."""
    if result.ok:
        return []
    return [dataclasses.replace(f, where=c.where, severity=FAIL, evidence=(
        f"{f.evidence}; inside {c.name}, tooz {result.tooz} and redis-py {result.redis} fail on it: "
        f"{(result.error or '')[:200]}")) for f in causes if f.id == "SENTINEL_AUTH_UNEXPECTED"]


def client_too_old(c: ServiceContainer, result: Handshake, sentinels_need_password: bool | None) -> list[Finding]:
    """tooz < 6.1.0 inside the container while the sentinels need a password."""
    tooz = version_tuple(result.tooz)
    if not sentinels_need_password or not tooz or tooz >= TOOZ_SENTINEL_AUTH:
        return []
    return [Finding("CLIENT_TOO_OLD", c.where, evidence=(
        f"inside {c.name}: tooz {result.tooz}, redis-py {result.redis}, Python {result.python}; "
        "the sentinels answer NOAUTH without a password"))]
