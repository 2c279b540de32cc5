"""coordcheck.kolla.releases: the point release the gate renders for (named, and noted when assumed), the
flavor a 2025.1 repository chooses, and the migration preflight on 20.6.0 as on 21.x."""
import pytest

from coordcheck.checks.consumers import preflight
from coordcheck.kolla import KollaError
from coordcheck.kolla.releases import build, release_for, resolve
from coordcheck.kolla.releases.installed import installed_version
from coordcheck.kolla.releases.points import PUBLISHED, range_of
from coordcheck.kolla.render import render_repo
from coordcheck.kolla.render import installed as ka
from coordcheck.kolla.repo import Repo
from tests.kolla import oracle, scenarios


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    base = tmp_path_factory.mktemp("releases")
    return {"migrated": scenarios.migrated(base), "migrating": scenarios.migrated(base, keep_redis=True),
            "healthy": scenarios.REPOS / "healthy"}


def test_a_series_is_its_newest_point_release_with_a_note():
    release, note = resolve("2025.1")
    assert release.point == "20.6.0" and release.range == "20.4.0-20.6.0"
    assert note.startswith("assumed kolla-ansible 20.6.0, the newest of 2025.1")
    assert "20.0.0-20.3.0 (changed at 20.4.0: the valkey role beside redis" in note
    assert "every 21.x renders alike" in resolve("21")[1]
    assert resolve("20.5.0") == (build("20.5.0"), "") and build("20.5.0").range == "20.4.0-20.6.0"
    newer, note = resolve("20.7.0")
    assert newer.range == "20.4.0-20.6.0" and "newer than 20.6.0" in note
    with pytest.raises(KollaError, match="not one coordcheck knows"):
        resolve("17.0.0")


def test_ranges_cover_every_published_point_release():
    for major, points in PUBLISHED.items():
        for point in points:
            first, last = range_of(point)
            assert first <= point <= last or (first, last) == (point, point), point
    assert [range_of(p) for p in ("19.3.0", "19.4.0", "20.3.0", "20.4.0")] == [
        ("19.0.0", "19.3.0"), ("19.4.0", "19.8.0"), ("20.0.0", "20.3.0"), ("20.4.0", "20.6.0")]
    old, new = build("19.3.0"), build("19.4.0")
    port = {r.point: next(o.value for o in r.options if o.option == "jobboard_backend_port") for r in (old, new)}
    assert port == {"19.3.0": '"{{ redis_port }}"', "19.4.0": "{{ redis_sentinel_port }}"}


@pytest.mark.parametrize("name, release, flavor", [
    ("healthy", "20.6.0", "redis"), ("migrated", "20.6.0", "valkey"), ("migrating", "20.6.0", "valkey"),
    ("migrated", "20.3.0", "redis"), ("migrated", "23.0.0", "valkey")])
def test_the_flavor_is_the_one_the_release_group_vars_choose(repos, name, release, flavor):
    repo = Repo.load(repos[name] / "etc/kolla", repos[name] / "multinode", release=release)
    assert (repo.release.point, repo.release.flavor) == (release, flavor)


def test_the_gate_names_the_point_release(repos):
    done = render_repo(repos["migrated"] / "etc/kolla", repos["migrated"] / "multinode")
    assert done.renderer.startswith("built-in tables for kolla-ansible 20.6.0 (2025.1, valkey; tables of 20.4.0-20.6.0)")
    assert any(n.startswith("assumed kolla-ansible 20.6.0") for n in done.notes)
    cinder = [r for r in done.records if r.service == "cinder-api"]
    assert cinder and all("vk-Migrated-7" in r.value for r in cinder)


MIGRATION = {"OLD_PASSWORD_LEFT", "REDIS_NAMES_LEFTOVER"}


def test_migration_preflight_on_2025_1_as_on_2025_2(repos):
    for release in ("20.6.0", "21.3.0"):
        migrated = preflight(render_repo(repos["migrated"] / "etc/kolla", repos["migrated"] / "multinode",
                                         release=release))
        migrated = [f for f in migrated if f.id in MIGRATION]  # (healthy's sentinel override is not read either)
        ids = sorted({f.id for f in migrated})
        assert ids == ["OLD_PASSWORD_LEFT", "REDIS_NAMES_LEFTOVER"], (release, ids)
        assert [f.where.file.rsplit("/", 1)[1].split(":")[0] for f in migrated if f.id == "REDIS_NAMES_LEFTOVER"] \
            == ["globals.yml", "globals.yml"]  # enable_redis: "no" and redis_connection_string_extras left
    half = preflight(render_repo(repos["migrating"] / "etc/kolla", repos["migrating"] / "multinode", release="20.6.0"))
    both = [f for f in half if "both on" in f.evidence]
    assert both and both[0].id == "REDIS_NAMES_LEFTOVER" and "migrate-valkey half-way" in both[0].evidence
    assert "OLD_PASSWORD_LEFT" not in {f.id for f in half}  # Redis still runs: its password is needed
    assert not MIGRATION & {f.id for f in preflight(render_repo(
        repos["healthy"] / "etc/kolla", repos["healthy"] / "multinode", release="20.6.0"))}  # Redis: nothing to migrate


def test_the_installed_kolla_ansible_decides(repos, monkeypatch):
    """The operator's kolla-ansible on PATH (a real 20.6.0 install) is the point release rendered for."""
    venv = ka.install(oracle.BOTH_FLAVORS, oracle.CACHE)
    assert installed_version(venv)[0] == "20.6.0"
    monkeypatch.setenv("PATH", f"{venv}/bin")
    repo = Repo.load(repos["healthy"] / "etc/kolla", repos["healthy"] / "multinode")
    assert repo.release.point == "20.6.0" and repo.release_source == f"the kolla-ansible installed at {venv}"
    chosen = Repo.load(repos["healthy"] / "etc/kolla", repos["healthy"] / "multinode", release="20.3.0")
    assert chosen.release.point == "20.3.0" and any("is 20.6.0, not 20.3.0" in n for n in chosen.notes)
    assert release_for("20.6.0").flavors == ("redis", "valkey")
