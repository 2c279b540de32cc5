"""Runbook step 1 — network: from every controller, TCP reaches every
sentinel (26379) and every data node (6379), within a second each.

    pytest -m network --hosts=controllers --inventory multinode --configdir /etc/kolla
"""

import pytest

from coordcheck.checks import servers as checks
from coordcheck.pytest_plugin.checklist import expect_none

pytestmark = pytest.mark.network


def reachability(host, addresses):
    return {a: host.addr(a.host).port(a.port).is_reachable for a in addresses}


def test_sentinel_ports_reachable(host, host_name, target):
    results = reachability(host, target.sentinels)
    expect_none(checks.ports_reachable(host_name, results, target.sentinels))


def test_data_node_ports_reachable(host, host_name, target):
    results = reachability(host, target.data_nodes)
    expect_none(checks.ports_reachable(host_name, results, target.sentinels))
