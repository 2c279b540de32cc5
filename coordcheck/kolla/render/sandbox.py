"""Jinja for templates from a config repository, which is untrusted: an
immutable sandbox (no attribute walk to code, no mutation), lazy variables,
a bound on what operators may build and a wall-clock bound per template.

    Sandbox().from_string("{{ a ~ b }}").render(a="x", b="y")   # -> 'xy'
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading

import jinja2
import jinja2.sandbox
from jinja2.runtime import Context

from coordcheck.kolla import KollaError, truthy
from coordcheck.kolla.variables import Unsafe

#: How deep templates may reference templates (a loop would never end).
MAX_DEPTH = 20
#: Wall-time bound of one template (a config under review may be hostile).
TEMPLATE_SECONDS = 2.0
#: Largest string or list an operator in a template may build.
MAX_BUILT = 1_000_000


class TemplateTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt a template that runs longer than ``seconds`` (main thread)."""
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def expired(signum, frame):
        raise TemplateTimeout()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class LazyContext(Context):
    """Variables that are templates themselves are rendered when a template
    reads them, as Ansible does; ``!unsafe`` values never are."""

    def resolve_or_missing(self, key: str):
        value = super().resolve_or_missing(key)
        if isinstance(value, str) and not isinstance(value, Unsafe) and ("{{" in value or "{%" in value):
            return self.environment.render_nested(value, self.get_all(), key)
        return value


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja for untrusted text (a config repository under review): no
    attribute access to internals, no mutation, no code; the filters Kolla
    configs use."""

    context_class = LazyContext
    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator: str, left, right):
        """``*`` and ``**`` bounded: no memory or CPU bomb from one line."""
        if operator == "**" and abs(right) > 64:
            raise jinja2.sandbox.SecurityError("an exponent larger than 64")
        if operator == "*" and isinstance(left, (str, list)) and isinstance(right, int) and \
                len(left) * right > MAX_BUILT:
            raise jinja2.sandbox.SecurityError(f"building a value longer than {MAX_BUILT}")
        if operator == "*" and isinstance(right, (str, list)) and isinstance(left, int) and \
                len(right) * left > MAX_BUILT:
            raise jinja2.sandbox.SecurityError(f"building a value longer than {MAX_BUILT}")
        return super().call_binop(context, operator, left, right)

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        for name in ("cycler", "joiner", "lipsum"):
            self.globals.pop(name, None)
        self.filters.update(bool=truthy, ternary=lambda v, yes, no=None: yes if v else no,
                            mandatory=lambda v: v, regex_replace=lambda v, p, r="": re.sub(p, r, str(v)))
        self.depth = threading.local()

    def render_nested(self, text: str, variables: dict, key: str) -> str:
        depth = getattr(self.depth, "value", 0)
        if depth >= MAX_DEPTH:
            raise KollaError(f"{key}: templates nest deeper than {MAX_DEPTH} levels (a loop?)")
        self.depth.value = depth + 1
        try:
            return self.from_string(text).render(variables)
        finally:
            self.depth.value = depth


def option_line(text: str, section: str, option: str) -> int | None:
    """1-based line of the last ``option =`` in ``[section]`` of an INI text."""
    current, found = None, None
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            current = header.group(1).strip()
        elif current == section and re.match(rf"\s*{re.escape(option)}\s*[=:]", line):
            found = number
    return found
