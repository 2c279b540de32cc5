"""coordcheck.kolla.releases.options: the consumer options Kolla renders as rows of data — per consumer and
project the file, section, option, value and condition (Jinja) and the point releases that render them."""

import pytest
from jinja2 import TemplateSyntaxError

from coordcheck.kolla.releases import build
from coordcheck.kolla.releases.options import PARSERS, PROJECTS, ROWS, rows_of
from coordcheck.kolla.releases.points import PUBLISHED, in_range
from coordcheck.kolla.render.sandbox import Sandbox


def test_a_project_renders_its_own_rows_or_the_consumers_shared_ones():
    assert rows_of("tooz", "mistral") is ROWS["tooz"]["mistral"] and rows_of("tooz", "cinder") is ROWS["tooz"]["*"]
    assert {r.consumer for rows in (rows_of(c, p) for c in PROJECTS for p in PROJECTS[c]) for r in rows} <= set(PARSERS)
    assert set(PROJECTS) == set(PARSERS) == set(ROWS)


def test_every_range_is_a_valid_spec():
    specs = [spec for projects in PROJECTS.values() for _, _, spec in projects.values()]
    specs += [r.releases for table in ROWS.values() for rows in table.values() for r in rows]
    for spec in specs:
        low, _, high = spec.partition("-")
        assert in_range(low, spec) and (not high or in_range(high, spec)), spec


@pytest.mark.parametrize("major", sorted(PUBLISHED))
def test_every_value_and_condition_is_jinja_the_sandbox_parses(major):
    sandbox = Sandbox()
    for option in build(PUBLISHED[major][-1]).options:
        try:
            sandbox.parse(option.value)
            sandbox.parse("{{ %s }}" % option.when)
        except TemplateSyntaxError as exc:
            pytest.fail(f"{option.project} {option.section} {option.option}: {exc}")


def test_only_the_services_a_row_names_render_it():
    masakari = [o for o in build("23.0.0").options_of("tooz") if o.project == "masakari"]
    assert masakari and all(o.services == ("masakari-api",) for o in masakari)
    assert not [o for o in build("21.0.0").options if o.project == "ironic"]  # ironic-inspector left in 2025.2
    assert [o for o in build("20.6.0").options if o.project == "ironic"]
