"""coordcheck.kolla.releases.installed: the point release of the operator's own kolla-ansible, read from
its installation (``kolla_ansible-X.Y.Z.dist-info``), which then decides what the gate renders for."""

from coordcheck.kolla.render import installed as ka
from coordcheck.kolla.releases import release_for
from coordcheck.kolla.releases.installed import installed_version
from coordcheck.kolla.repo import Repo
from tests.kolla import oracle


def test_the_installed_kolla_ansible_decides(migration_repos, monkeypatch):
    """The operator's kolla-ansible on PATH (a real 20.6.0 install) is the point release rendered for."""
    repos = migration_repos
    venv = ka.install(oracle.BOTH_FLAVORS, oracle.VENVS)
    assert installed_version(venv)[0] == "20.6.0"
    monkeypatch.setenv("PATH", f"{venv}/bin")
    repo = Repo.load(repos["healthy"] / "etc/kolla", repos["healthy"] / "multinode")
    assert repo.release.point == "20.6.0" and repo.release_source == f"the kolla-ansible installed at {venv}"
    chosen = Repo.load(repos["healthy"] / "etc/kolla", repos["healthy"] / "multinode", release="20.3.0")
    assert chosen.release.point == "20.3.0" and any("is 20.6.0, not 20.3.0" in n for n in chosen.notes)
    assert release_for("20.6.0").flavors == ("redis", "valkey")


def test_an_installation_is_known_by_its_dist_info(tmp_path):
    site = tmp_path / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    assert installed_version(tmp_path) is None
    (site / "kolla_ansible-21.1.0.dist-info").mkdir()
    assert installed_version(tmp_path) == ("21.1.0", f"the kolla-ansible installed at {tmp_path}")


def test_nothing_installed_is_none(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # this venv has no kolla-ansible, and PATH none
    assert installed_version() is None
