"""coordcheck.kolla.releases.points: the published point releases as data, the ranges that render alike
inside a series, and what the other ranges of a series render differently."""

from coordcheck.kolla.releases import build
from coordcheck.kolla.releases.points import CHANGES, PUBLISHED, differences, in_range, key, label, range_of, starts


def test_ranges_cover_every_published_point_release():
    for major, points in PUBLISHED.items():
        for point in points:
            first, last = range_of(point)
            assert first <= point <= last or (first, last) == (point, point), point
    assert [range_of(p) for p in ("19.3.0", "19.4.0", "20.3.0", "20.4.0")] == [
        ("19.0.0", "19.3.0"), ("19.4.0", "19.8.0"), ("20.0.0", "20.3.0"), ("20.4.0", "20.6.0")]
    old, new = build("19.3.0"), build("19.4.0")
    port = {r.point: next(o.value for o in r.options if o.option == "jobboard_backend_port") for r in (old, new)}
    assert port == {"19.3.0": '"{{ redis_port }}"', "19.4.0": "{{ redis_sentinel_port }}"}


def test_a_range_starts_at_each_change_of_a_series():
    assert starts("19") == ["19.0.0", "19.4.0"] and starts("20") == ["20.0.0", "20.4.0"] and starts("21") == ["21.0.0"]
    assert all(p in PUBLISHED[p.split(".")[0]] for p in CHANGES)
    assert range_of("20.9.0") == ("20.4.0", "20.6.0")  # newer than the newest published: the series' newest range


def test_ranges_compare_as_versions_not_as_text():
    assert key("20.10.0") > key("20.9.0") and in_range("20.10.0", "20.4.0-") and not in_range("20.10.0", "20.4.0-20.6.0")
    assert in_range("20.4.0", "20.4.0-20.6.0") and in_range("20.6.0", "20.4.0-20.6.0") and not in_range("20.3.0", "20.4.0-")
    assert label("23.0.0", "23.0.0") == "23.0.0" and label("20.4.0", "20.6.0") == "20.4.0-20.6.0"


def test_differences_name_the_other_ranges_and_what_changed():
    [other] = differences("20.6.0")
    assert other.startswith("20.0.0-20.3.0 (changed at 20.4.0: the valkey role beside redis")
    assert differences("19.0.0") == [f"19.4.0-19.8.0 (changed at 19.4.0: {CHANGES['19.4.0'][0]})"]
    assert differences("21.3.0") == []
