"""coordcheck.kolla.render (render_repo): one rendering of a config repository, by the operator's own
kolla-ansible when one is given, else by the built-in tables, saying which renderer and point release made it."""

import pytest

from coordcheck.kolla import KollaError
from coordcheck.kolla.render import find_kolla_ansible, render_repo
from tests.kolla.hostile import HEALTHY


def test_the_gate_names_the_point_release(migration_repos):
    done = render_repo(migration_repos["migrated"] / "etc/kolla", migration_repos["migrated"] / "multinode")
    assert done.renderer.startswith("built-in tables for kolla-ansible 20.6.0 (2025.1, valkey; tables of 20.4.0-20.6.0)")
    assert any(n.startswith("assumed kolla-ansible 20.6.0") for n in done.notes)
    cinder = [r for r in done.records if r.service == "cinder-api" and r.section == "coordination"]
    assert cinder and all("vk-Migrated-7" in r.value for r in cinder)


def test_a_kolla_ansible_path_must_hold_an_installation(tmp_path):
    assert find_kolla_ansible(None) is None
    with pytest.raises(KollaError, match=r"^--kolla-ansible .*: no kolla-ansible installation there"):
        find_kolla_ansible(str(tmp_path))


def test_auto_without_an_installed_kolla_ansible_renders_with_the_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no kolla-ansible on PATH, none in this venv
    assert find_kolla_ansible("auto") is None
    done = render_repo(HEALTHY / "etc/kolla", HEALTHY / "multinode", release="20.3.0", kolla_ansible="auto")
    assert done.renderer.startswith("built-in tables for kolla-ansible 20.3.0 (2025.1, redis;")
    assert "--kolla-ansible auto: no kolla-ansible installed here; rendered with the built-in tables" in done.notes
    assert done.addresses["ctl1"] == "synthesized from api_interface_address"
    assert any(n.startswith("API addresses from the inventory") for n in done.notes) and done.errors == []
