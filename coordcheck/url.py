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

import difflib
import re
import urllib.parse
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from oslo_utils import netutils
from tooz import utils as tooz_utils
from tooz.drivers.redis import RedisDriver

from coordcheck.secrets import KNOWN, MASK, Secret

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

    @cached_property
    def sentinels(self) -> list[tuple[str, int]]:
        """The netloc sentinel first, then every ``sentinel_fallback``."""
        fallbacks = [parse_host_port(f, "sentinel_fallback") for f in self.options.get("sentinel_fallback", [])]
        return [(self.host, self.port), *fallbacks]

    @cached_property
    def sentinel_password(self) -> Secret | None:
        value = self.options.get("sentinel_password")
        return Secret(value) if value else None

    @property
    def sentinel_username(self) -> str | None:
        return self.options.get("sentinel_username")

    @cached_property
    def unknown_options(self) -> list[str]:
        """Options tooz silently ignores (typos such as ``sentinel_pasword``)."""
        return sorted(set(self.options) - KNOWN_OPTIONS)


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
    _learn_secrets(text)
    try:
        split = netutils.urlsplit(text)
        port = split.port
    except ValueError as exc:
        reason = re.sub(r"'.*'", "(masked)", str(exc))  # urlsplit quotes the bad part: a piece of a password
        raise URLError(f"backend_url {shown(text)} cannot be parsed: {reason}") from None
    if split.scheme not in SCHEMES:
        raise URLError(f"backend_url {shown(text)} does not start with redis:// (scheme {split.scheme[:20]!r})")
    if not split.hostname:
        raise URLError(f"backend_url {shown(text)} names no host")
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


#: how a URL that names a server directly, not the sentinels, is told (URL_BYPASSES_SENTINEL)
NO_SENTINEL = "has no sentinel=<master name>"


def _validate(url: BackendURL) -> None:
    if not url.master_name:
        raise URLError(f"backend_url {url.masked} {NO_SENTINEL}: it names {url.host}:{url.port} itself")
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
    return "password" in name.lower() or "secret" in name.lower()


def _holds_secret(name: str) -> bool:
    """A query option whose value must not print: a password, or a name tooz
    does not know (``sentinel_pasword=...`` holds one just as well)."""
    return _is_secret_option(name) or name not in KNOWN_OPTIONS


def _learn_secrets(text: str) -> None:
    """Register every password the URL may hold, however it parses."""
    _, userinfo, _, query = _parts(text)
    if ":" in userinfo:
        KNOWN.add(userinfo.split(":", 1)[1])
    for pair in query.split("&") if query else []:
        name, eq, value = pair.partition("=")
        if not eq:
            KNOWN.add(name)  # the tail of a value cut at an unencoded '&'
        elif _holds_secret(name):
            KNOWN.add(value)
            KNOWN.add(urllib.parse.unquote_plus(value))


def _cut(text: str) -> tuple[str, str, str]:
    """``scheme://``, what comes before the query, the query — cut where a
    password holding ``/ ? # @ :`` stays whole: at the first ``?`` followed
    by an option tooz knows (else the first ``?``)."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    starts = [m.start() for m in re.finditer(r"\?(?=(?:%s)=)" % "|".join(map(re.escape, sorted(KNOWN_OPTIONS))), rest)]
    query_at = starts[0] if starts else (rest.find("?") if "?" in rest else len(rest))
    return f"{scheme}{sep}", rest[:query_at], rest[query_at + 1:]


def _parts(text: str) -> tuple[str, str, str, str]:
    """``scheme://``, userinfo, host part, query (`_cut`), the userinfo
    ending at the last ``@`` before the query."""
    prefix, head, query = _cut(text)
    userinfo, at, hostpart = head.rpartition("@")
    return (prefix, userinfo, hostpart, query) if at else (prefix, "", head, query)


def shown(text: str, limit: int = 240) -> str:
    """``mask(text)``, cut to ``limit`` characters for a message."""
    masked = mask(text)
    return masked if len(masked) <= limit else masked[:limit] + f"... ({len(text)} characters)"


def mask(text: str) -> str:
    """The URL with its password and every password-bearing query value
    replaced by ``***`` (and query pieces without a name: the tail of a
    value cut at an unencoded ``&``). Works on URLs that do not parse.

    >>> mask("redis://default:p/w?x#y@h:26379?sentinel=kolla&sentinel_pasword=a&b&db=0")
    'redis://default:***@h:26379?sentinel=kolla&sentinel_pasword=***&***&db=0'
    """
    prefix, userinfo, hostpart, query = _parts(text)
    if ":" in userinfo:
        userinfo = f"{userinfo.split(':', 1)[0]}:{MASK}"
    shown = f"{prefix}{userinfo}{'@' if userinfo else ''}{hostpart}"
    if query or text.rstrip().endswith("?"):
        pairs = []
        for pair in query.split("&"):
            name, eq, _ = pair.partition("=")
            pairs.append(f"{name}={MASK}" if eq and _holds_secret(name) else (pair if eq or not pair else MASK))
        shown += "?" + "&".join(pairs)
    # anything else that looks like ``...password=value`` (a URL without '?')
    return _LOOSE_PASSWORD.sub(rf"\1{MASK}", shown)


def corrected(text: str) -> str:
    """The URL with each option tooz ignores renamed to the option it was
    meant to be (closest match), or removed when none is close; an option
    then written twice is kept once, with the value tooz would use (the last;
    ``sentinel_fallback`` is a list and keeps every value).

    >>> corrected("redis://h:26379?sentinel=kolla&sentinel_pasword=x&colour=red")
    'redis://h:26379?sentinel=kolla&sentinel_password=x'
    >>> corrected("redis://h:26379?socket_timeout=60&db=0&socket_timout=5")
    'redis://h:26379?db=0&socket_timeout=5'
    """
    base, pairs = _split_query(text)
    kept = []
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if name not in KNOWN_OPTIONS:
            meant = closest_option(name)
            if not meant or not eq:
                continue
            name, pair = meant, f"{meant}={value}"
        if name != "sentinel_fallback":
            kept = [p for p in kept if p.partition("=")[0] != name]
        kept.append(pair)
    return f"{base}?{'&'.join(kept)}" if kept else base


def closest_option(name: str) -> str | None:
    """The tooz option a misspelled one was meant to be, if any is close."""
    close = difflib.get_close_matches(name, sorted(KNOWN_OPTIONS), n=1, cutoff=0.8)
    return close[0] if close else None


def _split_query(text: str) -> tuple[str, list[str]]:
    """``"redis://h?a=1&b=2"`` -> ``("redis://h", ["a=1", "b=2"])``, as written; cut as `_cut`
    does, so a password with ``? &`` in the user:password part stays in the base."""
    prefix, head, query = _cut(text)
    return prefix + head, [p for p in query.split("&") if p]


def without_option(text: str, name: str) -> str:
    base, pairs = _split_query(text)
    pairs = [p for p in pairs if p.partition("=")[0] != name]
    return f"{base}?{'&'.join(pairs)}" if pairs else base


def with_option(text: str, name: str, value: str) -> str:
    """Set query option ``name`` (percent-encoded), replacing earlier values."""
    kept = without_option(text, name)
    return f"{kept}{'&' if '?' in kept else '?'}{name}={urllib.parse.quote(value, safe='')}"


def with_sentinel_password(text: str, password: Secret) -> str:
    """The fix for the incident: add ``&sentinel_password=`` to the URL
    (misspelled options renamed first, so none carries a password along)."""
    return with_option(corrected(text), "sentinel_password", password.reveal())
