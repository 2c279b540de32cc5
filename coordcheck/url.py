"""Parse, validate, mask and fix tooz Redis/Sentinel ``backend_url`` values.

Parsing goes through tooz's own code path (``netutils.urlsplit``,
``parse_qs`` and ``utils.collapse`` with the driver's option tables), so
coordcheck reads a URL exactly the way the services do.

    >>> url = parse("redis://default:pw@10.0.2.110:26379?sentinel=kolla"
    ...             "&sentinel_fallback=10.0.2.111:26379&db=0")
    >>> url.master_name, url.sentinels
    ('kolla', [('10.0.2.110', 26379), ('10.0.2.111', 26379)])
    >>> url.masked
    'redis://default:***@10.0.2.110:26379?sentinel=kolla&sentinel_fallback=10.0.2.111:26379&db=0'
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from oslo_utils import netutils
from tooz import utils as tooz_utils
from tooz.drivers.redis import RedisDriver

from coordcheck.secrets import MASK, Secret

#: Options RedisDriver passes to redis-py, from tooz itself.
CLIENT_OPTIONS = RedisDriver.CLIENT_ARGS
#: Options tooz's driver reads for itself (RedisDriver.__init__ and
#: ProxyExecutor.build); tooz keeps no table of these.
DRIVER_OPTIONS = frozenset(
    ["timeout", "membership_timeout", "lock_timeout", "namespace", "encoding", "executor"]
)
KNOWN_OPTIONS = CLIENT_OPTIONS | DRIVER_OPTIONS
SCHEMES = ("redis",)
DEFAULT_REDIS_PORT = 6379
_LOOSE_PASSWORD = re.compile(r"(password=)(?!\*\*\*(?:&|$))[^&\s]*", re.IGNORECASE)


class URLError(ValueError):
    """A backend_url that tooz cannot use; the message is already masked."""


@dataclass(frozen=True, repr=False)
class BackendURL:
    """A parsed ``redis://`` tooz backend URL. Passwords are `Secret`s."""

    raw: str
    host: str
    port: int
    username: str | None
    password: Secret | None
    options: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"BackendURL({self.masked!r})"

    @property
    def masked(self) -> str:
        return mask(self.raw)

    @property
    def master_name(self) -> str | None:
        return self.options.get("sentinel")

    @property
    def sentinels(self) -> list[tuple[str, int]]:
        """The netloc sentinel first, then every ``sentinel_fallback``."""
        fallbacks = [parse_host_port(f, "sentinel_fallback") for f in self.options.get("sentinel_fallback", [])]
        return [(self.host, self.port), *fallbacks]

    @property
    def sentinel_password(self) -> Secret | None:
        value = self.options.get("sentinel_password")
        return Secret(value) if value else None

    @property
    def sentinel_username(self) -> str | None:
        return self.options.get("sentinel_username")

    @property
    def unknown_options(self) -> list[str]:
        """Options tooz silently ignores (typos such as ``sentinel_pasword``)."""
        return sorted(set(self.options) - KNOWN_OPTIONS)

    def raw_option(self, name: str) -> str | None:
        """The last value of ``name`` as written, before tooz decodes it."""
        values = [v for k, _, v in (p.partition("=") for p in _split_query(self.raw)[1]) if k == name]
        return values[-1] if values else None


def parse_host_port(text: str, what: str) -> tuple[str, int]:
    """``"10.0.2.111:26379"`` -> ``("10.0.2.111", 26379)``, as tooz reads it."""
    try:
        host, port = netutils.parse_host_port(text)
    except ValueError as exc:
        raise URLError(f"{what} {text!r} is not host:port ({exc})") from None
    if not host or port is None:
        raise URLError(f"{what} {text!r} is not host:port")
    return host, port


def parse(text: str) -> BackendURL:
    """Parse a tooz Redis Sentinel URL, or raise `URLError` (masked). The
    same text is parsed once (a gate renders the same URL for many hosts)."""
    if not isinstance(text, str) or not text.strip():
        raise URLError("backend_url is empty")
    return _parse(text.strip())


@lru_cache(maxsize=1024)
def _parse(text: str) -> BackendURL:
    try:
        split = netutils.urlsplit(text)
        port = split.port
    except ValueError as exc:
        raise URLError(f"backend_url {mask(text)} cannot be parsed: {exc}") from None
    if split.scheme not in SCHEMES:
        raise URLError(f"backend_url {mask(text)} does not start with redis:// (scheme {split.scheme!r})")
    if not split.hostname:
        raise URLError(f"backend_url {mask(text)} names no host")
    options = tooz_utils.collapse(
        urllib.parse.parse_qs(split.query), exclude=RedisDriver.EXCLUDE_OPTIONS
    )
    url = BackendURL(
        raw=text,
        host=split.hostname,
        port=port or DEFAULT_REDIS_PORT,
        username=split.username,
        password=Secret(split.password) if split.password else None,
        options=options,
    )
    _validate(url)
    return url


def _validate(url: BackendURL) -> None:
    if not url.master_name:
        raise URLError(f"backend_url {url.masked} has no sentinel=<master name>")
    url.sentinels  # raises URLError on a bad sentinel_fallback
    for name in RedisDriver.CLIENT_INT_ARGS | RedisDriver.CLIENT_FLOAT_ARGS:
        if name in url.options:
            kind = int if name in RedisDriver.CLIENT_INT_ARGS else float
            try:
                kind(url.options[name])
            except ValueError:
                raise URLError(
                    f"backend_url {url.masked}: {name}={url.options[name]!r} is not {kind.__name__}"
                ) from None


def _is_secret_option(name: str) -> bool:
    return "password" in name.lower()


def mask(text: str) -> str:
    """Replace the netloc password and every ``*password*`` query value with ``***``.

    Works on malformed URLs too, so error messages can quote them.
    """
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    netloc, tail = rest[:end], rest[end:]
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.split(':', 1)[0]}:{MASK}@{hostport}"
    query_start = tail.find("?")
    if query_start >= 0:
        pairs = tail[query_start + 1 :].split("&")
        for i, pair in enumerate(pairs):
            name, eq, _ = pair.partition("=")
            if eq and _is_secret_option(name):
                pairs[i] = f"{name}={MASK}"
        tail = tail[: query_start + 1] + "&".join(pairs)
    # anything else that looks like ``...password=value`` (a URL without '?')
    return _LOOSE_PASSWORD.sub(rf"\1{MASK}", f"{scheme}{sep}{netloc}{tail}")


def _split_query(text: str) -> tuple[str, list[str]]:
    """``"redis://h?a=1&b=2"`` -> ``("redis://h", ["a=1", "b=2"])``, as written."""
    base, _, query = text.partition("?")
    return base, [p for p in query.split("&") if p]


def without_option(text: str, name: str) -> str:
    base, pairs = _split_query(text)
    pairs = [p for p in pairs if p.partition("=")[0] != name]
    return f"{base}?{'&'.join(pairs)}" if pairs else base


def with_option(text: str, name: str, value: str) -> str:
    """Set query option ``name`` (percent-encoded), replacing earlier values."""
    kept = without_option(text, name)
    return f"{kept}{'&' if '?' in kept else '?'}{name}={urllib.parse.quote(value, safe='')}"


def with_sentinel_password(text: str, password: Secret) -> str:
    """The fix for the incident: add ``&sentinel_password=`` to the URL."""
    return with_option(text, "sentinel_password", password.reveal())
