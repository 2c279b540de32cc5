"""Passwords that never print: masked by value, once, where output leaves.

Every secret the run learns (a `Secret`, every value of passwords.yml, the
inventory's connection passwords, any password in a URL) is registered in
`KNOWN`; `KNOWN.mask` replaces every form it can take in text — as written,
percent-encoded or decoded, escaped for repr/JSON/XML, and the pieces a URL
or template parser cuts it into (at ``/ # ? & @ : [ ] { }`` and more). The
output boundary (log records, the terminal, test reports, junit and every
file a run writes) applies it.

    >>> pw = Secret("s3cret/pw")
    >>> f"{pw}", repr(pw), pw.reveal()
    ('***', '***', 's3cret/pw')
    >>> redact("AUTH s3cret/pw; path /pw; s3cret%2Fpw")
    'AUTH ***; path /pw; ***'
"""

from __future__ import annotations

import html
import xml.sax.saxutils as xml_escape
import json
import logging
import re
import threading
from typing import Iterable
from urllib.parse import quote, quote_plus, unquote, unquote_plus

MASK = "***"
#: Shorter values are not masked by value (they would mask ordinary words).
MIN_SECRET = 3
#: Pieces of a secret cut at delimiters are masked from this length on.
MIN_FRAGMENT = 4
#: Where a URL or template parser cuts a value, and then quotes a piece of it in its error
#: (tooz: "'cdefgh' does not appear to be an IPv4 or IPv6 address"; Jinja: "'word' is undefined").
DELIMITERS = "/#?&@:;= +%[]{}()<>|,'\"\\"
#: Inventory variables that hold connection secrets.
INVENTORY_SECRETS = ("ansible_password", "ansible_ssh_pass", "ansible_ssh_password", "ansible_become_password",
                     "ansible_become_pass", "ansible_sudo_pass", "ansible_sudo_password")


def _pieces(value: str) -> set[str]:
    """Substrings between URL delimiters (and across a few of them)."""
    cuts = [i for i, c in enumerate(value) if c in DELIMITERS][:24]
    if not cuts:
        return set()
    starts = [0, *(i + 1 for i in cuts)]
    ends = [*cuts, len(value)]
    return {value[a:b] for a in starts for b in ends if b - a >= MIN_FRAGMENT and value[a:b] != value}


#: Most paths kept readable (`Redactor.allow`).
MAX_PUBLIC = 20_000
#: Longer secrets (a key file, say) are masked as written and encoded only.
MAX_PIECED = 4096


def _spellings(value: str) -> set[str]:
    spellings = {value, value.strip(), repr(value)[1:-1], ascii(value)[1:-1], json.dumps(value)[1:-1],
                 json.dumps(value, ensure_ascii=False)[1:-1], html.escape(value), html.escape(value, quote=False),
                 xml_escape.escape(value, {'"': "&quot;", "'": "&apos;", "\n": "&#10;"})}
    for encode in (lambda v: quote(v, safe=""), quote, quote_plus, unquote, unquote_plus,
                   lambda v: v.encode("unicode_escape").decode("ascii")):
        try:
            spellings.add(encode(value))
        except (UnicodeError, ValueError):  # lone surrogates (bytes from argv): no such spelling
            pass
    return spellings


def forms(value: str) -> set[str]:
    """Every spelling of ``value`` that output may carry."""
    found = {w for w in _spellings(value) if len(w) >= MIN_SECRET}
    if len(value) <= MAX_PIECED:
        for spelling in (value, unquote(value), unquote_plus(value)):
            found |= _pieces(spelling)
        if "\n" in value:
            found |= {line.strip() for line in value.splitlines() if len(line.strip()) >= 8}
    return {f for f in found if f.strip(DELIMITERS)}


def _alternation(words: Iterable[str], depth: int = 0) -> str:
    """One regex for many literal words: factored by their first characters
    (three levels deep, so matching rejects most positions at once), longest
    first at the leaves (an alternation takes the first that matches)."""
    words = sorted(set(words), key=lambda w: (-len(w), w))
    if depth == 3 or len(words) < 8:
        return "|".join(re.escape(w) for w in words)
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[:1], []).append(word[1:])
    branches = []
    for first, rests in sorted(groups.items(), key=lambda kv: -max(map(len, kv[1]))):
        tails = [r for r in rests if r]
        inner = f"(?:{_alternation(tails, depth + 1)})" if tails else ""
        branches.append(re.escape(first) + (inner + ("?" if "" in rests else "") if tails else ""))
    return "|".join(branches)


class Redactor:
    """The run's secrets and the one function that masks them."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._words: set[str] = set()
        self._pattern: re.Pattern | None = None
        self._public: set[str] = set()
        self._public_pattern: re.Pattern | None = None
        self._lock = threading.Lock()

    def saved(self) -> tuple:
        """What it knows now; `restore` goes back to it (a process that makes
        several runs, such as the project's own tests, keeps them apart)."""
        with self._lock:
            return set(self._values), set(self._words), set(self._public)

    def restore(self, state: tuple) -> None:
        with self._lock:
            self._values, self._words, self._public = (set(s) for s in state)
            self._pattern = self._public_pattern = None

    def allow(self, path: object) -> None:
        """A path the run opens or was given: readable as written, never
        masked inside (a password that happens to be a folder name, say
        ``/home/kolla`` with vault password ``kolla``); a password anywhere
        else in the same text still is."""
        text = str(path)
        if len(text) >= MIN_SECRET and text not in self._public and len(self._public) < MAX_PUBLIC:
            with self._lock:
                self._public.add(text)
                self._public_pattern = None

    def add(self, value: object) -> None:
        """Register a secret (str), or every string in a mapping/list."""
        if isinstance(value, dict):
            for item in value.values():
                self.add(item)
        elif isinstance(value, (list, tuple, set)):
            for item in value:
                self.add(item)
        elif isinstance(value, str):
            value = str(value)  # AnsibleVaultEncryptedUnicode and friends: their plain text
            if len(value) >= MIN_SECRET and value not in self._values:
                with self._lock:
                    self._values.add(value)
                    new = forms(value) - self._words
                    if new:
                        self._words |= new
                        self._pattern = None

    def mask(self, text: str) -> str:
        if not self._words or not text:
            return text
        pattern = self._pattern
        if pattern is None:
            with self._lock:
                pattern = self._pattern = re.compile(_alternation(self._words))
        if not self._public or not pattern.search(text):
            return _greedy(pattern, text)
        public = self._public_pattern
        if public is None:
            with self._lock:
                public = self._public_pattern = re.compile(_alternation(self._public))
        spans = [m.span() for m in public.finditer(text)]

        def inside_a_path(found: re.Match) -> str:  # a secret wholly inside a path stays as written
            a, b = found.span()
            return found.group() if any(s <= a and b <= e for s, e in spans) else MASK
        return pattern.sub(inside_a_path, text)

    def __contains__(self, value: str) -> bool:
        return value in self._values

    def clear(self) -> None:
        """Forget every secret (a test that needs a clean slate)."""
        with self._lock:
            self._values.clear()
            self._words.clear()
            self._pattern = None
            self._public.clear()
            self._public_pattern = None


def _greedy(pattern: re.Pattern, text: str) -> str:
    return pattern.sub(MASK, text)


#: Every secret this process knows.
KNOWN = Redactor()


class Secret:
    """A password: shows as ``***`` in str, repr, f-strings and tracebacks,
    and is masked by value wherever output leaves the run."""

    __slots__ = ("_value",)

    def __init__(self, value: str, by_value: bool = True) -> None:
        """``by_value=False``: a text that holds passwords (a URL, a config)
        rather than being one; its passwords are registered on their own."""
        self._value = value
        if by_value:
            KNOWN.add(value)

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
    """Every way a password can appear in text (see `forms`)."""
    return forms(secret.reveal())


def redact(text: str, secrets: Iterable[Secret | None] = ()) -> str:
    """Mask every known secret (and ``secrets``) in ``text``."""
    for secret in secrets:
        if secret:
            KNOWN.add(secret.reveal())
    return KNOWN.mask(text)


class _MaskingRecords:
    """A log record factory: every record of every logger leaves masked."""

    def __init__(self, factory) -> None:
        self.factory = factory

    def __call__(self, *args, **kwargs) -> logging.LogRecord:
        record = self.factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a caller's bad format string: keep what it said
            message = f"{record.msg} {record.args}"
        masked = KNOWN.mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = KNOWN.mask(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = KNOWN.mask(record.stack_info)
        return record


def mask_log_records() -> None:
    """Install the masking record factory (once per process)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _MaskingRecords):
        logging.setLogRecordFactory(_MaskingRecords(factory))
