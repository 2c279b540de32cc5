"""A master lost during a run, followed through the sentinels' failover:
killed mid-run on processes and on docker-compose.sentinel.yml, each
controller follows it from where it stands; and the verdicts that end the
wait at once (the sentinels see the master up, no replica may be promoted)."""

import pytest

from coordcheck.lab import images
from coordcheck.observe import failover
from coordcheck.observe.probe import Address, Login, SentinelObservation
from tests.conftest import PROJECT, Deployment, assert_no_secret, reported, run_checklist, run_cli
from tests.observe.probing import PW
from tests.observe.servers import free_port

ENGINES = {"processes": [], "compose": ["--engine", "compose", "--image", images.SERVER]}
OLD, NEW = Address("127.0.9.110", 6379), Address("127.0.9.111", 6379)


@pytest.fixture(params=list(ENGINES))
def deployment_on(request, tmp_path):
    root = tmp_path / "kolla"
    run_cli("up", "--dir", str(root), *ENGINES[request.param], timeout=300)
    yield Deployment(root)
    run_cli("down", "--dir", str(root))


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


# -- the verdicts, from what the sentinels answer -----------------------------------------
def answer(master: Address | None, flags: str = "master", down_after_ms: int = 5000, replica_priority: int = 100,
           failing_over: bool = False) -> SentinelObservation:
    """A sentinel's answer as `probe.observe_sentinel` gives it."""
    state = {"flags": flags + (",failover_in_progress" if failing_over else ""),
             "down-after-milliseconds": down_after_ms} if master else None
    replicas = [{"flags": "slave", "slave-priority": replica_priority}]
    return SentinelObservation(Login(Address("127.0.9.112", 26379)), "kolla", state, None, master, None, replicas)


def test_the_sentinels_agree_or_there_is_no_master():
    assert failover.agreed_master([answer(NEW), answer(NEW)]) == NEW
    assert failover.agreed_master([answer(NEW), answer(OLD)]) is None and failover.agreed_master([]) is None


def test_a_master_is_settled_once_no_failover_runs():
    assert failover.settled([answer(NEW), answer(NEW)]) == NEW
    assert failover.settled([answer(NEW), answer(NEW, failing_over=True)]) is None
    assert failover.settled([answer(NEW), answer(None)]) is None and failover.settled([]) is None


def test_a_new_master_agreed_on_is_the_failover_seen():
    seen = failover.follow(lambda: [answer(NEW), answer(NEW)], OLD, bound=5.0)
    assert seen.new == NEW and seen.seconds < 1.0 and len(seen.sentinels) == 2
    assert str(seen).startswith(f"failover seen: master {OLD} -> {NEW}, the sentinels agreed ")


def test_the_master_seen_up_past_the_down_after_time_is_no_failover():
    seen = failover.follow(lambda: [answer(OLD, down_after_ms=100)], OLD, bound=1.0, poll=0.05)
    assert seen.new is None and seen.seconds < 0.5
    assert str(seen).endswith(f"the sentinels see {OLD} up (their down-after time is 0.1 s)")


def test_no_replica_that_may_be_promoted_is_no_failover():
    seen = failover.follow(lambda: [answer(OLD, flags="master,o_down", replica_priority=0)], OLD, bound=5.0)
    assert seen.new is None and seen.why_not == "no replica may be promoted (replica-priority 0, or down)"


def test_the_wait_ends_at_its_bound():
    seen = failover.follow(lambda: [answer(None)], OLD, bound=0.3, poll=0.1)
    assert seen.new is None and seen.why_not == "bound of 0.3 s reached" and 0.2 <= seen.seconds < 1.0


def test_a_failover_refused_is_the_servers_answer(password_server):
    refused = failover.trigger(password_server, "kolla", PW, 2.0)        # a data node knows no SENTINEL command
    assert refused.startswith("ResponseError: ") and "SENTINEL" in refused.upper()
    unreachable = failover.trigger(Address("127.0.0.1", free_port()), "kolla", PW, 2.0)
    assert unreachable.startswith("ConnectionError: ") and "refused" in unreachable
