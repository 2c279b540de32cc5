"""Passwords that never print.

    >>> pw = Secret("s3cret")
    >>> f"{pw}", repr(pw), pw.reveal()
    ('***', '***', 's3cret')
    >>> redact("AUTH s3cret", [pw])
    'AUTH ***'
"""

from __future__ import annotations

from typing import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"


class Secret:
    """A password: shows as ``***`` in str, repr, f-strings and tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value: pass it to a client library, never to a message."""
        return self._value

    def __str__(self) -> str:
        return MASK

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def reveal(secret: Secret | None) -> str | None:
    return secret.reveal() if secret is not None else None


def spellings(secret: Secret) -> set[str]:
    """Every way a password can appear in text: raw and URL-encoded."""
    value = secret.reveal()
    return {s for s in (value, quote(value, safe=""), quote_plus(value)) if s}


def redact(text: str, secrets: Iterable[Secret | None]) -> str:
    """Replace every spelling of every secret in ``text`` with ``***``."""
    words = {w for s in secrets if s for w in spellings(s)}
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, MASK)
    return text
