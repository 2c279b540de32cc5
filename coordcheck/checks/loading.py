"""Every coordination value a consumer reads, judged first by that consumer's
own loader, whatever its scheme or case: tooz's driver lookup (the
``tooz.backends`` entry points, scheme lowercased as tooz's urlsplit does) for
``[coordination] backend_url`` and gnocchi's ``coordination_url``; gnocchi's
``[incoming] redis_url`` rules (it reads host, port and query, never the
scheme). Only what loads as a Redis (Sentinel) URL goes on to the Sentinel
checks; the rest is a finding of its own:

    URL_BLANK             the option is set but empty
    URL_NOT_LOADABLE      the consumer's loader refuses it (tooz's own error)
    BACKEND_NOT_SENTINEL  tooz loads another driver (memcached, etcd3, file ...): named, judged for what it is

    verdict = judge("cinder", "coordination", "backend_url", "REDIS://h:26379?sentinel=kolla")
    verdict.kind    # -> 'sentinel'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points

from oslo_utils import netutils
from tooz import coordination

from coordcheck import consumers
from coordcheck import url as urls

#: (section, option) -> the loader that reads it
TOOZ = {("coordination", "backend_url"), ("DEFAULT", "coordination_url")}
GNOCCHI_INCOMING = ("incoming", "redis_url")
OSPROFILER = ("profiler", "connection_string")
URL_OPTIONS = consumers.URL_OPTIONS  # the records' URL-valued options: each has its loader here
#: what a tooz driver other than redis is, for the evidence
OTHER_BACKENDS = {
    "file": "file locks on one host only: the service's other hosts take no lock in common",
    "ipc": "System V IPC on one host only: the service's other hosts take no lock in common",
    "memcached": "memcached (no persistence; locks vanish when a memcached restarts)",
    "etcd3+http": "etcd3 through its gRPC gateway", "etcd3+https": "etcd3 through its gRPC gateway (TLS)",
    "zookeeper": "ZooKeeper (kazoo)", "kazoo": "ZooKeeper (kazoo)", "mysql": "MySQL advisory locks",
    "postgresql": "PostgreSQL advisory locks", "kubernetes": "Kubernetes leases",
}


@dataclass(frozen=True)
class Verdict:
    kind: str            # sentinel | blank | not_loadable | other_backend | bypass | skipped
    loader: str          # who judged it: "tooz 9.1.0", "gnocchi's get_client"
    error: str = ""      # the loader's own error (not_loadable), or what the backend is (other_backend)
    value: str = ""      # the value to give the Sentinel checks (sentinel); the server it talks to (bypass)
    options: tuple[str, ...] = ()  # the options at fault, where a consumer reads several (jobboard, cache)


@lru_cache(maxsize=1)
def tooz_drivers() -> dict[str, str]:
    """tooz's registry: scheme -> driver (``tooz.drivers.redis:RedisDriver``)."""
    return {e.name: e.value for e in entry_points(group=coordination.TOOZ_BACKENDS_NAMESPACE)}


def scheme_of(value: str) -> str:
    """The scheme as tooz's netutils.urlsplit reads it (lowercased; '' when there is none)."""
    try:
        return netutils.urlsplit(value).scheme
    except ValueError:
        return ""


@lru_cache(maxsize=512)
def tooz_load(value: str) -> str | None:
    """tooz.coordination.get_coordinator's own error for ``value``, or None when
    it loads. Only called for schemes tooz has no driver for, and for redis:
    neither imports anything nor connects (RedisDriver connects in start())."""
    try:
        coordination.get_coordinator(value, b"coordcheck-gate")
    except Exception as exc:  # stevedore's NoMatches, a driver's ValueError: the service's error
        return f"{exc.__class__.__name__}: {exc}"
    return None


@lru_cache(maxsize=1)
def _tooz_version() -> str:
    from importlib.metadata import version
    return f"tooz {version('tooz')}"


@lru_cache(maxsize=4096)
def judge(section: str, option: str, value: str) -> Verdict:
    """What the consumer of ``[section] option`` makes of ``value``."""
    if (section, option) == GNOCCHI_INCOMING:
        return _gnocchi_incoming(value)
    if (section, option) == OSPROFILER:  # osprofiler's own driver table: only its redis one is judged here
        scheme = scheme_of(value)
        return Verdict("sentinel", "osprofiler", value=value) if scheme == "redis" else Verdict("skipped", "osprofiler")
    loader = _tooz_version()
    if not value.strip():
        return Verdict("blank", loader, error=tooz_load(""))
    scheme, drivers = scheme_of(value.strip()), tooz_drivers()
    if scheme not in drivers:
        return Verdict("not_loadable", loader, error=tooz_load(value.strip()) or f"no driver for {scheme!r}")
    if scheme != "redis":
        return Verdict("other_backend", loader, error=f"{drivers[scheme]}: {OTHER_BACKENDS.get(scheme, scheme)}")
    refused = tooz_load(value.strip())
    if refused:
        return Verdict("not_loadable", loader, error=refused)
    return Verdict("sentinel", loader, value=value.strip())


def _gnocchi_incoming(value: str) -> Verdict:
    """gnocchi.common.redis.get_client: urlparse, the host (or a socket path), the query; the scheme unread."""
    loader = "gnocchi's incoming redis driver (gnocchi.common.redis.get_client)"
    if not value.strip():
        return Verdict("blank", loader, error="ValueError: Expected socket path in parsed urls path")
    text = value.strip()
    scheme = scheme_of(text)
    try:
        split = netutils.urlsplit(text)
        host, path = split.hostname, split.path
        split.port  # noqa: B018 (urlparse raises on a port that is not a number)
    except ValueError as exc:
        return Verdict("not_loadable", loader, error=f"ValueError: {exc}")
    if not host and not path:
        return Verdict("not_loadable", loader, error="ValueError: Expected socket path in parsed urls path")
    if not host:
        return Verdict("other_backend", loader, error=f"a Redis unix socket ({path}): no Sentinel")
    # gnocchi connects to host:port with its query whatever the scheme says: read it as redis://
    return Verdict("sentinel", loader, value="redis" + text[len(scheme):] if scheme else "redis://" + text)


BLANK_EFFECT = ("oslo.config reads an empty value as '' (not as the option's default): the service hands '' to "
                "{loader}, which refuses it ({error}); a service that tests the option first runs without "
                "coordination instead: its hosts share no lock")


def no_hosts(url: str) -> bool:
    url = url.lower()
    return url.startswith(("redis://&", "redis://?")) or url == "redis://"


def urls_carry_sentinel_password(records, release) -> str | None:
    """The operator's word, when every coordination URL the repository renders (N > 0) carries a
    sentinel_password: nobody adds one to every URL for sentinels without a password. Mixed URLs say
    nothing (the stock template decides: those that carry one are then SENTINEL_AUTH_UNEXPECTED)."""
    consumers = {(o.file, o.section, o.option) for o in release.options}
    values = [judge(r.section, r.option, r.value) for r in records
              if (r.section, r.option) in URL_OPTIONS and (r.file, r.section, r.option) in consumers]
    sentinel = [v.value for v in values if v.kind == "sentinel" and not no_hosts(v.value)]

    def carries(text: str) -> bool:
        try:
            return urls.parse(text).sentinel_password is not None
        except urls.URLError:
            return False

    if sentinel and all(carries(v) for v in sentinel):
        return (f"every coordination URL the repository renders ({len(sentinel)}) carries sentinel_password: taken "
                "as your statement that the sentinels have a password (say it with --sentinel-auth=required)")
    return None
