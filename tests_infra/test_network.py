"""Runbook step 1 — network: from every controller, TCP reaches every
sentinel (26379) and every data node (6379), within a second each (testinfra
on the host; the observer asks every host at once, see `--forks`).

    pytest -m network --hosts=controllers --inventory multinode --configdir /etc/kolla
"""

import pytest

from coordcheck.checks import servers as checks

pytestmark = pytest.mark.network


def test_sentinel_ports_reachable(observer, host_name, target, expect_none):
    """On the host: ``host.addr(ip).port(26379).is_reachable`` for each sentinel (all hosts at once)."""
    results = observer.reachable(host_name, target.sentinels)
    expect_none(checks.ports_reachable(host_name, results, target.sentinels))


def test_data_node_ports_reachable(observer, host_name, target, expect_none):
    results = observer.reachable(host_name, target.data_nodes)
    expect_none(checks.ports_reachable(host_name, results, target.sentinels))
