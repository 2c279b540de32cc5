"""The verdict at tooz's first failed attempt: a script fragment appended to
``handshake.py``'s source (`coordcheck.observe.tooz.script`), whose
``first_failure_main`` runs that script's ``main`` with one handler on tooz's
own logger.

tooz's ``_handle_failures`` retries a ConnectionError 15 times (no delay,
the same code path each time) and logs each retry on its logger
``tooz.drivers.redis``: ``"Redis connection error, will retry - %s"`` with
redis-py's exception as the argument (tooz 6.3 ... 9.1 alike). The handler
raises, at that first record, what tooz raises after its last try —
``ToozConnectionError(str(error))``, caused by redis-py's error — so the
handshake reports tooz's own exception and the client's versions at once
instead of at its deadline. Only tooz's public surface is used: its logger
and its exception class; no private function is called or replaced.

One attempt of tooz is itself slow with redis-py 8 (its default Retry backs
off about 4 s per sentinel, 12 s for three): the client is made with retries
disabled, as every coordcheck probe is. tooz calls ``redis.sentinel.Sentinel``
by its module attribute; that attribute becomes a subclass that adds
redis-py's public ``retry=Retry(NoBackoff(), 0)`` to the sentinels' and the
master's connection arguments (redis-py >= 4.0; older ones are left as they are).
``params["as_service"]``: neither, the client as the service runs it (its retries).

Standard library and tooz only; old Pythons (no f-strings).
"""

import logging as _logging

#: the message tooz logs before each retry of a failed call
TOOZ_RETRY = "Redis connection error, will retry"
TOOZ_LOGGER = "tooz.drivers.redis"


class FirstFailure(_logging.Handler):
    """Raise tooz's verdict at its first "will retry" record."""

    def emit(self, record):
        if not str(record.msg).startswith(TOOZ_RETRY):
            return
        error = record.args[0] if isinstance(record.args, tuple) and record.args else record.getMessage()
        from tooz import coordination

        raise coordination.ToozConnectionError(str(error))   # its __context__ is redis-py's error


def _sentinel_without_retries():
    """``redis.sentinel.Sentinel`` replaced by a subclass whose connections do not retry."""
    try:
        from redis import sentinel
        from redis.backoff import NoBackoff
        from redis.retry import Retry
    except ImportError:
        return
    base = sentinel.Sentinel

    class SentinelWithoutRetries(base):
        def __init__(self, sentinels, min_other_sentinels=0, sentinel_kwargs=None, **connection_kwargs):
            sentinel_kwargs = dict(sentinel_kwargs or {})
            sentinel_kwargs.setdefault("retry", Retry(NoBackoff(), 0))
            connection_kwargs.setdefault("retry", Retry(NoBackoff(), 0))
            base.__init__(self, sentinels, min_other_sentinels, sentinel_kwargs, **connection_kwargs)

    sentinel.Sentinel = SentinelWithoutRetries


def install_first_failure():
    """From now on in this Python, tooz's first failed attempt is its last."""
    _sentinel_without_retries()
    logger = _logging.getLogger(TOOZ_LOGGER)
    logger.setLevel(_logging.DEBUG)
    logger.propagate = False
    logger.addHandler(FirstFailure())


def first_failure_main(params):
    """``main(params)``, tooz's first failed attempt being its last."""
    if not params.get("as_service"):
        install_first_failure()
    main(params)
