"""Bounded-time probes of sentinels and data nodes with redis-py.

Every probe first says PING on a raw socket (`coordcheck.observe.wire.hello`)
and reads the first reply under a deadline; then redis-py, with no retries;
the whole conversation with one server is bounded by the probe timeout,
wall clock (`Bound`). Every error becomes text on the observation: probes
never raise for what a server says or does not say. Checks
(`coordcheck.checks`) turn observations into findings. Shipped, with
`wire` and `discovery`, into service containers and onto hosts
(`coordcheck.observe.remote`).

    obs = observe_sentinel(Address("127.0.2.110", 26379), "kolla", Secret("pw"))
    obs.login.requires_password, obs.master["num-slaves"]   # -> (True, 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import redis

from coordcheck.interrupt import thread_pool
from coordcheck.address import Address
from coordcheck.secrets import Secret
from coordcheck.observe.wire import (  # noqa: F401 - re-exported: probe is the module callers know
    DEFAULT_TIMEOUT, PING, PONG, REPLY_LIMIT, SHOWN, SPEAKS_RESP3, UNREACHABLE, Bound, Greeting,
    _escape, _failure, _judge, client, describe, hello, is_noauth, shown)
from coordcheck.observe.discovery import (  # noqa: F401 - re-exported
    Discovery, SentinelAnswer, ask_sentinel, discover, known_answer)


@dataclass
class Login:
    """How a server answers without a password and with one."""

    address: Address
    error: str | None = None            # could not talk to it at all
    requires_password: bool | None = None
    password_ok: bool | None = None      # None: no password was tried
    password_error: str | None = None
    without_password_reply: str | None = None
    not_redis: str | None = None         # it answers, but not in RESP: what it sent

    @property
    def reachable(self) -> bool:
        return self.error is None


def login(addr: Address, password: Secret | None, timeout: float | Bound,
          username: str | None = None) -> tuple[Login, redis.Redis | None]:
    """PING without a password (raw, `hello`), then with one (redis-py).
    Returns the observation and a client that may talk to the server (or
    None) until the bound passes: ``timeout`` is a `Bound` shared with what
    follows, or its seconds."""
    bound = timeout if isinstance(timeout, Bound) else Bound(timeout)
    seen = Login(addr)
    greeting = hello(addr, bound, (password,))
    if greeting.reply is None:
        seen.error, seen.not_redis = greeting.error, greeting.not_redis
        return seen, None
    seen.requires_password = is_noauth(greeting.reply)
    seen.without_password_reply = greeting.reply
    usable = None if seen.requires_password else bound.watch(client(addr, timeout=bound.left()))
    if password:
        authed = bound.watch(client(addr, password=password, username=username, timeout=bound.left()))
        try:
            authed.ping()
            seen.password_ok, usable = True, authed
        except (redis.AuthenticationError, redis.ResponseError) as exc:
            if bound.passed:
                seen.error = _failure(exc, bound, (password,))[0]
                return seen, None
            seen.password_ok, seen.password_error = False, describe(exc, password)
        except Exception as exc:  # noqa: BLE001 - whatever a broken server makes redis-py raise
            seen.error, seen.not_redis = _failure(exc, bound, (password,))
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
    """Everything a sentinel says, within ``timeout`` s wall clock."""
    bound = Bound(timeout)
    try:
        return _observe_sentinel(addr, master_name, password, bound)
    finally:
        bound.close()


def _observe_sentinel(addr: Address, master_name: str, password: Secret | None,
                      bound: Bound) -> SentinelObservation:
    seen, conn = login(addr, password, bound)
    obs = SentinelObservation(seen, master_name)
    if conn is None:
        return obs
    try:
        obs.master = conn.sentinel_master(master_name)
    except redis.ResponseError as exc:
        if bound.passed:
            seen.error = _failure(exc, bound, (password,))[0]
        else:
            obs.master_error = describe(exc, password)
        return obs
    except Exception as exc:  # noqa: BLE001
        seen.error, seen.not_redis = _failure(exc, bound, (password,))
        obs.master = None
        return obs
    try:
        host_port = conn.sentinel_get_master_addr_by_name(master_name)
        obs.master_addr = Address(host_port[0], int(host_port[1])) if host_port else None
        obs.replicas = conn.sentinel_slaves(master_name)
        obs.sentinels = conn.sentinel_sentinels(master_name)
        conn.execute_command("SENTINEL CKQUORUM", master_name)  # sentinel_ckquorum() breaks on redis-py 4
    except redis.ResponseError as exc:
        if bound.passed:
            seen.error = _failure(exc, bound, (password,))[0]
        else:
            obs.ckquorum_error = describe(exc, password)
    except Exception as exc:  # noqa: BLE001
        seen.error, seen.not_redis = _failure(exc, bound, (password,))
        if seen.not_redis:  # nothing it said can be trusted
            obs.master, obs.master_addr, obs.replicas, obs.sentinels = None, None, [], []
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
    """Login and replication of a data node, within ``timeout`` s wall clock."""
    bound = Bound(timeout)
    try:
        seen, conn = login(addr, password, bound)
        obs = NodeObservation(seen)
        if conn is not None:
            try:
                obs.replication = conn.info("replication")
            except redis.ResponseError as exc:
                obs.info_error = describe(exc, password)
            except Exception as exc:  # noqa: BLE001
                seen.error, seen.not_redis = _failure(exc, bound, (password,))
        return obs
    finally:
        bound.close()


def survey(sentinels: list[Address], nodes: list[Address], master_name: str, password: Secret | None,
           timeout: float = DEFAULT_TIMEOUT) -> tuple[list[SentinelObservation], list[NodeObservation]]:
    """Every sentinel and data node at once: silent servers cost one
    ``timeout``, not one each (and a vantage runs one process, not one a server)."""
    with thread_pool(max(1, len(sentinels) + len(nodes))) as pool:
        seen_sentinels = pool.map(lambda a: observe_sentinel(a, master_name, password, timeout), sentinels)
        seen_nodes = pool.map(lambda a: observe_node(a, password, timeout), nodes)
        return list(seen_sentinels), list(seen_nodes)
