"""The wire under every probe: a redis-py client that fails fast, and a raw
PING (`hello`) read under a wall-clock `Bound` before redis-py is pointed
at a server, so that a server answering in another protocol than RESP, or
trickling bytes, is named as such. Shipped with `coordcheck.observe.probe`
into service containers and onto hosts (`coordcheck.observe.remote`):
it must run there with redis-py >= 4.3.

    greeting = hello(Address("127.0.2.110", 26379), Bound(2.0))
    greeting.reply            # -> 'NOAUTH Authentication required.'
"""

from __future__ import annotations

import inspect
import socket
import threading
import time
from typing import NamedTuple

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


