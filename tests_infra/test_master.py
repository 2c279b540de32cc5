"""Runbook step 5 — master: the sentinels agree on the master's address,
which answers PING with the password and has role master; every replica's
link is up. A master lost during the run is followed through the sentinels'
failover (reported as FAILOVER_SEEN, a warning).

    redis-cli -h 10.0.2.110 -p 26379 SENTINEL get-master-addr-by-name kolla
"""

import pytest

from coordcheck.checks import servers as checks
from coordcheck.pytest_plugin.checklist import expect_none

pytestmark = pytest.mark.master


def test_sentinels_agree_on_master(observer, target):
    expect_none(checks.sentinels_agree_on_master(observer.sentinels(), target.flavor.password_key))


def test_master_answers_with_role_master(observer, target):
    master = observer.master()
    if master is None:
        expect_none(checks.no_master(observer.sentinels(), target.flavor.password_key))
    expect_none(checks.master_is_master(master, target.flavor.password_key) + checks.failover_seen(observer.failover))


def test_replica_links_up(observer, target):
    master = observer.master()
    if master is None:
        expect_none(checks.no_master(observer.sentinels(), target.flavor.password_key))
    lost = observer.failover.old if observer.failover and observer.failover.new else None
    expect_none(checks.replicas_linked(master, observer.replicas(), target.flavor.password_key, lost))
