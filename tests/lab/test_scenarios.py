"""Every catalogue entry, reproduced on a local deployment (`coordcheck up
[--containers]` + `coordcheck break ID`) and diagnosed by the checklist: exactly
that id, at the right place, nothing unrelated, no password shown; then
`coordcheck reset` puts the lab back as `up` left it, and the next scenario of
the same kind of lab breaks that one (a lab the test could not put back is
replaced)."""

import contextlib

import pytest

from coordcheck.lab.deployment import LocalDeployment
from coordcheck.lab.scenarios import SCENARIOS
from tests.conftest import CONTAINER_NAMES, Deployment, kolla_container_names, run_checklist, run_cli
from tests.lab.diagnosis import assert_diagnosed
from tests.lab.test_pristine import PLAIN, assert_as_up_left_it


def lab_kind(scenario) -> tuple:
    """What `up` the scenario needs: the scenarios of one kind take turns on one lab."""
    return scenario.sentinel_auth, scenario.containers, scenario.release


class Labs:
    """This module's labs, one per kind (one holding Kolla's container names at a time), down at its end."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory, self.up = tmp_path_factory, {}

    def take(self, scenario) -> Deployment:
        kind = lab_kind(scenario)
        if kind in self.up:
            return self.up[kind][0]
        if scenario.containers:   # the names are one engine's once
            for other in [k for k in self.up if k[1]]:
                self.drop(other)
        held = contextlib.ExitStack()
        if scenario.containers:
            held.enter_context(kolla_container_names())
        root = self.tmp_path_factory.mktemp("kolla") / "kolla"
        held.callback(run_cli, "down", "--dir", str(root), check=False)
        try:
            run_cli("up", "--dir", str(root), *([] if scenario.sentinel_auth else ["--no-sentinel-auth"]),
                    *(["--containers"] if scenario.containers else []),
                    *(["--release", scenario.release] if scenario.release else []), timeout=900)
        except BaseException:
            held.close()
            raise
        self.up[kind] = Deployment(root), held
        return self.up[kind][0]

    def drop(self, kind) -> None:
        self.up.pop(kind)[1].close()

    def close(self) -> None:
        for kind in list(self.up):
            self.drop(kind)


@pytest.fixture(scope="module")
def labs(tmp_path_factory):
    made = Labs(tmp_path_factory)
    yield made
    made.close()


#: netns scenarios: tests/lab/test_netns.py; diagnosed in tests/runbook/test_containers.py, whose cloud is built with it: the
#: wait for the service's log line (minutes) is paid once; the consumers' scenarios there too (TestConsumers), on one lab
ELSEWHERE = {"SERVICE_LOG_ERRORS", "JOBBOARD_NO_SENTINEL_AUTH", "HORIZON_NO_SENTINEL_AUTH", "SENTINEL_AUTH_MISSING_GNOCCHI"}
#: the scenarios this module diagnoses, those of one kind of lab next to each other
HERE = sorted((n for n in SCENARIOS if n not in ELSEWHERE and not SCENARIOS[n].netns),
              key=lambda n: (SCENARIOS[n].containers, str(lab_kind(SCENARIOS[n]))))


@pytest.mark.parametrize("name", [pytest.param(name, marks=[CONTAINER_NAMES] if SCENARIOS[name].containers else [])
                                  for name in HERE])
def test_scenario_is_diagnosed(name, labs, tmp_path):
    scenario = SCENARIOS[name]
    deployment = labs.take(scenario)
    try:
        assert_diagnosed(scenario, deployment, tmp_path)
        assert LocalDeployment(deployment.root).faults() == [name]
        assert_reset_puts_it_back(deployment, name, tmp_path)
    except BaseException:
        labs.drop(lab_kind(scenario))
        raise


def assert_reset_puts_it_back(deployment, name, tmp_path):
    """`coordcheck reset`: no fault left; a plain lab's files and servers as `up` left them
    (tests/lab/test_pristine.py), any other lab's checklist green again."""
    assert f"reset: {name} undone" in run_cli("reset", "--dir", str(deployment.root), timeout=300).stdout
    assert "faults: none" in run_cli("status", "--dir", str(deployment.root)).stdout
    if name in PLAIN:
        assert_as_up_left_it(LocalDeployment(deployment.root))
        return
    run = run_checklist(*deployment.checklist_args(), tmp_path=tmp_path / "after-reset", cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-4000:]
