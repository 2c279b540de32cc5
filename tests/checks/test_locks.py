"""LOCKS_NOT_EXCLUSIVE from the probe's observations: both sides named with
their versions and Kolla releases, the fix says which releases differ; the
runner's pairs are log lines, not findings."""

from coordcheck.checks import locks as checks
from coordcheck.observe.locks import Attempt, Client, Exclusion


def client(label, host, container, tooz, redis_py):
    return Client(label, host, container, tooz, redis_py, run=None)


OLD = client("ctl1 cinder_volume", "ctl1", "cinder_volume", "8.1.0", "7.2.0")
NEW = client("ctl3 masakari_api", "ctl3", "masakari_api", "9.0.1", "8.1.0")
TWIN = client("ctl2 designate_worker", "ctl2", "designate_worker", "8.1.0", "7.2.0")
RUNNER = client("the runner", None, None, "9.1.0", "8.1.0")


def test_second_acquire_names_both_sides_and_the_releases():
    seen = Exclusion("coordcheck-probe-x", [Attempt(OLD, TWIN, False), Attempt(OLD, NEW, True)])
    [found] = checks.exclusion_findings(seen)
    assert found.id == "LOCKS_NOT_EXCLUSIVE" and found.where.host == "ctl3" and found.where.container == "masakari_api"
    assert "ctl1 cinder_volume (tooz 8.1.0, redis-py 7.2.0; Kolla 2026.1) held" in found.evidence
    assert "ctl3 masakari_api (tooz 9.0.1, redis-py 8.1.0; Kolla 2026.2) acquired it at once" in found.evidence
    assert "b'_tooz'_b'coordcheck-probe-x'_lock" in found.evidence and "_tooz_coordcheck-probe-x_lock" in found.evidence
    assert "Kolla 2026.1 on ctl1 and Kolla 2026.2 on ctl3" in found.advice and "finish the upgrade" in found.advice


def test_exclusion_is_no_finding_and_runner_pairs_are_log_lines():
    seen = Exclusion("coordcheck-probe-y", [Attempt(OLD, TWIN, False), Attempt(OLD, RUNNER, True)])
    assert checks.exclusion_findings(seen) == []
    assert checks.runner_pairs(seen) == ["ctl1 cinder_volume (tooz 8.1.0, redis-py 7.2.0; Kolla 2026.1) and "
                                         "the runner (tooz 9.1.0, redis-py 8.1.0) do not exclude each other's locks"]


def test_versions_on_one_side_of_the_rename_are_not_explained_by_it():
    later = client("ctl2 x", "ctl2", "x", "9.1.0", "8.1.0")
    assert checks.why(NEW, later, "n") == "both held it at once"
