"""Every catalogue entry, reproduced on a fresh local deployment
(`coordcheck up [--containers]` + `coordcheck break ID`) and diagnosed by the
checklist: exactly that id, at the right place, nothing unrelated, no
password shown."""

import contextlib

import pytest

from coordcheck.lab.scenarios import LOG_TIMEOUT, SCENARIOS
from coordcheck.kolla.config_file import read_service_config
from tests.conftest import (CONTAINER_NAMES, Deployment, assert_no_secret, kolla_container_names, reported,
                            run_checklist, run_cli)


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


def assert_diagnosed(scenario, deployment, tmp_path):
    """Break ``deployment`` with ``scenario``, run the checklist: exactly its
    finding, at its place, what it must also report and nothing unrelated,
    its exit code, no password."""
    assert scenario.finding in run_cli("break", scenario.name, "--dir", str(deployment.root),
                                       timeout=LOG_TIMEOUT + 60).stdout
    run = run_checklist(*deployment.checklist_args(), "-vv", "-o", "log_cli=true", "--log-cli-level=DEBUG",
                        tmp_path=tmp_path, cwd=tmp_path)
    found = reported(run)
    warning = f"{scenario.finding} (warning)"
    main = found.get(warning if scenario.passes else scenario.finding)
    assert main, f"{scenario.finding} not reported; reported: {sorted(found)}\n{run.stdout[-4000:]}"
    places = scenario.places(deployment.hosts)
    assert any(all(part in where for part in places) for where in main), (places, main)
    ids = {f.replace(" (warning)", "") for f in found}
    unrelated = ids - {scenario.finding} - scenario.related
    assert not unrelated, f"unrelated findings: {unrelated}\n{run.stdout[-4000:]}"
    assert scenario.also <= ids, f"{scenario.also - ids} not reported\n{run.stdout[-4000:]}"
    assert run.returncode == (0 if scenario.passes else 1), run.stdout[-4000:]
    assert_no_secret(run.output, deployment.password, *url_passwords(deployment))
    return run


def url_passwords(deployment):
    """Every password the broken service configs hold, right or wrong."""
    found = []
    for path in deployment.root.glob("ctl*/*/*.conf"):
        config = read_service_config("ctl", str(path), path.read_text(), 0)
        if config.url:
            found += [p for p in (config.url.password, config.url.sentinel_password) if p]
    return found
