"""coordcheck.kolla.releases.services: per series, the services of every project that renders a consumer
(group, switch), the config file each project writes, and the variables their conditions read."""

from coordcheck.kolla.releases.services import cinder, files, services


def test_cinder_places_volume_and_backup_by_backend_from_2026_1():
    before, none = cinder(21)
    assert [s.group for s in before] == ["cinder-api", "cinder-scheduler", "cinder-volume", "cinder-backup"] and none == {}
    after, variables = cinder(22)
    assert "'cinder-volume-lvm' if enable_cinder_backend_lvm | bool" in after[2].group
    assert variables["enable_cinder_backend_lvm"] == "no" and "enable_cinder_backend_vast" not in variables
    assert "cinder_backend_ceph" in variables["cinder_enabled_backends_count"]
    assert "enable_cinder_backend_vast" in cinder(23)[1]


def test_projects_come_and_go_with_their_series():
    redis_era, _ = services(20)
    later, variables = services(23)
    assert "ironic" in redis_era and "ironic" not in later  # ironic-inspector left in 2025.2
    assert [s.name for s in services(22)[0]["keystone"]] == ["keystone", "keystone-fernet"]
    assert [s.name for s in later["keystone"]] == ["keystone-api", "keystone-fernet"]
    assert {"nova", "neutron", "glance"} <= set(later) and variables["nova_console"] == "novnc"


def test_each_project_writes_its_own_file():
    assert files(["cinder", "glance", "horizon", "ironic"]) == {
        "cinder": "cinder.conf", "glance": "glance-api.conf", "horizon": "_9998-kolla-settings.py",
        "ironic": "inspector.conf"}
