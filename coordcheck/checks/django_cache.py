"""horizon's ``CACHES['default']`` judged the way Django and django_redis
load it, without connecting anywhere: the settings Kolla renders
(_9998-kolla-settings.py), with what the operator's
_9999-custom-settings.py assigns after them (literal assignments, read with
``ast``, never run), then

1. Django's ``caches`` imports ``BACKEND``: django_redis's RedisCache, or a
   backend that is not Redis Sentinel (memcached, locmem, ...: named);
2. django_redis's RedisCache imports ``OPTIONS.CLIENT_CLASS``
   (django_redis/cache.py); DefaultClient refuses an empty ``LOCATION``
   (client/default.py), SentinelClient asks for a SentinelConnectionPool
   (client/sentinel.py ``connect``);
3. ``SentinelConnectionFactory`` (django_redis/pool.py) refuses an empty
   ``SENTINELS``, builds redis-py's ``Sentinel(SENTINELS,
   sentinel_kwargs=SENTINEL_KWARGS)`` and takes the service name from
   LOCATION's host (``get_connection_pool``): built here with real redis-py
   (``Sentinel``, ``SentinelConnectionPool.from_url``: no connection).

Django and django_redis are modelled from that source (django-redis 6.0/7.0),
not imported: django_redis needs Django's settings configured in the gate's
process, and its factory keeps a process-wide pool per LOCATION (a second
repository's SENTINELS would meet the first one's pool).

    >>> judge_cache(repr({"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://kolla/0",
    ...   "OPTIONS": {"CLIENT_CLASS": "django_redis.client.SentinelClient",
    ...               "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
    ...               "SENTINELS": [("10.0.0.1", 26379)]}})).kind
    'sentinel'
    >>> print(judge_cache(repr({"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "memcached://h:11211",
    ...   "OPTIONS": {"CLIENT_CLASS": "django_redis.client.SentinelClient",
    ...               "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
    ...               "SENTINELS": [("10.0.0.1", 26379)]}})).error)
    ValueError: Redis URL must specify one of the following schemes (redis://, rediss://, unix://)
"""

from __future__ import annotations

import ast
import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlparse

from redis.sentinel import Sentinel, SentinelConnectionPool

from coordcheck.checks.loading import Verdict

LOADER = "horizon's Django caches (django_redis)"
DJANGO_REDIS = "django_redis.cache.RedisCache"
SENTINEL_CLIENT, SENTINEL_FACTORY = "django_redis.client.SentinelClient", "django_redis.pool.SentinelConnectionFactory"
DIRECT_CLIENTS = ("django_redis.client.DefaultClient", "django_redis.client.HerdClient", "django_redis.client.ShardClient")
_BACKENDS = "django.core.cache.backends."
#: Django's own backends, for what they are
OTHER_CACHES = {
    f"{_BACKENDS}memcached.PyMemcacheCache": "memcached (pymemcache): sessions live in memcached, lost when it restarts",
    f"{_BACKENDS}memcached.PyLibMCCache": "memcached (pylibmc): sessions live in memcached, lost when it restarts",
    f"{_BACKENDS}locmem.LocMemCache": "each horizon process's own memory: a session is known to one process only",
    f"{_BACKENDS}db.DatabaseCache": "a database table", f"{_BACKENDS}filebased.FileBasedCache": "files on one host",
    f"{_BACKENDS}dummy.DummyCache": "no cache at all: every session is lost at once",
}
DJANGO_REDIS_CACHE = f"{_BACKENDS}redis.RedisCache"  # Django's own: LOCATION's servers, no Sentinel


@dataclass(frozen=True)
class Assignment:
    """One literal assignment of the custom settings to ``CACHES`` or below: key path, value, lines."""
    path: tuple[str, ...]          # ("CACHES", "default", "OPTIONS", "SENTINEL_KWARGS")
    value: object
    lines: tuple[int, ...]         # the statement's lines (1-based)


def rendered_cache(options: dict[str, str]) -> dict:
    """``CACHES['default']`` from a rendering's flattened records (``OPTIONS.SENTINELS`` = "h:p,h:p",
    other values as text or JSON), as the settings file holds it."""
    cache: dict = {}
    for dotted, text in options.items():
        *parents, key = dotted.split(".")
        node = cache
        for part in parents:
            node = node.setdefault(part, {})
        if key == "SENTINELS":
            node[key] = [(h, int(p) if p.isdigit() else p) for h, _, p in (s.rpartition(":") for s in text.split(","))]
        else:
            try:
                node[key] = json.loads(text)
            except ValueError:
                node[key] = text
    return cache


def custom_assignments(text: str) -> list[Assignment] | None:
    """The custom settings' literal assignments to CACHES (in order), or None when the file touches
    CACHES otherwise (a call, a computed value) or is not Python: the gate cannot know its CACHES then."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    found = []
    for node in tree.body:
        if "CACHES" not in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}:
            continue
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            return None
        path = _path(node.targets[0])
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
        if path is None:
            return None
        found.append(Assignment(path, value, tuple(range(node.lineno, (node.end_lineno or node.lineno) + 1))))
    return found


def _path(target: ast.expr) -> tuple[str, ...] | None:
    """``CACHES['default']['OPTIONS']`` -> ("CACHES", "default", "OPTIONS"); None for anything else."""
    keys = []
    while isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and \
            isinstance(target.slice.value, str):
        keys.insert(0, target.slice.value)
        target = target.value
    return ("CACHES", *keys) if isinstance(target, ast.Name) and target.id == "CACHES" else None


def with_custom(cache: dict, assignments: list[Assignment]) -> dict:
    """``CACHES['default']`` after the custom settings' assignments run over it."""
    caches = {"default": copy.deepcopy(cache)}
    for a in assignments:
        if len(a.path) == 1:
            caches = a.value
            continue
        node = caches
        for part in a.path[1:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node[a.path[-1]] = a.value
    default = caches.get("default") if isinstance(caches, dict) else None
    return default if isinstance(default, dict) else {}


@lru_cache(maxsize=256)
def judge_cache(text: str) -> Verdict:
    """What horizon makes of ``CACHES['default']`` (given as its ``repr``)."""
    cache = ast.literal_eval(text)
    options = cache.get("OPTIONS") if isinstance(cache.get("OPTIONS"), dict) else {}
    backend, location = cache.get("BACKEND"), cache.get("LOCATION")
    if not backend:
        return Verdict("blank", LOADER, options=("BACKEND",),
                       error=f"Django's caches: InvalidCacheBackendError: Could not find backend {backend!r}")
    if backend in OTHER_CACHES:
        return Verdict("other_backend", LOADER, options=("BACKEND",),
                       error=f"{backend} at {location}: {OTHER_CACHES[backend]}")
    if backend == DJANGO_REDIS_CACHE:
        return Verdict("bypass", LOADER, options=("BACKEND",), value=str(location),
                       error="Django's own RedisCache connects to LOCATION's servers: it knows no Sentinel")
    if backend != DJANGO_REDIS:
        return Verdict("other_backend", LOADER, options=("BACKEND",), error=f"{backend}: a cache the gate does not know")
    client = options.get("CLIENT_CLASS", "django_redis.client.DefaultClient")
    if not location:
        return Verdict("blank", LOADER, options=("LOCATION",),
                       error="django_redis's client: ImproperlyConfigured: Missing connections string")
    if client in DIRECT_CLIENTS:
        return Verdict("bypass", LOADER, options=("OPTIONS.CLIENT_CLASS",), value=str(location),
                       error=f"{client.rsplit('.', 1)[1]} connects to LOCATION's host as a Redis server")
    if client != SENTINEL_CLIENT:
        return Verdict("other_backend", LOADER, options=("OPTIONS.CLIENT_CLASS",),
                       error=f"CLIENT_CLASS {client}: a client the gate does not know")
    return _sentinel_client(str(location), options)


def _sentinel_client(location: str, options: dict) -> Verdict:
    """SentinelClient with its connection factory, its Sentinel and its pool, as django_redis builds them."""
    if options.get("CONNECTION_FACTORY") != SENTINEL_FACTORY and not options.get("CONNECTION_POOL_CLASS"):
        return Verdict("not_loadable", LOADER, options=("OPTIONS.CONNECTION_FACTORY",), error=(
            "SentinelClient.connect: ImproperlyConfigured: Settings DJANGO_REDIS_CONNECTION_FACTORY or "
            "CACHE[].OPTIONS.CONNECTION_POOL_CLASS is not configured correctly."))
    sentinels = options.get("SENTINELS")
    if not sentinels:
        return Verdict("blank", LOADER, options=("OPTIONS.SENTINELS",), error=(
            "SentinelConnectionFactory: ImproperlyConfigured: SENTINELS must be provided as a list of (host, port)."))
    password = options.get("PASSWORD") or None
    pool_kwargs = options.get("CONNECTION_POOL_KWARGS") if isinstance(options.get("CONNECTION_POOL_KWARGS"), dict) else {}
    try:
        manager = Sentinel(sentinels, sentinel_kwargs=options.get("SENTINEL_KWARGS"), password=password, **pool_kwargs)
    except (TypeError, ValueError) as exc:
        return Verdict("not_loadable", LOADER, options=("OPTIONS.SENTINELS",),
                       error=f"redis-py's Sentinel(SENTINELS): {exc.__class__.__name__}: {exc}")
    try:
        url = urlparse(location)
        SentinelConnectionPool.from_url(location, service_name=url.hostname, sentinel_manager=manager,
                                        password=password, is_master=True, **pool_kwargs)
    except (TypeError, ValueError) as exc:
        return Verdict("not_loadable", LOADER, options=("LOCATION",), error=f"{exc.__class__.__name__}: {exc}")
    if not url.hostname:
        return Verdict("blank", LOADER, options=("LOCATION",), error=(
            "django_redis takes the Sentinel service name from LOCATION's host (SentinelConnectionFactory."
            "get_connection_pool) and there is none: every cache call fails with MasterNotFoundError: No master "
            "found for None"))
    return Verdict("sentinel", LOADER, value=",".join(f"{h}:{p}" for h, p in sentinels))
