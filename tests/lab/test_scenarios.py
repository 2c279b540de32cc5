"""Every catalogue entry, reproduced on a local deployment (`coordcheck up
[--containers]` + `coordcheck break ID`) and diagnosed by the checklist: exactly
that id, at the right place, nothing unrelated, no password shown; then
`coordcheck reset` puts the lab back as `up` left it, and the next scenario of
the same kind of lab breaks that one (a lab the test could not put back is
replaced)."""

import pytest

from coordcheck.lab.scenarios import SCENARIOS
from tests.conftest import CONTAINER_NAMES
from tests.lab.diagnosis import PLAIN, assert_diagnosed, assert_reset_puts_it_back


def up_args(scenario) -> tuple[str, ...]:
    """What `coordcheck up` the scenario needs: the scenarios of one kind take turns on one lab."""
    return (*([] if scenario.sentinel_auth else ["--no-sentinel-auth"]),
            *(["--containers"] if scenario.containers else []),
            *(["--release", scenario.release] if scenario.release else []))


#: netns scenarios: tests/lab/test_netns.py; diagnosed in tests/runbook/test_containers.py, whose cloud is built with it: the
#: wait for the service's log line (minutes) is paid once; the consumers' scenarios there too (TestConsumers), on one lab
ELSEWHERE = {"SERVICE_LOG_ERRORS", "JOBBOARD_NO_SENTINEL_AUTH", "HORIZON_NO_SENTINEL_AUTH", "SENTINEL_AUTH_MISSING_GNOCCHI"}
#: the scenarios this module diagnoses, those of one kind of lab next to each other
HERE = sorted((n for n in SCENARIOS if n not in ELSEWHERE and not SCENARIOS[n].netns),
              key=lambda n: (SCENARIOS[n].containers, up_args(SCENARIOS[n])))


@pytest.mark.parametrize("name", [pytest.param(name, marks=[CONTAINER_NAMES] if SCENARIOS[name].containers else [])
                                  for name in HERE])
def test_scenario_is_diagnosed(name, labs, tmp_path):
    scenario = SCENARIOS[name]
    deployment = labs.take(*up_args(scenario))
    try:
        assert_diagnosed(scenario, deployment, tmp_path)
        assert_reset_puts_it_back(deployment, name, tmp_path, servers_as_up_left_them=name in PLAIN)
    except BaseException:
        labs.drop(*up_args(scenario))
        raise
