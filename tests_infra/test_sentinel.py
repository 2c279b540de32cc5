"""Runbook step 2 — sentinel, from each host: each sentinel answers, monitors the master the
services ask for, sees it healthy, has a quorum, and sees every replica and
every other sentinel.

    redis-cli -h 10.0.2.110 -p 26379 SENTINEL masters   # what this automates
"""

import pytest

from coordcheck.checks import servers as checks

pytestmark = pytest.mark.sentinel


@pytest.fixture
def sentinel(view, sentinel_address):
    return view.sentinel(sentinel_address)


def test_sentinel_answers(sentinel, view, target, expect_none):
    expect_none(checks.sentinel_answers(sentinel, view.sentinels(), target.flavor.password_key))


def test_sentinel_monitors_master(sentinel, expect_none):
    expect_none(checks.sentinel_monitors_master(sentinel))


def test_master_flags_healthy(sentinel, view, expect_none):
    expect_none(checks.master_flags_healthy(sentinel, view.monitored_master(sentinel)))


def test_ckquorum_passes(sentinel, view, expect_none):
    expect_none(checks.quorum_reachable(sentinel, view.sentinels()))


def test_sees_every_replica_and_sentinel(sentinel, target, expect_none):
    others = len(target.sentinels) - 1
    expect_none(checks.topology_complete(sentinel, replicas=len(target.data_nodes) - 1, other_sentinels=others))
