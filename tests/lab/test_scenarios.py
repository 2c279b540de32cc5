"""Every catalogue entry, reproduced on a fresh local deployment
(`coordcheck up [--containers]` + `coordcheck break ID`) and diagnosed by the
checklist: exactly that id, at the right place, nothing unrelated, no
password shown."""

import contextlib

import pytest

from coordcheck.lab.scenarios import SCENARIOS
from tests.conftest import CONTAINER_NAMES, Deployment, kolla_container_names, run_checklist, run_cli
from tests.lab.diagnosis import assert_diagnosed
from tests.lab.test_pristine import PLAIN


@pytest.fixture
def deployment_for(tmp_path):
    made = []

    def up(scenario):
        root = tmp_path / "kolla"
        if scenario.containers:
            held.enter_context(kolla_container_names())
        run_cli("up", "--dir", str(root), *([] if scenario.sentinel_auth else ["--no-sentinel-auth"]),
                *(["--containers"] if scenario.containers else []),
                *(["--release", scenario.release] if scenario.release else []), timeout=900)
        made.append(root)
        return Deployment(root)

    with contextlib.ExitStack() as held:
        yield up
        for root in made:
            run_cli("down", "--dir", str(root))


#: netns scenarios: tests/lab/test_netns.py; diagnosed in tests/runbook/test_containers.py, whose cloud is built with it: the
#: wait for the service's log line (minutes) is paid once; the consumers' scenarios there too (TestConsumers), on one lab
ELSEWHERE = {"SERVICE_LOG_ERRORS", "JOBBOARD_NO_SENTINEL_AUTH", "HORIZON_NO_SENTINEL_AUTH", "SENTINEL_AUTH_MISSING_GNOCCHI"}


@pytest.mark.parametrize("name", [pytest.param(name, marks=[CONTAINER_NAMES] if SCENARIOS[name].containers else [])
                                  for name in SCENARIOS if name not in ELSEWHERE and not SCENARIOS[name].netns])
def test_scenario_is_diagnosed(name, deployment_for, tmp_path):
    scenario = SCENARIOS[name]
    deployment = deployment_for(scenario)
    assert_diagnosed(scenario, deployment, tmp_path)
    if name not in PLAIN:   # the plain ones: tests/lab/test_pristine.py, on one lab
        assert_reset_makes_it_green(deployment, name, tmp_path)


def assert_reset_makes_it_green(deployment, name, tmp_path):
    """`coordcheck reset` after a container's or a lab without sentinel password's `break`: the checklist green again."""
    assert f"reset: {name} undone" in run_cli("reset", "--dir", str(deployment.root), timeout=300).stdout
    assert "faults: none" in run_cli("status", "--dir", str(deployment.root)).stdout
    run = run_checklist(*deployment.checklist_args(), tmp_path=tmp_path / "after-reset", cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-4000:]
