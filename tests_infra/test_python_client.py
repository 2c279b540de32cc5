"""Runbook step 6 — python client: with each service's own backend_url,
redis-py's Sentinel discovery finds the master and tooz starts a
coordinator, takes and releases a lock (namespace ``coordcheck``, expiring),
and stops — within seconds.

    Sentinel(sentinels, sentinel_kwargs={"password": ...}).master_for("kolla", password=...).ping()
"""

import pytest

from fixtures.checklist import expect_none

pytestmark = pytest.mark.client


def test_redis_py_discovers_master_with_service_url(observer, host_name, service_configs):
    expect_none(observer.client_findings(host_name, with_handshake=False))


def test_tooz_takes_a_lock_with_service_url(observer, host_name, service_configs):
    expect_none(observer.client_findings(host_name, with_handshake=True))
