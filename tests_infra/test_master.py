"""Runbook step 5 — master, from each host: the sentinels agree on the master's address,
which answers PING with the password and has role master; every replica's
link is up. A master lost during the run is followed through the sentinels'
failover (reported as FAILOVER_SEEN, a warning).

    redis-cli -h 10.0.2.110 -p 26379 SENTINEL get-master-addr-by-name kolla
"""

import pytest

from coordcheck.checks import servers as checks

pytestmark = pytest.mark.master


def test_sentinels_agree_on_master(view, target, expect_none):
    expect_none(checks.sentinels_agree_on_master(view.sentinels(), target.flavor.password_key))


def test_master_answers_with_role_master(view, target, expect_none):
    master = view.master()
    if master is None:
        expect_none(checks.no_master(view.sentinels(), target.flavor.password_key))
    expect_none(checks.master_is_master(master, target.flavor.password_key) + checks.failover_seen(view.failover, view.host))


def test_replica_links_up(view, target, expect_none):
    master = view.master()
    if master is None:
        expect_none(checks.no_master(view.sentinels(), target.flavor.password_key))
    lost = view.failover.old if view.failover and view.failover.new else None
    expect_none(checks.replicas_linked(master, view.replicas(), target.flavor.password_key, lost))
