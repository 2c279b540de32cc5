"""Runbook step 7 — container config: every service config under the host's
node_config_directory carries a usable ``[coordination] backend_url``; each
service container runs, holds that same URL, and logged no coordination
error lately. (The gate judges the same URLs as Kolla would render them:
tests_infra/test_gate_consumers.py.)

    grep -r backend_url /etc/kolla/*/*.conf   # what this automates
    docker exec cinder_volume grep backend_url /etc/cinder/cinder.conf
"""

import pytest

from coordcheck.checks import configs as checks

pytestmark = pytest.mark.config


def test_service_configs_found(observer, host_name, service_configs, target, expect_none):
    directory = target.inventory.node_config_directory(host_name)
    expect_none(checks.configs_present(host_name, service_configs, directory, observer.config_errors.get(host_name)))


def test_backend_url_parses(service_configs, observer, expect_none):
    expect_none(checks.urls_parse(service_configs, observer.expected)
                + checks.url_options_known(service_configs, observer.expected))


def test_backend_url_user_is_default(service_configs, observer, expect_none):
    expect_none(checks.users_default(service_configs, observer.expected))


def test_passwords_match_passwords_yml(service_configs, observer, expect_none):
    expect_none(checks.passwords_match(service_configs, observer.expected))


def test_backend_url_carries_sentinel_password(observer, service_configs, expect_none):
    expect_none(checks.sentinel_password_present(service_configs, observer.expected))


def test_sentinels_match_inventory(service_configs, observer, expect_none):
    expect_none(checks.sentinels_match_inventory(service_configs, observer.expected))


def test_config_not_world_readable(service_configs, expect_none):
    expect_none(checks.configs_private(service_configs))


def test_backend_url_same_everywhere(observer, expect_none):
    expect_none(checks.urls_identical(observer.all_configs(), observer.expected))


@pytest.mark.containers
def test_service_containers_running(observer, host_name, expect_none):
    """docker ps -a: every coordination service placed on this host runs."""
    expect_none(observer.containers.running_findings(host_name))


@pytest.mark.containers
def test_container_holds_host_config(observer, host_name, expect_none):
    """docker exec cinder_volume cat /etc/cinder/cinder.conf: the same URL as the host's copy."""
    expect_none(observer.containers.config_findings(host_name))


@pytest.mark.containers
def test_service_logs_free_of_coordination_errors(observer, host_name, expect_none):
    """docker logs --since 1h cinder_volume | grep -E 'ToozConnectionError|No master found'"""
    expect_none(observer.containers.log_findings(host_name))


@pytest.mark.containers
def test_locks_exclude_across_containers(observer, expect_none):
    """One probe lock (coordcheck-probe-<random>, expiring) held by a client of
    each tooz/redis-py class, tried by every other service container of the
    backend and the runner: a second acquire is LOCKS_NOT_EXCLUSIVE (tooz 9.0
    renamed Redis lock keys, so 8.x and 9.x do not exclude each other)."""
    expect_none(observer.containers.lock_findings())
