"""redis-py's Sentinel discovery with a backend_url's own credentials, as
tooz runs it, with the reason of each sentinel's answer kept. Shipped with
`wire` onto hosts and into containers (`coordcheck.observe.remote`).

    found = discover(BackendURL.parse(url))
    found.ok, [a.error for a in found.answers]
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from redis.backoff import NoBackoff
from redis.retry import Retry

from coordcheck.interrupt import thread_pool
from coordcheck.address import Address
from coordcheck.secrets import Secret, reveal
from coordcheck.observe.wire import DEFAULT_TIMEOUT, Bound, _failure, client, hello


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

    with thread_pool(len(url.sentinels)) as pool:
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
