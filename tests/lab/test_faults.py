"""The deployment under faults, on processes and on docker-compose.sentinel.yml:
the master killed mid-run (followed through the sentinels' failover), and
the server faults of the scenario table run on the Compose deployment too
(tests/lab/test_scenarios.py runs them on processes)."""

from pathlib import Path

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


# --- coordcheck reset: every fault undone (issue 19) ----------------------------------------------------

import redis  # noqa: E402

from coordcheck import kolla  # noqa: E402
from coordcheck.lab.deployment import LocalDeployment  # noqa: E402
from coordcheck.lab.readiness import disagreement  # noqa: E402
from coordcheck.lab.scenarios import apply  # noqa: E402

#: every scenario a plain `coordcheck up` lab takes (the others need containers, namespaces or no sentinel password)
PLAIN = [n for n, s in SCENARIOS.items() if s.sentinel_auth and not (s.containers or s.netns or s.consumers)]


@pytest.fixture(scope="module")
def plain_lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("reset") / "kolla"
    run_cli("up", "--dir", str(root), timeout=300)
    yield Deployment(root)
    run_cli("down", "--dir", str(root))


def assert_as_up_left_it(lab: LocalDeployment) -> None:
    """Every file as `up` wrote it (bytes, mode), and the servers' state the
    faults change: sentinel password, master, quorum, agreement, replica priority."""
    for path in map(Path, lab.state()["files"]):
        copy = lab.pristine_dir / path.relative_to(lab.root)
        assert path.read_bytes() == copy.read_bytes() and path.stat().st_mode == copy.stat().st_mode, path
    assert disagreement(lab.sentinel_addresses(), lab.password()) == []
    master = (lab.address(lab.layout().master), str(kolla.DATA_PORT))
    for host in lab.layout().backends:
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(lab.address(host), kolla.SENTINEL_PORT, socket_timeout=2, retry=None).ping()
        sentinel = lab.client(host, "sentinel")
        assert tuple(sentinel.execute_command("SENTINEL", "get-master-addr-by-name", kolla.MASTER_NAME)) == master
        assert int(sentinel.sentinel_master(kolla.MASTER_NAME)["quorum"]) == kolla.QUORUM
        assert sentinel.execute_command("SENTINEL", "CKQUORUM", kolla.MASTER_NAME)
        assert lab.client(host, "server").config_get("replica-priority") == {"replica-priority": "100"}


def test_reset_after_each_break_puts_the_lab_back(plain_lab):
    """Each plain scenario in turn: `break` recorded as an active fault, `reset` undoes it."""
    lab = LocalDeployment(plain_lab.root)
    for name in PLAIN:
        apply(lab, name)
        assert lab.faults() == [name]
        assert lab.reset() == [name] and lab.faults() == []
        assert_as_up_left_it(lab)


def test_faults_stack_status_names_them_and_reset_makes_the_checklist_green(plain_lab, tmp_path):
    root = str(plain_lab.root)
    for name in ("SENTINEL_UNREACHABLE", "REPLICATION_BROKEN", "CONFIG_WORLD_READABLE", "PASSWORD_REJECTED"):
        run_cli("break", name, "--dir", root)
    run_cli("repro", "--dir", root)
    status = run_cli("status", "--dir", root).stdout
    assert ("faults: SENTINEL_UNREACHABLE, REPLICATION_BROKEN, CONFIG_WORLD_READABLE, PASSWORD_REJECTED, "
            "SENTINEL_AUTH_MISSING (`coordcheck reset` undoes them)") in status
    run_cli("fix", "--dir", root)   # fix rewrites the URLs only: the other faults stay
    assert "faults: SENTINEL_UNREACHABLE, REPLICATION_BROKEN, CONFIG_WORLD_READABLE, PASSWORD_REJECTED " \
           "(" in run_cli("status", "--dir", root).stdout
    assert "undone" in run_cli("reset", "--dir", root).stdout
    assert "faults: none" in run_cli("status", "--dir", root).stdout
    run = run_checklist(*plain_lab.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 0 and set(run.outcomes().values()) == {"passed"}, run.stdout[-3000:]
    assert_no_secret(run.output, plain_lab.password)
