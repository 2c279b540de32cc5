"""coordcheck.kolla.render.sandbox: Jinja for templates from an untrusted config repository — an immutable
sandbox, variables rendered lazily (never a ``!unsafe`` one), nesting bounded, and every render under one
size and time budget charged from inside it, so that a template bomb stops inside the render."""

import signal
import time

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from coordcheck.kolla import KollaError
from coordcheck.kolla.render.budget import TemplateTimeout
from coordcheck.kolla.render.sandbox import MAX_DEPTH, Sandbox, option_line, time_limit
from coordcheck.kolla.variables import Unsafe
from tests.kolla.hostile import bounded, render

JINJA_BOMBS = {
    "~ doubling": "{% set ns = namespace(x='x') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x }}",
    "+ doubling": "{% set ns = namespace(x='x') %}{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x }}",
    "list doubling": "{% set ns = namespace(x=[1]) %}{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x }}",
    "*": "{{ 'x' * 10 ** 12 }}",
    "** chain": "{{ ((9 ** 64) ** 64) ** 64 ** 2 }}",
    "join": "{{ (['x' * 900000] * 1000) | join }}",
    "str.join": "{{ ''.join(['x' * 900000] * 1000) }}",
    "replace": "{{ ('a' * 100000) | replace('a', 'a' * 1000) }}",
    "center": "{{ 'x' | center(10 ** 9) }}",
    "str.ljust": "{{ 'x'.ljust(10 ** 9) }}",
    "indent": "{{ 'a\\nb' | indent(10 ** 9) }}",
    "format width": "{{ '%0999999999d' | format(1) }}",
    "% width": "{{ '%0999999999d' % 1 }}",
    "str.format width": "{{ '{:>999999999}'.format(1) }}",
    "loop output": "{% for a in range(99999) %}{% for b in range(99999) %}xxxxxxxx{% endfor %}{% endfor %}",
    "loop": "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
    "list building": "{% set ns = namespace(x=[]) %}{% for a in range(99999) %}{% set ns.x = ns.x + [a] %}{% endfor %}",
}


@pytest.mark.parametrize("name", sorted(JINJA_BOMBS))
def test_a_template_bomb_stops_inside_the_render(hostile_repo, name):
    (hostile_repo / "etc/kolla/config/cinder.conf").write_text(f"[coordination]\nbackend_url = {JINJA_BOMBS[name]}\n")
    rendered = bounded(lambda: render(hostile_repo))
    errors = [e for e in rendered.errors if "config/cinder.conf" in e.place]
    assert errors and all("\n" not in e.message for e in errors)
    assert any(w in errors[0].message for w in ("longer than", "larger than", "more than", "runs longer")), errors[0]


def rendered(text: str, **variables) -> str:
    sandbox = Sandbox()
    return sandbox.render_bounded(sandbox.from_string(text), variables)


def test_variables_that_are_templates_render_when_read_unless_unsafe():
    assert rendered("{{ a ~ b }}", a="x", b="y") == "xy"
    assert rendered("{{ url }}", url="redis://{{ host }}:26379", host="ctl1") == "redis://ctl1:26379"
    assert rendered("{{ url }}", url=Unsafe("redis://{{ host }}:26379"), host="ctl1") == "redis://{{ host }}:26379"


def test_nothing_is_mutated_reached_through_attributes_or_left_undefined():
    with pytest.raises(SecurityError, match="append"):
        rendered("{{ [1].append(2) }}")
    with pytest.raises(SecurityError, match="__class__"):
        rendered("{{ ''.__class__ }}")
    with pytest.raises(UndefinedError, match="'nope' is undefined"):
        rendered("{{ nope }}")


def test_a_variable_that_names_itself_stops_at_the_nesting_bound():
    with pytest.raises(KollaError, match=f"^a: templates nest deeper than {MAX_DEPTH} levels"):
        rendered("{{ a }}", a="{{ a }}")


def test_a_step_stuck_past_the_time_limit_is_interrupted():
    started = time.monotonic()
    with pytest.raises(TemplateTimeout):
        with time_limit(0.2):
            signal.pause()  # one long step that no budget check interrupts: only the timer does
    assert time.monotonic() - started < 2


def test_option_line_is_the_last_setting_in_its_section():
    text = "[coordination]\nbackend_url = a\n[other]\nbackend_url = b\n[coordination]\nbackend_url: c\n"
    assert option_line(text, "coordination", "backend_url") == 6
    assert option_line(text, "other", "backend_url") == 4 and option_line(text, "profiler", "backend_url") is None
