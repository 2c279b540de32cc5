"""Bounded-time probes of sentinels and data nodes with redis-py.

Every probe connects with a connect and read timeout, never retries, and
turns every error into text on the observation: probes never raise for what
a server says or does not say. Checks (`coordcheck.checks`) turn
observations into findings.

    obs = observe_sentinel(Address("127.0.2.110", 26379), "kolla", Secret("pw"))
    obs.login.requires_password, obs.master["num-slaves"]   # -> (True, 2)
"""

from __future__ import annotations

import inspect
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from coordcheck.secrets import Secret, redact, reveal

DEFAULT_TIMEOUT = 2.0
#: redis-py >= 5 takes ``protocol=``; this module also runs, shipped by
#: `coordcheck.remote`, with an older redis-py inside a service container.
SPEAKS_RESP3 = "protocol" in inspect.signature(redis.Redis.__init__).parameters


class Address(NamedTuple):
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def client(addr: Address, password: Secret | None = None, username: str | None = None,
           timeout: float = DEFAULT_TIMEOUT, protocol: int | None = 2) -> redis.Redis:
    """A redis-py client that fails fast: bounded timeouts, no retries.

    ``protocol=2`` speaks like redis-cli (plain AUTH/PING); ``None`` keeps
    redis-py's own default, as tooz does.
    """
    options = {"protocol": protocol} if SPEAKS_RESP3 else {}  # redis-py < 5 speaks RESP2 only
    return redis.Redis(
        host=addr.host, port=addr.port, username=username, password=reveal(password),
        socket_timeout=timeout, socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0), decode_responses=True, **options,
    )


def describe(exc: BaseException, *secrets: Secret | None) -> str:
    """``ExceptionClass: message`` on one line, secrets masked."""
    text = " ".join(str(exc).split()) or repr(exc)
    return redact(f"{exc.__class__.__name__}: {text}", secrets)


def is_noauth(text: str | None) -> bool:
    return bool(text) and ("NOAUTH" in text or "Authentication required" in text)


UNREACHABLE = (redis.ConnectionError, redis.TimeoutError, OSError)


@dataclass
class Login:
    """How a server answers without a password and with one."""

    address: Address
    error: str | None = None            # could not talk to it at all
    requires_password: bool | None = None
    password_ok: bool | None = None      # None: no password was tried
    password_error: str | None = None
    without_password_reply: str | None = None

    @property
    def reachable(self) -> bool:
        return self.error is None


def login(addr: Address, password: Secret | None, timeout: float,
          username: str | None = None) -> tuple[Login, redis.Redis | None]:
    """PING without a password, then with one. Returns the observation and a
    client that may talk to the server (or None)."""
    seen = Login(addr)
    anonymous = client(addr, timeout=timeout)
    try:
        anonymous.ping()
        seen.requires_password, seen.without_password_reply = False, "PONG"
    except redis.AuthenticationError as exc:
        seen.requires_password, seen.without_password_reply = True, describe(exc)
    except redis.ResponseError as exc:
        seen.requires_password = is_noauth(str(exc))
        seen.without_password_reply = describe(exc)
    except UNREACHABLE as exc:
        seen.error = describe(exc, password)
        return seen, None
    usable = None if seen.requires_password else anonymous
    if password:
        authed = client(addr, password=password, username=username, timeout=timeout)
        try:
            authed.ping()
            seen.password_ok, usable = True, authed
        except (redis.AuthenticationError, redis.ResponseError) as exc:
            seen.password_ok, seen.password_error = False, describe(exc, password)
        except UNREACHABLE as exc:
            seen.error = describe(exc, password)
            return seen, None
    return seen, usable


@dataclass
class SentinelObservation:
    """What one sentinel says about the monitored master."""

    login: Login
    master_name: str
    master: dict[str, Any] | None = None
    master_error: str | None = None
    master_addr: Address | None = None
    ckquorum_error: str | None = None
    replicas: list[dict[str, Any]] = field(default_factory=list)
    sentinels: list[dict[str, Any]] = field(default_factory=list)

    @property
    def address(self) -> Address:
        return self.login.address

    @property
    def answered(self) -> bool:
        return self.master is not None or self.master_error is not None


def observe_sentinel(addr: Address, master_name: str, password: Secret | None,
                     timeout: float = DEFAULT_TIMEOUT) -> SentinelObservation:
    seen, conn = login(addr, password, timeout)
    obs = SentinelObservation(seen, master_name)
    if conn is None:
        return obs
    try:
        obs.master = conn.sentinel_master(master_name)
    except redis.ResponseError as exc:
        obs.master_error = describe(exc, password)
        return obs
    except UNREACHABLE as exc:
        seen.error = describe(exc, password)
        return obs
    try:
        host_port = conn.sentinel_get_master_addr_by_name(master_name)
        obs.master_addr = Address(host_port[0], int(host_port[1])) if host_port else None
        obs.replicas = conn.sentinel_slaves(master_name)
        obs.sentinels = conn.sentinel_sentinels(master_name)
        conn.execute_command("SENTINEL CKQUORUM", master_name)  # sentinel_ckquorum() breaks on redis-py 4
    except redis.ResponseError as exc:
        obs.ckquorum_error = describe(exc, password)
    except UNREACHABLE as exc:
        seen.error = describe(exc, password)
    return obs


@dataclass
class NodeObservation:
    """What one data node says about itself and its replication."""

    login: Login
    replication: dict[str, Any] = field(default_factory=dict)
    info_error: str | None = None

    @property
    def address(self) -> Address:
        return self.login.address

    @property
    def role(self) -> str | None:
        return self.replication.get("role")


def observe_node(addr: Address, password: Secret | None,
                 timeout: float = DEFAULT_TIMEOUT) -> NodeObservation:
    seen, conn = login(addr, password, timeout)
    obs = NodeObservation(seen)
    if conn is not None:
        try:
            obs.replication = conn.info("replication")
        except (redis.ResponseError, *UNREACHABLE) as exc:
            obs.info_error = describe(exc, password)
    return obs


@dataclass
class SentinelAnswer:
    """One sentinel of a URL, asked with the URL's sentinel credentials."""

    address: Address
    master_addr: Address | None = None
    error: str | None = None


@dataclass
class Discovery:
    """redis-py Sentinel discovery with a backend_url's own credentials."""

    answers: list[SentinelAnswer]
    master_addr: Address | None = None
    error: str | None = None
    master_error: str | None = None     # PING of the master with the URL's password

    @property
    def ok(self) -> bool:
        return self.master_addr is not None and self.error is None and self.master_error is None


def ask_sentinel(addr: Address, master_name: str, username: str | None,
                 password: Secret | None, timeout: float) -> SentinelAnswer:
    """What redis-py's discovery would get from this sentinel, with the reason kept."""
    answer = SentinelAnswer(addr)
    conn = client(addr, password=password, username=username, timeout=timeout, protocol=None)
    try:
        state = conn.sentinel_masters().get(master_name)
    except (redis.RedisError, OSError) as exc:
        answer.error = describe(exc, password)
        return answer
    if not state:
        answer.error = f"sentinel monitors no master named {master_name!r}"
    elif not state.get("is_master") or state.get("is_sdown") or state.get("is_odown"):
        answer.error = f"sentinel sees master {master_name!r} as {state.get('flags')}"
    else:
        answer.master_addr = Address(state["ip"], int(state["port"]))
    return answer


def discover(url, timeout: float = DEFAULT_TIMEOUT) -> Discovery:
    """Ask every sentinel of ``url`` (a `coordcheck.url.BackendURL`), then run
    redis-py's own discovery and PING the master, as tooz would."""
    from redis.sentinel import Sentinel

    with ThreadPoolExecutor(max_workers=len(url.sentinels)) as pool:
        answers = list(pool.map(lambda s: ask_sentinel(Address(*s), url.master_name, url.sentinel_username,
                                                        url.sentinel_password, timeout), url.sentinels))
    found = Discovery(answers)
    if all(a.error for a in answers):
        # redis-py would ask the same sentinels the same way: it cannot succeed
        found.error = f"No master found for {url.master_name!r}: no sentinel of the URL gave one"
        return found
    bounded = dict(socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0))
    sentinel_kwargs = dict(bounded, password=reveal(url.sentinel_password), username=url.sentinel_username)
    secrets = (url.password, url.sentinel_password)
    sentinel = Sentinel(url.sentinels, sentinel_kwargs=sentinel_kwargs,
                        password=reveal(url.password), username=url.username, **bounded)
    try:
        found.master_addr = Address(*sentinel.discover_master(url.master_name))
    except redis.RedisError as exc:
        found.error = describe(exc, *secrets)
        return found
    master = client(found.master_addr, password=url.password, username=url.username,
                    timeout=timeout, protocol=None)
    try:
        master.ping()
    except (redis.RedisError, OSError) as exc:
        found.master_error = describe(exc, *secrets)
    return found
