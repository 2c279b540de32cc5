"""Jinja for templates from a config repository, which is untrusted: an
immutable sandbox (no attribute walk to code, no mutation), lazy variables,
and one size and time budget per render, charged from inside it
(coordcheck.kolla.render.budget).

    Sandbox().from_string("{{ a ~ b }}").render(a="x", b="y")   # -> 'xy'
"""

from __future__ import annotations

import contextlib
import functools
import re
import signal
import threading
import types

import jinja2
import jinja2.sandbox
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.runtime import Context

from coordcheck.kolla.render import budget
from coordcheck.kolla import KollaError, truthy
from coordcheck.kolla.render.budget import TEMPLATE_SECONDS, TemplateTimeout  # noqa: F401 (the renderers' names)
from coordcheck.kolla.variables import Unsafe

#: How deep templates may reference templates (a loop would never end).
MAX_DEPTH = 20


@contextlib.contextmanager
def time_limit(seconds: float):
    """Also interrupt a template stuck in one long step (main thread only;
    the budget's own clock, checked inside the render, works in any thread)."""
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


class BoundedCode(CodeGenerator):
    """Template code whose ``~`` and loops go through the render's budget."""

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def visit_For(self, node: nodes.For, frame) -> None:
        if not getattr(node, "coordcheck_ticking", False):
            node.iter = nodes.Call(nodes.EnvironmentAttribute("ticking"), [node.iter], [], None, None)
            node.coordcheck_ticking = True
        super().visit_For(node, frame)


def _guarded(name: str, function):
    """A filter that is prechecked, and whose result is charged, inside the render."""
    @functools.wraps(function)
    def guarded(*args, **kwargs):
        shown = args[1:] if getattr(function, "jinja_pass_arg", None) else args
        budget.precheck(name, shown, kwargs)
        result = function(*args, **kwargs)
        if isinstance(result, (types.GeneratorType, map, filter)):
            return budget.ticking(result)
        return budget.bounded(result)
    return guarded


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
    configs use; everything a render builds under one size and time budget."""

    context_class = LazyContext
    code_generator_class = BoundedCode
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        for name in ("cycler", "joiner", "lipsum"):
            self.globals.pop(name, None)
        self.add_filters(**self.filters)
        self.add_filters(bool=truthy, ternary=lambda v, yes, no=None: yes if v else no,
                         mandatory=lambda v: v, regex_replace=lambda v, p, r="": re.sub(p, r, str(v)))
        self.depth = threading.local()
        self.ticking = budget.ticking

    def add_filters(self, **filters) -> None:
        self.filters.update({name: _guarded(name, f) for name, f in filters.items()})

    def call_binop(self, context, operator: str, left, right):
        budget.binop(operator, left, right)
        return budget.bounded(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja's own signature)
        """Methods and globals: a str method's widths and a join's parts checked first."""
        owner = getattr(__obj, "__self__", None)
        owner = getattr(getattr(__obj, "__wrapped__", None), "__self__", owner)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, (str, list, dict, tuple)):
            budget.precheck(name, (owner, *args), kwargs)
        else:
            budget.tick()
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, (types.GeneratorType, map, filter)):
            return budget.ticking(result)
        return budget.bounded(result)

    def bounded_concat(self, parts: tuple) -> str:
        """``a ~ b ~ c``: the parts' size checked before they are joined."""
        texts = [str(p) for p in parts]
        total = sum(map(len, texts))
        if total > budget.MAX_BUILT:
            budget.refuse(f"building a value longer than {budget.MAX_BUILT}")
        return budget.bounded("".join(texts))

    def render_bounded(self, template: jinja2.Template, variables: dict) -> str:
        """``template`` rendered within one budget (nested renders share it),
        its output charged chunk by chunk."""
        with budget.budget() as found:
            out = []
            for chunk in template.generate(variables):
                found.charge(len(chunk))
                out.append(chunk)
            return "".join(out)

    def render_nested(self, text: str, variables: dict, key: str) -> str:
        depth = getattr(self.depth, "value", 0)
        if depth >= MAX_DEPTH:
            raise KollaError(f"{key}: templates nest deeper than {MAX_DEPTH} levels (a loop?)")
        self.depth.value = depth + 1
        try:
            return self.render_bounded(self.from_string(text), variables)
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
