"""The deployment under faults, on processes and on docker-compose.sentinel.yml:
the master killed mid-run (followed through the sentinels' failover), and
the server faults of the scenario table run on the Compose deployment too
(tests/lab/test_scenarios.py runs them on processes)."""

import pytest

from coordcheck.lab import images
from coordcheck.lab.scenarios import SCENARIOS
from tests.conftest import PROJECT, Deployment, assert_no_secret, reported, run_checklist, run_cli
from tests.lab.test_scenarios import assert_diagnosed

ENGINES = {"processes": [], "compose": ["--engine", "compose", "--image", images.SERVER]}
#: the server faults issue 6 names (two sentinels down must also report QUORUM_LOST)
SERVER_FAULTS = ["SENTINEL_UNREACHABLE", "SENTINEL_UNREACHABLE_NO_QUORUM", "REPLICATION_BROKEN", "SENTINEL_PARTITIONED"]


def up(root, engine: str) -> Deployment:
    run_cli("up", "--dir", str(root), *ENGINES[engine], timeout=300)
    return Deployment(root)


@pytest.fixture(params=list(ENGINES))
def deployment_on(request, tmp_path):
    deployment = up(tmp_path / "kolla", request.param)
    yield deployment
    run_cli("down", "--dir", str(deployment.root))


def test_master_killed_mid_run_is_followed_through_the_failover(deployment_on, tmp_path):
    run = run_checklist(*deployment_on.checklist_args(), "-p", "kill_master_mid_run", tmp_path=tmp_path,
                        cwd=tmp_path, env={"COORDCHECK_KILL_DIR": str(deployment_on.root),
                                           "PYTHONPATH": str(PROJECT / "tests" / "plugins")})
    assert run.returncode == 0, run.stdout[-4000:]
    found = reported(run)
    seen = found["FAILOVER_SEEN (warning)"]
    old, net = deployment_on.address("ctl1"), deployment_on.address("ctl1").rsplit(".", 1)[0]
    # each controller followed it from where it stands: once per host, each naming the new master
    assert sorted(p.split(",")[0] for p in seen) == ["host ctl1", "host ctl2", "host ctl3"], seen
    assert all(p.split(", ", 1)[1].startswith(f"address {old}:6379 -> {net}.11") for p in seen), seen
    assert f"failover seen: master {old}:6379 -> {net}.11" in run.stdout
    assert set(found) <= {"FAILOVER_SEEN (warning)", "NODE_UNREACHABLE (warning)"}, found
    outcomes = run.outcomes()
    after = [test for test in outcomes if test.startswith(("test_master::", "test_python_client::"))]
    assert after and all(outcomes[test] == "passed" for test in after), outcomes
    assert_no_secret(run.output, deployment_on.password)


@pytest.mark.parametrize("name", SERVER_FAULTS)
def test_server_fault_on_compose(name, tmp_path):
    deployment = up(tmp_path / "kolla", "compose")
    try:
        assert_diagnosed(SCENARIOS[name], deployment, tmp_path)
    finally:
        run_cli("down", "--dir", str(deployment.root))
