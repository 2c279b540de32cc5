"""Runbook step 6 — python client, from each host (inside its service
container, else on the host) and from the runner: with each service's own
backend_url, redis-py's Sentinel discovery finds the master and tooz starts a
coordinator, takes and releases a lock (namespace ``coordcheck``, expiring),
and stops — within seconds; then the same inside each service container,
with the container's own Python, tooz and redis-py; and in each gnocchi,
octavia and horizon container, that service's own client with its own config
(gnocchi's redis_url parser, octavia's jobboard driver, django_redis).

    Sentinel(sentinels, sentinel_kwargs={"password": ...}).master_for("kolla", password=...).ping()
    docker exec -i cinder_volume python3 - < handshake.py
"""

import pytest


pytestmark = pytest.mark.client


def test_redis_py_discovers_master_with_service_url(observer, host_name, service_configs, expect_none):
    expect_none(observer.client_findings(host_name, with_handshake=False))


def test_tooz_takes_a_lock_with_service_url(observer, host_name, service_configs, expect_none):
    expect_none(observer.client_findings(host_name, with_handshake=True))


def test_redis_py_discovers_master_from_runner(observer, runner_view, expect_none):
    """The runner as a vantage point of its own: every URL, from this machine."""
    expect_none(observer.client_findings(None, with_handshake=False))


def test_tooz_takes_a_lock_from_runner(observer, runner_view, expect_none):
    expect_none(observer.client_findings(None, with_handshake=True))


@pytest.mark.containers
def test_tooz_takes_a_lock_inside_each_container(observer, host_name, expect_none):
    expect_none(observer.containers.client_findings(host_name))


@pytest.mark.containers
def test_each_consumer_reaches_its_master_inside_its_container(observer, host_name, expect_none):
    expect_none(observer.containers.consumer_findings(host_name))
