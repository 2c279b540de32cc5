"""When a lab is ready: its replicas online at the master, then its
sentinels in full agreement; a wait that ends with the first problem."""

import time

import pytest

from coordcheck.lab import readiness
from coordcheck.lab.errors import DeploymentError
from coordcheck.secrets import Secret


def test_a_master_without_replicas_has_no_lag(one_backend_lab):
    master = one_backend_lab.address("ctl1")
    assert readiness.replication_lag(master, 0, one_backend_lab.password()) == []
    assert readiness.replication_lag(master, 2, one_backend_lab.password()) == [
        f"master {master}:6379 has 0 of 2 replicas online"]


def test_a_lone_sentinel_agrees_with_itself(one_backend_lab):
    assert readiness.disagreement(one_backend_lab.sentinel_addresses(), one_backend_lab.password()) == []


def test_what_keeps_sentinels_from_agreeing_is_named(one_backend_lab):
    lone, silent = one_backend_lab.address("ctl1"), one_backend_lab.address("ctl2")   # nothing runs on ctl2
    problems = readiness.disagreement([lone, silent], one_backend_lab.password())
    assert problems[0] == f"sentinel {lone}:26379 sees 0 of 1 replicas and 0 of 1 other sentinels"
    assert problems[1].startswith(f"sentinel {silent}:26379: ") and "refused" in problems[1]
    [wrong] = readiness.disagreement([lone], Secret("not-the-password"))
    assert wrong.startswith(f"sentinel {lone}:26379: ") and "not-the-password" not in wrong


def test_wait_for_returns_once_nothing_is_wrong():
    answers = iter([["not yet"], ["not yet"], []])
    readiness.wait_for(lambda: next(answers), time.monotonic() + 5, "logs", poll=0.01)
    assert next(answers, "done") == "done"


def test_wait_for_past_its_deadline_names_the_first_problem_and_the_logs():
    started = time.monotonic()
    with pytest.raises(DeploymentError) as raised:
        readiness.wait_for(lambda: ["replica ctl2 offline", "sentinel ctl3 down"], started + 0.2, "/lab/*.log",
                           poll=0.01)
    assert str(raised.value) == "deployment not ready in time: replica ctl2 offline (logs: /lab/*.log)"
    assert 0.2 <= time.monotonic() - started < 2
