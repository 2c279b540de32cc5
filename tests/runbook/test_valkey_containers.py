"""The container cloud on the Valkey flavor: real valkey-server data nodes and
sentinels (`make valkey`), Kolla's valkey names (the `valkey` group,
valkey_master_password), the services in Kolla-named containers reached over
SSH. Green as deployed; then the incident, seen inside every container."""

import pytest

from tests.conftest import (CONTAINER_NAMES, Deployment, assert_no_secret, kolla_container_names, reported,
                            run_checklist, run_cli)

pytestmark = CONTAINER_NAMES


@pytest.fixture(scope="module")
def valkey_cloud(tmp_path_factory):
    root = tmp_path_factory.mktemp("valkey") / "kolla"
    with kolla_container_names():
        try:
            started = run_cli("up", "--ssh", "--containers", "docker", "--flavor", "valkey", "--dir", str(root),
                              timeout=900)
            yield Deployment(root, "valkey"), started.stdout
        finally:
            run_cli("down", "--dir", str(root), check=False)


def test_valkey_cloud_runs_real_valkey_and_is_green(valkey_cloud, tmp_path):
    cloud, started = valkey_cloud
    assert "(valkey: Valkey " in started, started
    assert "valkey_master_password" in (cloud.root / "passwords.yml").read_text()
    assert "[valkey:children]" in cloud.inventory.read_text()
    run = run_checklist(*cloud.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    outcomes = run.outcomes()
    assert set(outcomes.values()) == {"passed"}
    assert any("test_tooz_takes_a_lock_inside_each_container[ansible://ctl3]" in test for test in outcomes)
    assert "ctl1: inside cinder_volume on ctl1" in run.stdout


def test_valkey_incident_is_seen_inside_every_container(valkey_cloud, tmp_path):
    cloud, _ = valkey_cloud
    run_cli("repro", "--dir", str(cloud.root), timeout=300)
    run = run_checklist(*cloud.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
    found = reported(run)
    assert run.returncode == 1
    for host, service in (("ctl1", "cinder-volume"), ("ctl2", "designate-worker"), ("ctl3", "masakari-api")):
        assert any(f"host {host}, service {service}" in w for w in found["SENTINEL_AUTH_MISSING"]), found
    inside = run.failures()["test_python_client::test_tooz_takes_a_lock_inside_each_container[ansible://ctl2]"]
    assert "container designate_worker" in inside and "cause: SENTINEL_AUTH_MISSING" in inside
    assert_no_secret(run.output, cloud.password)
