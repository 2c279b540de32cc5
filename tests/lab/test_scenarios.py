"""Every catalogue entry, reproduced on a fresh local deployment
(`coordcheck up [--containers]` + `coordcheck break ID`) and diagnosed by the
checklist: exactly that id, at the right place, nothing unrelated, no
password shown."""

import contextlib

import pytest

from coordcheck.lab.scenarios import SCENARIOS
from tests.conftest import CONTAINER_NAMES, Deployment, kolla_container_names, run_cli
from tests.lab.diagnosis import assert_diagnosed


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
    assert_diagnosed(scenario, deployment_for(scenario), tmp_path)
