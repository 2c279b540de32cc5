"""The failover drill — opt-in, never by accident: runs only with
``--allow-failover`` (``-m failover_drill`` without it is refused). It sends
``SENTINEL FAILOVER kolla`` to the sentinels, then runs each consumer
container's own client (tooz lock; gnocchi's redis; octavia's jobboard;
horizon's cache) inside it until it works against the new master: seconds
to recover per service and container, or FAILOVER_NOT_FOLLOWED after
``--failover-wait``; then the sentinels must agree again, and the run says
where the master ended.

    pytest --hosts=controllers --inventory=... -m failover_drill --allow-failover
"""

import warnings

import pytest

from coordcheck.checks.drill import drill_findings
from coordcheck.runbook.drill import run_drill

pytestmark = [pytest.mark.failover_drill, pytest.mark.client]   # client: the runbook step it reports under


def test_every_consumer_follows_a_failover(observer, record_property, expect_none):
    drill = run_drill(observer)
    if drill.refused:
        pytest.fail(f"failover drill: {drill.refused}", pytrace=False)
    warnings.warn("failover drill: " + drill.table().replace("\n", "; "))
    for r in drill.recoveries:
        record_property("recovery", f"{r.host} {r.container} {r.client} {r.versions}: "
                                    f"{'%.1f s' % r.seconds if r.seconds is not None else 'FAILOVER_NOT_FOLLOWED'}")
    record_property("master", f"{drill.old} -> {drill.new}")
    expect_none(drill_findings(drill, observer.failover_wait))
