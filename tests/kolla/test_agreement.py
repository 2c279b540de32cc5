"""The built-in renderer agrees with real kolla-ansible (20.3.0 Redis-era, 20.6.0 with Redis and Valkey,
23.0.0 Valkey-only) on every host × service × file × section × option value, for the example repos and the
scenario repos (a 2025.1 Redis repo after migrate-valkey, and one half-way, among them)."""
from pathlib import Path

import pytest

from coordcheck.kolla.render.builtin import BuiltinRenderer
from coordcheck.kolla.repo import Repo
from coordcheck.secrets import Secret
from tests.kolla import oracle, scenarios

@pytest.fixture(scope="session")
def built(tmp_path_factory):
    return scenarios.built(tmp_path_factory.mktemp("scenarios"))


def _values(records):
    return {(r.host, r.service, r.file, r.section, r.option): r.value for r in records}


def agreement(release: str, repo: Path, facts: Path | None):
    vault = scenarios.vault_file(repo)
    theirs = _values(oracle.render(release, repo, vault, facts).records)
    renderer = BuiltinRenderer(Repo.load(repo / "etc/kolla", repo / "multinode",
                                         Secret(vault.read_text().strip()) if vault else None,
                                         release=release, facts=facts))
    mine = _values(renderer.records())
    return theirs, mine, renderer


@pytest.mark.parametrize("release", oracle.RELEASES)
@pytest.mark.parametrize("name", [*scenarios.EXAMPLES, *scenarios.BUILT])
def test_builtin_agrees_with_kolla_ansible(release, name, built):
    repo, facts = scenarios.repo_for(name, built, release)
    theirs, mine, renderer = agreement(release, repo, facts)
    diff = {k: (mine.get(k), theirs.get(k)) for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)}
    assert not diff, f"{len(diff)} of {len(theirs)} differ (built-in, kolla-ansible): {sorted(diff.items())[:5]}"
    assert theirs or name in ("vaulted",), "a scenario that renders nothing proves nothing"
    print(f"AGREEMENT {release} {name}: {len(theirs)} of {len(theirs)}")


def test_both_flavors_render_as_kolla_2025_1_does(built):
    """20.6.0: a Redis repo renders Redis, a repo after migrate-valkey renders Valkey for every consumer
    (20.3.0 knows no Valkey: cinder, designate, masakari there render nothing, mistral Redis's URL)."""
    redis, _, _ = agreement(oracle.BOTH_FLAVORS, scenarios.REPOS / "healthy", None)
    assert all("127.0.2.110:26379" in v and "redis_master" not in v for k, v in redis.items() if k[4] == "backend_url")
    valkey, mine, renderer = agreement(oracle.BOTH_FLAVORS, *built["migrated"])
    assert renderer.release.flavor == "valkey" and renderer.release.point == "20.6.0"
    urls = {k[1]: v for k, v in valkey.items() if k[4] in ("backend_url", "coordination_url", "redis_url")}
    assert {"cinder-api", "designate-central", "masakari-api", "mistral-api", "gnocchi-api"} <= set(urls)
    assert all(v.endswith("&sentinel_password=vk-Migrated-7") for v in urls.values()), urls
    board = {k[4]: v for k, v in valkey.items() if k[3] == "task_flow" and k[1] == "octavia-worker"}
    assert board["jobboard_backend_password"] == "vk-Migrated-7"
    old, _, _ = agreement(oracle.REDIS_ERA, *built["migrated"])
    assert not [k for k in old if k[1] == "cinder-api" and k[3] == "coordination"]
    assert "vk-Migrated-7" not in old[("ctl1", "mistral-api", "mistral.conf", "coordination", "backend_url")]


def test_scenarios_cover_every_item(built):
    """The scenarios exercise what issue 12 lists (as Kolla renders it, 23.x)."""
    theirs, _, renderer = agreement(oracle.VALKEY_ONLY, *scenarios.repo_for("full", built, oracle.VALKEY_ONLY))
    services = {k[1] for k in theirs}
    assert {"designate-backend-bind9", "designate-sink", "masakari-api", "gnocchi-statsd", "horizon",
            "octavia-api", "keystone-api"} <= services
    assert "masakari-engine" not in services and "cinder-backup" not in services
    url = theirs[("stor1", "cinder-volume", "cinder.conf", "coordination", "backend_url")]
    assert "@127.0.3.10:26379" in url and url.endswith("&sentinel_password=vk-Pw-42")  # facts; globals.d
    assert renderer.repo.address_source["ctl1"].startswith("fact cache")
    leftover, _, _ = agreement(oracle.VALKEY_ONLY, *built["leftover"])
    assert not any("from-redis-names" in v for v in leftover.values())
    assert "designate-backend-bind9" not in {k[1] for k in leftover}
    assert {"glance-api", "heat-engine", "magnum-conductor", "placement-api", "trove-taskmanager", "nova-compute",
            "nova-conductor", "nova-super-conductor", "neutron-openvswitch-agent", "neutron-rpc-server"} <= services
    profiler, _, _ = agreement(oracle.VALKEY_ONLY, *built["profiler"])
    hosts = {(k[0], k[1]) for k in profiler if k[3] == "profiler"}
    assert {("ctl3", "glance-api"), ("stor1", "neutron-sriov-agent"), ("ctl1", "nova-spicehtml5proxy")} <= hosts
    assert not [k for k in profiler if k[0] == "net1"]  # nova-metadata, neutron-ovn-agent: no play covers net1
    assert profiler[("ctl2", "glance-api", "glance-api.conf", "profiler", "connection_string")] == "redis://glance-ctl2:26379"
    assert profiler[("stor1", "nova-compute", "nova.conf", "profiler", "connection_string")] == "redis://compute-stor1:26379"
    for name, group in (("cinder-lvm", "storage"), ("cinder-lvm-nfs", "control")):  # 2026.2: by backend
        placed, _, _ = agreement(oracle.VALKEY_ONLY, *built[name])
        volume_hosts = {k[0] for k in placed if k[1] == "cinder-volume"}
        assert volume_hosts and volume_hosts == ({"stor1"} if group == "storage" else {"ctl1", "ctl2", "ctl3"})
    memcached, _, _ = agreement(oracle.VALKEY_ONLY, *built["memcached"])
    assert memcached[("ctl1", "mistral-api", "mistral.conf", "coordination", "backend_url")] == \
        "redis://" + scenarios.EXTRAS  # the URL with no host
