"""Every catalogue entry, reproduced on a local deployment as `coordcheck up
[--containers]` left it (or `coordcheck reset` put it back) with `coordcheck
break ID`, and diagnosed by the checklist: exactly that id, at the right
place, nothing unrelated, no password shown."""

import contextlib

import pytest

from coordcheck.lab.scenarios import SCENARIOS
from tests.conftest import CONTAINER_NAMES, Deployment, kolla_container_names, run_checklist, run_cli
from tests.lab.diagnosis import assert_diagnosed
from tests.lab.test_pristine import PLAIN


@pytest.fixture(scope="module")
def lab_for(tmp_path_factory):
    """One lab per kind (service containers, sentinel auth, release), made by `coordcheck up` for its first
    scenario; every later one starts from `faults: none`, as `coordcheck reset` leaves it (tested: green again)."""
    made, names, locked = {}, contextlib.ExitStack(), []

    def up(scenario):
        kind = (scenario.containers, scenario.sentinel_auth, scenario.release)
        if kind not in made:
            if scenario.containers:  # Kolla's container names: one such lab at a time, the lock taken once
                if not locked:
                    locked.append(names.enter_context(kolla_container_names()))
                for other in [k for k in made if k[0]]:
                    run_cli("down", "--dir", str(made.pop(other).root))
            root = tmp_path_factory.mktemp("kolla") / "kolla"
            run_cli("up", "--dir", str(root), *([] if scenario.sentinel_auth else ["--no-sentinel-auth"]),
                    *(["--containers"] if scenario.containers else []),
                    *(["--release", scenario.release] if scenario.release else []), timeout=900)
            made[kind] = Deployment(root)
        return made[kind]

    with names:
        yield up
        for deployment in made.values():
            run_cli("down", "--dir", str(deployment.root))


#: netns scenarios: tests/lab/test_netns.py; diagnosed in tests/runbook/test_containers.py, whose cloud is built with it: the
#: wait for the service's log line (minutes) is paid once; the consumers' scenarios there too (TestConsumers), on one lab
ELSEWHERE = {"SERVICE_LOG_ERRORS", "JOBBOARD_NO_SENTINEL_AUTH", "HORIZON_NO_SENTINEL_AUTH", "SENTINEL_AUTH_MISSING_GNOCCHI"}


@pytest.mark.parametrize("name", [pytest.param(name, marks=[CONTAINER_NAMES] if SCENARIOS[name].containers else [])
                                  for name in SCENARIOS if name not in ELSEWHERE and not SCENARIOS[name].netns])
def test_scenario_is_diagnosed(name, lab_for, tmp_path):
    scenario = SCENARIOS[name]
    deployment = lab_for(scenario)
    assert "faults: none" in run_cli("status", "--dir", str(deployment.root)).stdout
    try:
        assert_diagnosed(scenario, deployment, tmp_path)
        if name not in PLAIN:   # the plain ones: tests/lab/test_pristine.py, on one lab
            assert_reset_makes_it_green(deployment, name, tmp_path)
    finally:  # the next scenario of this kind starts as `up` left the lab
        if "faults: none" not in run_cli("status", "--dir", str(deployment.root)).stdout:
            run_cli("reset", "--dir", str(deployment.root), timeout=300)


def assert_reset_makes_it_green(deployment, name, tmp_path):
    """`coordcheck reset` after a container's or a lab without sentinel password's `break`: the checklist green again."""
    assert f"reset: {name} undone" in run_cli("reset", "--dir", str(deployment.root), timeout=300).stdout
    assert "faults: none" in run_cli("status", "--dir", str(deployment.root)).stdout
    run = run_checklist(*deployment.checklist_args(), tmp_path=tmp_path / "after-reset", cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-4000:]
