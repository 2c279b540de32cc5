"""Drift cannot hide: every published kolla-ansible point release of 19.x-23.x, read from its wheel
(tests/kolla/wheel_facts.py: fetched once, its facts cached; make test fetches them first), renders nothing
the tables (coordcheck.kolla.releases) do not cover: the index lists no release they lack, every change between
point releases of a series starts a range there or is named as changing nothing the gate renders, and the
defaults the tables spell as Kolla does are the release's own."""
import fnmatch
import json
import re

import pytest

from coordcheck.kolla import truthy
from coordcheck.kolla.releases import build
from coordcheck.kolla.releases.defaults import SIMPLIFIED
from coordcheck.kolla.releases.points import CHANGES, PUBLISHED, UNMODELED, key
from tests.kolla import wheel_facts


@pytest.fixture(scope="module")
def facts() -> dict[str, dict[str, str]]:
    """point release -> what the gate models of it, for every published point release the tables know."""
    return wheel_facts.published_facts()


def test_the_tables_know_every_published_point_release():
    known = sorted((v for series in PUBLISHED.values() for v in series), key=key)
    on_index = wheel_facts.published()
    assert not set(on_index) - set(known), (
        f"kolla-ansible {sorted(set(on_index) - set(known), key=key)} published but not in "
        "coordcheck/kolla/releases/points.py PUBLISHED: read its wheel (this test) and add it, a range if it changes")
    assert not set(known) - set(on_index), f"{sorted(set(known) - set(on_index))} are not on the index"


def _accounted(point: str, fact: str) -> bool:
    return (point, fact) in UNMODELED or point in CHANGES and any(
        fnmatch.fnmatchcase(fact, pattern) for pattern in CHANGES[point][1])


def test_every_change_inside_a_series_is_a_range_or_named(facts):
    """Between two point releases of a series, each fact that changed starts a range (CHANGES) or is named
    as changing nothing the gate renders (UNMODELED); and no entry there names a change that did not happen."""
    hidden, changed = [], set()
    for series in PUBLISHED.values():
        for before, point in zip(series, series[1:]):
            a, b = facts[before], facts[point]
            for fact in sorted(set(a) | set(b)):
                if a.get(fact) != b.get(fact):
                    changed.add((point, fact))
                    if not _accounted(point, fact):
                        hidden.append(f"{point} (after {before}): {fact}")
    assert not hidden, f"{len(hidden)} changes the tables do not cover: {hidden[:8]}"
    assert not set(UNMODELED) - changed, f"UNMODELED names no change: {sorted(set(UNMODELED) - changed)}"
    starts = {p for p, _ in changed}
    assert set(CHANGES) <= starts, f"a range starts where nothing changed: {sorted(set(CHANGES) - starts)}"
    for point, (_, patterns) in CHANGES.items():
        unused = [p for p in patterns if not any(fnmatch.fnmatchcase(f, p) for q, f in changed if q == point)]
        assert not unused, f"CHANGES[{point}] names facts that did not change: {unused}"


def _same(ours, theirs) -> bool:
    if isinstance(theirs, bool):  # YAML's true/false where the tables spell "yes"/"no": the same to | bool
        return truthy(ours) == theirs
    if isinstance(ours, str) and isinstance(theirs, str):
        return " ".join(ours.split()) == " ".join(theirs.split())
    return ours == theirs


@pytest.mark.parametrize("series", sorted(PUBLISHED))
def test_defaults_are_kollas_own_and_the_flavors_its_roles(series, facts):
    """The tables' defaults of each point release are its group_vars' and role defaults' text (where the wheel
    defines the name), its flavors are the roles it ships, and every connection-string or backend variable of
    the release is one the tables define."""
    for point in PUBLISHED[series]:
        release, own = build(point), facts[point]
        assert " ".join(release.flavors) == own["roles:flavors"], point
        differ = [f"{k}: tables {v!r}, kolla-ansible {json.loads(own['var:' + k])!r}"
                  for k, v in release.defaults.items()
                  if f"var:{k}" in own and k not in SIMPLIFIED and not _same(v, json.loads(own[f"var:{k}"]))]
        assert not differ, f"kolla-ansible {point}: {differ[:4]}"
        wanted = [f[4:] for f in own if re.fullmatch(
            r"var:(\w+_connection_string(_extras)?|\w+_coordination_backend|gnocchi_incoming_storage|enable_(redis|"
            r"valkey)|(redis|valkey)_sentinel_port|valkey_sentinel_monitor_name|horizon_session_cache_backend)", f)]
        missing = sorted(k for k in wanted if k not in release.defaults and not k.startswith(("opensearch", "etcd"))
                         and not (k.startswith("redis_") and "redis" not in release.flavors))  # kept for migrate-valkey
        assert not missing, f"kolla-ansible {point} defines {missing}, which the tables do not"
