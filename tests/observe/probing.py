"""Helpers of the probes' tests: a probe timed, its text clean of
tracebacks, control characters and the password."""

import time

from coordcheck.secrets import Secret
from tests.conftest import assert_no_secret

#: a password no URL could carry: the masking must hold for it
PW = Secret("s3cret-Pw/#?&")

TIMEOUT = 1.0
#: a probe of a garbage server ends within its bound, plus this
SLACK = 1.0
GARBAGE = ["junk", "close", "trickle", "huge", "resp-then-junk", "resp-then-echo"]


def timed(action):
    started = time.monotonic()
    result = action()
    return time.monotonic() - started, result


def assert_clean(text: str) -> None:
    """No traceback, no control character, no password."""
    assert "Traceback" not in text and "site-packages/redis" not in text
    assert not any(ord(c) < 0x20 and c not in "\n" for c in text), repr(text)
    assert_no_secret(text, PW)
