"""Bounded-time probes of sentinels and data nodes with redis-py.

Every probe first says PING on a raw socket (`hello`) and reads the first
reply under a deadline: a server that answers in anything but the Redis
protocol (RESP), closes at once, or trickles bytes is named as such and
redis-py is never pointed at it. Then redis-py, with no retries; the whole
conversation with one server is bounded by the probe timeout, wall clock
(`Bound`), not each read. Every error becomes text on the observation:
probes never raise for what a server says or does not say. Checks
(`coordcheck.checks`) turn observations into findings.

This module is also shipped, with `coordcheck.secrets` alone, into service
containers (`coordcheck.observe.remote`): it must run there with redis-py >= 4.3.

    obs = observe_sentinel(Address("127.0.2.110", 26379), "kolla", Secret("pw"))
    obs.login.requires_password, obs.master["num-slaves"]   # -> (True, 2)
"""

from __future__ import annotations

import inspect
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from coordcheck.address import Address
from coordcheck.secrets import Secret, redact, reveal

DEFAULT_TIMEOUT = 2.0
#: redis-py >= 5 takes ``protocol=``; this module also runs, shipped by
#: `coordcheck.observe.remote`, with an older redis-py inside a service container.
SPEAKS_RESP3 = "protocol" in inspect.signature(redis.Redis.__init__).parameters


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


# -- the first words: does it speak RESP at all? ---------------------------------
#: PING as a RESP array: every Redis, Valkey and Sentinel of any version
#: answers it with +PONG, or one error line (-NOAUTH when it needs a password).
PING = b"*1\r\n$4\r\nPING\r\n"
PONG = b"+PONG\r\n"
#: no Redis error line in answer to PING is longer
REPLY_LIMIT = 512
#: how much of what a foreign server sent the evidence shows
SHOWN = 40
#: what a foreign server's first bytes often say about it
LOOKS_LIKE = ((b"HTTP/", "an HTTP server"), (b"SSH-", "an SSH server"), (b"\x15\x03", "a TLS server (ssl in backend_url?)"),
              (b"\x16\x03", "a TLS server (ssl in backend_url?)"), (b"<", "HTML or XML"), (b"{", "JSON"),
              (b"220", "an SMTP or FTP server"), (b"RFB ", "a VNC server"))


class Bound:
    """A wall-clock bound on everything said with one server. Socket
    timeouts bound each read, not the whole: a server that sends a byte now
    and then would keep redis-py reading forever. Past the bound, every
    redis-py socket opened under it (`watch`) is shut down, so the call in
    progress ends at once with a connection error."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.passed = False
        self._sockets: list = []
        self._clients: list = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        """Seconds left (never 0: a socket timeout of 0 would not block at all)."""
        return max(self.deadline - time.monotonic(), 0.001)

    def _expire(self) -> None:
        with self._lock:
            self.passed = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def adopt(self, sock):
        with self._lock:
            self._sockets.append(sock)
            passed = self.passed
        if passed:
            _shut(sock)
        return sock

    def watch(self, conn: redis.Redis) -> redis.Redis:
        """``conn``'s sockets (opened later, on its first command) are adopted."""
        bound, pool = self, conn.connection_pool

        class Bounded(pool.connection_class):
            def _connect(self):
                return bound.adopt(super()._connect())

        pool.connection_class = Bounded
        self._clients.append(conn)
        return conn

    def close(self) -> None:
        """Stop the clock and close every connection opened under the bound."""
        self._timer.cancel()
        for conn in self._clients:
            try:
                conn.connection_pool.disconnect()
            except Exception:  # noqa: BLE001 - a connection already broken
                pass


def _shut(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class Greeting(NamedTuple):
    """What a server answered to PING on a fresh connection."""

    reply: str | None = None       # its RESP reply: PONG, or the error line (NOAUTH ...)
    error: str | None = None       # no conversation: refused, unreachable, silent
    not_redis: str | None = None   # it answered, not in RESP: what it sent (escaped, masked)


def _judge(data: bytes) -> str | None:
    """resp | garbage | long for the bytes read so far; None: read more."""
    if not data:
        return None
    end = data.find(b"\r\n")
    if data[:1] == b"+":
        if not PONG.startswith(data[:len(PONG)]):
            return "garbage"
        return None if len(data) < len(PONG) else ("resp" if len(data) == len(PONG) else "garbage")
    if data[:1] == b"-":
        body = data[1:end] if end >= 0 else data[1:].rstrip(b"\r")
        if any((b < 0x20 and b != 0x09) or b == 0x7F for b in body):
            return "garbage"
        if end < 0:
            return "long" if len(data) >= REPLY_LIMIT else None
        return "resp" if body and len(data) == end + 2 else "garbage"
    return "garbage"


def _escape(text: str) -> str:
    """Control characters and undecodable bytes (surrogate-escaped) as \\xNN."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\r\n\t":
            out.append(repr(ch)[1:-1])
        elif 0xDC80 <= code <= 0xDCFF:
            out.append("\\x%02x" % (code - 0xDC00))
        elif not ch.isprintable():
            out.append("\\x%02x" % code if code < 0x100 else "\\u%04x" % code)
        else:
            out.append(ch)
    return "".join(out)


def shown(data: bytes, secrets=()) -> str:
    """The first bytes a server sent, for a message: quoted, escaped (no
    control character reaches a terminal), at most ~SHOWN of them, every
    known secret masked (before the cut, so no part of one shows).

    >>> shown(b"\\x00\\xffjunk s3cret\\r\\n", [Secret("s3cret")])
    "'\\\\x00\\\\xffjunk ***\\\\r\\\\n' (15 bytes)"
    """
    text = redact(data.decode("utf-8", "surrogateescape"), secrets)
    quoted = "'" + redact(_escape(text[:SHOWN]), secrets) + "'"
    return quoted + ("..." if len(text) > SHOWN else "") + f" ({len(data)} bytes)"


def _looks_like(data: bytes) -> str:
    kind = next((what for start, what in LOOKS_LIKE if data.startswith(start)), None)
    return f"; looks like {kind}" if kind else ""


def hello(addr: Address, bound: Bound, secrets=()) -> Greeting:
    """PING on a raw socket, the first reply read within ``bound``: RESP or
    not, before any client library talks to the server."""
    try:
        sock = socket.create_connection((addr.host, addr.port), timeout=bound.left())
    except socket.timeout:
        return Greeting(error=f"TimeoutError: connecting to {addr} timed out after {bound.seconds:g} s")
    except OSError as exc:
        return Greeting(error=describe(exc, *secrets))
    data, verdict = b"", None
    try:
        sock.sendall(PING)
        while verdict is None:
            sock.settimeout(bound.left())
            chunk = sock.recv(REPLY_LIMIT + 2 - len(data))
            if not chunk:
                verdict = "closed"
                break
            data += chunk
            verdict = _judge(data)
    except socket.timeout:
        verdict = "timeout"
    except (ConnectionResetError, BrokenPipeError):
        verdict = "closed"
    except OSError as exc:
        return Greeting(error=describe(exc, *secrets))
    finally:
        sock.close()
    return _greeting(verdict, data, bound, secrets)


def _greeting(verdict: str, data: bytes, bound: Bound, secrets) -> Greeting:
    said = shown(data, secrets)
    if verdict == "resp":
        return Greeting(reply=redact(_escape(data[1:-2].decode("utf-8", "surrogateescape")), secrets))
    if verdict == "timeout" and not data:
        return Greeting(error=f"TimeoutError: accepted the connection but answered nothing to PING "
                              f"within {bound.seconds:g} s")
    if verdict == "timeout":
        what = f"sent only {said} in {bound.seconds:g} s, never a complete reply to PING"
    elif verdict == "closed" and not data:
        what = ("closed the connection without answering PING (a TLS-only port, a proxy without a backend, "
                "or a service that refuses this client?)")
    elif verdict == "closed":
        what = f"sent {said} and closed the connection, no complete reply to PING"
    elif verdict == "long":
        what = f"answered PING with a line longer than {REPLY_LIMIT} bytes: {said}"
    elif data.startswith(PONG):
        what = f"answered PING with +PONG and then bytes nobody asked for: {said}"
    else:
        what = f"answered PING with {said}, which is not RESP{_looks_like(data)}"
    return Greeting(error=f"not a Redis server: {what}", not_redis=what)


def _protocol_error(exc: BaseException) -> bool:
    """An error that no Redis server can cause: the reply did not parse."""
    return not isinstance(exc, (redis.ResponseError, *UNREACHABLE))


def _failure(exc: BaseException, bound: Bound, secrets) -> tuple[str, str | None]:
    """(error, not_redis) of a redis-py call that failed after the server
    answered PING in RESP."""
    if bound.passed:
        return f"TimeoutError: no complete answer within the {bound.seconds:g} s bound of the probe", None
    if _protocol_error(exc):
        what = f"answered PING in RESP, then a reply redis-py cannot parse ({describe(exc, *secrets)[:160]})"
        return f"not a Redis server: {_escape(what)}", _escape(what)
    return describe(exc, *secrets), None


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


@dataclass
class SentinelAnswer:
    """One sentinel of a URL, asked with the URL's sentinel credentials."""

    address: Address
    master_addr: Address | None = None
    error: str | None = None
    not_redis: str | None = None    # it answers, but not in RESP: what it sent


@dataclass
class Discovery:
    """redis-py Sentinel discovery with a backend_url's own credentials."""

    answers: list[SentinelAnswer]
    master_addr: Address | None = None
    error: str | None = None
    master_error: str | None = None     # PING of the master with the URL's password
    #: address -> what it sent, for every server on the way (sentinels, the
    #: master) that does not speak RESP
    not_redis: dict[str, str] = field(default_factory=dict)
    #: the sentinel at which redis-py's discovery (so tooz) stops: one that
    #: does not speak RESP, reached before any sentinel gave a master
    stopped_at: Address | None = None

    @property
    def ok(self) -> bool:
        return self.master_addr is not None and self.error is None and self.master_error is None

    def without_not_redis(self) -> "Discovery":
        """The same discovery, minus what the servers that do not speak RESP
        caused (they are findings of their own)."""
        junk = set(self.not_redis)
        return replace(self, answers=[a for a in self.answers if str(a.address) not in junk],
                       master_error=None if str(self.master_addr) in junk else self.master_error,
                       error=None if self.stopped_at else self.error)


def ask_sentinel(addr: Address, master_name: str, username: str | None,
                 password: Secret | None, timeout: float) -> SentinelAnswer:
    """What redis-py's discovery would get from this sentinel, with the reason kept."""
    answer = SentinelAnswer(addr)
    bound = Bound(timeout)
    try:
        greeting = hello(addr, bound, (password,))
        if greeting.reply is None:
            answer.error, answer.not_redis = greeting.error, greeting.not_redis
            return answer
        conn = bound.watch(client(addr, password=password, username=username, timeout=bound.left(), protocol=None))
        try:
            state = conn.sentinel_masters().get(master_name)
        except Exception as exc:  # noqa: BLE001 - whatever a broken server makes redis-py raise
            answer.error, answer.not_redis = _failure(exc, bound, (password,))
            return answer
    finally:
        bound.close()
    if not state:
        answer.error = f"sentinel monitors no master named {master_name!r}"
    elif not state.get("is_master") or state.get("is_sdown") or state.get("is_odown"):
        answer.error = f"sentinel sees master {master_name!r} as {state.get('flags')}"
    else:
        answer.master_addr = Address(state["ip"], int(state["port"]))
    return answer


def known_answer(addr: Address, not_redis: str) -> SentinelAnswer:
    """The answer of a sentinel already seen not to speak RESP: not asked again."""
    return SentinelAnswer(addr, error=f"not a Redis server: {not_redis}", not_redis=not_redis)


def discover(url, timeout: float = DEFAULT_TIMEOUT, known_not_redis: dict | None = None) -> Discovery:
    """Ask every sentinel of ``url`` (a `coordcheck.url.BackendURL`), then run
    redis-py's own discovery and PING the master, as tooz would.
    ``known_not_redis``: address -> what it sent, for servers already seen
    not to speak RESP (they are not asked again).

    redis-py's discovery skips a sentinel only on a connection error or a
    timeout: at one that answers in another protocol it stops (tooz then
    fails), so it is run on the sentinels before the first such one only."""
    from redis.sentinel import Sentinel

    known = known_not_redis or {}

    def ask(s) -> SentinelAnswer:
        addr = Address(*s)
        if addr in known:
            return known_answer(addr, known[addr])
        return ask_sentinel(addr, url.master_name, url.sentinel_username, url.sentinel_password, timeout)

    with ThreadPoolExecutor(max_workers=len(url.sentinels)) as pool:
        answers = list(pool.map(ask, url.sentinels))
    found = Discovery(answers, not_redis={str(a.address): a.not_redis for a in answers if a.not_redis})
    first_junk = next((i for i, a in enumerate(answers) if a.not_redis), None)
    before = answers[:first_junk] if first_junk is not None else answers
    if first_junk is not None and all(a.error for a in before):
        found.stopped_at = answers[first_junk].address
        found.error = (f"No master found for {url.master_name!r}: redis-py's discovery asks {found.stopped_at}, "
                       "which does not speak RESP, and stops there (it skips only connection errors and timeouts)")
        return found
    if all(a.error for a in answers):
        # redis-py would ask the same sentinels the same way: it cannot succeed
        found.error = f"No master found for {url.master_name!r}: no sentinel of the URL gave one"
        return found
    secrets = (url.password, url.sentinel_password)
    bound = Bound(timeout)
    try:
        bounded = dict(socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0))
        sentinel_kwargs = dict(bounded, password=reveal(url.sentinel_password), username=url.sentinel_username)
        sentinel = Sentinel([tuple(a.address) for a in before], sentinel_kwargs=sentinel_kwargs,
                            password=reveal(url.password), username=url.username, **bounded)
        for conn in sentinel.sentinels:
            bound.watch(conn)
        found.master_addr = Address(*sentinel.discover_master(url.master_name))
    except Exception as exc:  # noqa: BLE001 - whatever a broken server makes redis-py raise
        found.error = _failure(exc, bound, secrets)[0]
        return found
    finally:
        bound.close()
    _ping_master(found, url, timeout, secrets)
    return found


def _ping_master(found: Discovery, url, timeout: float, secrets) -> None:
    """PING the discovered master with the URL's credentials, as tooz would."""
    addr = found.master_addr
    bound = Bound(timeout)
    try:
        greeting = hello(addr, bound, secrets)
        if greeting.reply is None:
            found.master_error = greeting.error
            if greeting.not_redis:
                found.not_redis[str(addr)] = greeting.not_redis
            return
        master = bound.watch(client(addr, password=url.password, username=url.username,
                                    timeout=bound.left(), protocol=None))
        master.ping()
    except Exception as exc:  # noqa: BLE001
        found.master_error, not_redis = _failure(exc, bound, secrets)
        if not_redis:
            found.not_redis[str(addr)] = not_redis
    finally:
        bound.close()
