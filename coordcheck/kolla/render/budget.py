"""One size and time budget per template render, charged from inside the
render by everything that builds a string or a sequence (operators, ``~``,
filters, methods, loops, output), so that a hostile template stops within
its bound instead of after it.

    with budget():
        bounded(charged_value)     # raises BudgetExceeded past MAX_BUILT / MAX_RENDER
"""

from __future__ import annotations

import contextlib
import re
import threading
import time

from jinja2.sandbox import SecurityError

#: Largest string or sequence one operation may build.
MAX_BUILT = 1_000_000
#: Everything one render (nested renders included) may build, summed.
MAX_RENDER = 8_000_000
#: Largest integer an operator may build, in bits.
MAX_INT_BITS = 64 * 1024
#: Wall-time bound of one render.
TEMPLATE_SECONDS = 2.0
#: Filters and str methods whose integer arguments are widths (output sizes).
WIDTHS = frozenset("center indent wordwrap truncate ljust rjust zfill expandtabs format".split())
_CURRENT = threading.local()


class TemplateTimeout(Exception):
    """The render ran past its time budget."""


class BudgetExceeded(SecurityError):
    """The render built more than its size budget."""


class Budget:
    def __init__(self, seconds: float, size: int) -> None:
        self.seconds, self.size = seconds, size
        self.deadline, self.left = time.monotonic() + seconds, size

    def charge(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise BudgetExceeded(f"the template builds more than {self.size} characters in all")
        self.tick()

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateTimeout()


@contextlib.contextmanager
def budget(seconds: float = TEMPLATE_SECONDS, size: int = MAX_RENDER):
    """The budget of one render; renders nested in it share it."""
    outer = getattr(_CURRENT, "budget", None)
    if outer is not None:
        yield outer
        return
    _CURRENT.budget = Budget(seconds, size)
    try:
        yield _CURRENT.budget
    finally:
        _CURRENT.budget = None


def tick() -> None:
    found = getattr(_CURRENT, "budget", None)
    if found is not None:
        found.tick()


def size_of(value) -> int:
    """What building ``value`` cost: a string's length, a sequence's items and
    its strings' lengths (one level: a list of one big string repeated counts)."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        items = value.values() if isinstance(value, dict) else value
        return len(value) + sum(len(v) for v in items if isinstance(v, (str, bytes)))
    return 1


def refuse(what: str):
    raise BudgetExceeded(what)


def bounded(value):
    """``value`` charged to the render's budget, refused past `MAX_BUILT`."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        refuse(f"building an integer larger than {MAX_INT_BITS} bits")
    cost = size_of(value)
    if cost > MAX_BUILT:
        refuse(f"building a value longer than {MAX_BUILT}")
    found = getattr(_CURRENT, "budget", None)
    if found is not None:
        found.charge(cost)
    return value


def ticking(iterable):
    """An iterable that a template loops over, ticking the time budget."""
    for number, item in enumerate(iterable):
        if not number % 256:
            tick()
        yield item


def _width_numbers(fmt: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", fmt)]


def precheck(name: str, args: tuple, kwargs: dict) -> None:
    """Refuse an operation whose result would be too large, before it runs."""
    values = list(args) + list(kwargs.values())
    estimate = sum(size_of(v) for v in values)
    if name in WIDTHS:
        widths = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        if isinstance(args[0] if args else None, str) and name == "format":
            widths += _width_numbers(args[0])
            estimate = len(args[0]) * (1 + max([size_of(v) for v in values[1:]] or [0]))
        if widths and max(widths) > MAX_BUILT:
            refuse(f"a width larger than {MAX_BUILT}")
    if name == "replace" and len(args) >= 3 and all(isinstance(a, str) for a in args[:3]):
        text, old, new = args[:3]
        count = (len(text) + 1) if not old else text.count(old)
        estimate = len(text) + count * len(new)
    if estimate > MAX_BUILT:
        refuse(f"building a value longer than {MAX_BUILT}")
    tick()


def binop(operator: str, left, right) -> None:
    """Refuse ``left <operator> right`` before it builds something too large."""
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
    if operator == "**" and ints:
        if abs(right) > 64 or (right > 0 and left.bit_length() * right > MAX_INT_BITS):
            refuse("an exponent that builds an integer larger than "
                   f"{MAX_INT_BITS} bits" if abs(right) <= 64 else "an exponent larger than 64")
    elif operator == "*" and ints:
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            refuse(f"building an integer larger than {MAX_INT_BITS} bits")
    elif operator == "*":
        count, item = (right, left) if isinstance(right, int) else (left, right)
        if isinstance(count, int) and size_of(item) * max(count, 0) > MAX_BUILT:
            refuse(f"building a value longer than {MAX_BUILT}")
    elif operator == "+":
        if size_of(left) + size_of(right) > MAX_BUILT and not ints:
            refuse(f"building a value longer than {MAX_BUILT}")
    elif operator == "%" and isinstance(left, str):
        precheck("format", (left, right), {})
    tick()
