"""coordcheck.kolla.releases: the point release the gate renders for (named, and noted when assumed), the
flavor a repository's variables choose, and the migration preflight on 20.6.0 as on 21.x."""
import pytest

from coordcheck.checks.consumers import preflight
from coordcheck.kolla import KollaError
from coordcheck.kolla.releases import RELEASES, SERIES, build, release_for, resolve
from coordcheck.kolla.render import render_repo
from coordcheck.kolla.repo import Repo


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


@pytest.mark.parametrize("name, release, flavor", [
    ("healthy", "20.6.0", "redis"), ("migrated", "20.6.0", "valkey"), ("migrating", "20.6.0", "valkey"),
    ("migrated", "20.3.0", "redis"), ("migrated", "23.0.0", "valkey")])
def test_the_flavor_is_the_one_the_release_group_vars_choose(migration_repos, name, release, flavor):
    repo = Repo.load(migration_repos[name] / "etc/kolla", migration_repos[name] / "multinode", release=release)
    assert (repo.release.point, repo.release.flavor) == (release, flavor)


MIGRATION = {"OLD_PASSWORD_LEFT", "REDIS_NAMES_LEFTOVER"}


def test_migration_preflight_on_2025_1_as_on_2025_2(migration_repos):
    repos = migration_repos
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


def test_a_release_says_what_it_is_and_how_it_was_proven():
    release = build("20.6.0")
    assert (release.name, release.series, release.flavors) == ("20", "2025.1", ("redis", "valkey"))
    assert release.status == "proven against kolla-ansible 20.6.0"
    assert build("20.5.0").status == "range 20.4.0-20.6.0 proven against kolla-ansible 20.6.0; 20.5.0 read from its wheel"
    assert build("19.2.0").status == "range 19.0.0-19.3.0 read from its wheels; 19.2.0 read from its wheel"
    assert release.clients == "kolla-ansible 20.x (2025.1) ships tooz 6.3.0 and redis-py 5.2.1"
    assert release.redis_py_below(6) and not release.redis_py_below(5)
    assert [s.name for s in release.services_of("cinder")][:2] == ["cinder-api", "cinder-scheduler"]
    assert release.services_of("no-such-project") == ()


def test_each_series_is_its_newest_release_and_ships_its_flavors():
    assert sorted(RELEASES) == sorted(SERIES) and [r.point for r in RELEASES.values()] == [
        "19.8.0", "20.6.0", "21.3.0", "22.2.0", "23.0.0"]
    assert [release_for(v).flavors for v in ("19", "20.3.0", "20.4.0", "21")] == [
        ("redis",), ("redis",), ("redis", "valkey"), ("valkey",)]
    assert release_for("master").point == "23.0.0" and release_for(None) == release_for("master")
    assert {o.project for o in build("21.3.0").options_of("tooz")} == {"cinder", "designate", "masakari", "mistral"}


def test_the_flavor_follows_enable_valkey_where_the_release_ships_both():
    both, valkey_only = build("20.6.0"), build("23.0.0")
    assert both.for_variables({"enable_valkey": "yes"}).flavor == "valkey"
    assert both.for_variables({"enable_valkey": "no"}).flavor == both.for_variables({}).flavor == "redis"
    assert valkey_only.for_variables({"enable_redis": "yes"}).flavor == "valkey"
