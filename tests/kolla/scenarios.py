"""Scenario config repos (built in tmp dirs) covering every consumer and condition the
built-in renderer must get right, for a Redis-era and a Valkey-only release alike."""
import json, shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
REPOS = ROOT / "examples" / "config-repos"
FACT_ADDRESSES = {"ctl1": "127.0.3.10", "ctl2": "127.0.3.11", "ctl3": "127.0.3.12"}
EXTRAS = "&db=0&socket_timeout=60&retry_on_timeout=yes"


def _groups(repo: Path, groups: dict[str, str]) -> None:
    with open(repo / "multinode", "a") as f:
        f.write("".join(f"\n[{g}:children]\n{parent}\n" for g, parent in groups.items()))


def _globals(repo: Path, **values) -> None:
    path = repo / "etc/kolla/globals.yml"
    path.write_text(yaml.safe_dump(yaml.safe_load(path.read_text()) | values))


def _file(repo: Path, relative: str, text: str) -> None:
    path = repo / "etc/kolla" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _passwords(repo: Path, **values) -> None:
    path = repo / "etc/kolla/passwords.yml"
    path.write_text(yaml.safe_dump(yaml.safe_load(path.read_text()) | values))


#: The groups of every service that writes [profiler] (osprofiler on Redis/Valkey), the storage node as compute;
#: glance, heat, neutron and nova are on by default (enable_openstack_core), placement with nova.
PROFILED = {g: "control" for g in (
    "glance-api heat-api heat-api-cfn heat-engine magnum-api magnum-conductor placement-api trove-api "
    "trove-conductor trove-taskmanager zun-api zun-wsproxy neutron-server neutron-rpc-server neutron-periodic-worker "
    "neutron-dhcp-agent neutron-l3-agent neutron-metadata-agent ironic-neutron-agent nova-api nova-scheduler "
    "nova-metadata nova-super-conductor nova-conductor nova-novncproxy nova-compute-ironic").split()} | {
    "compute": "storage", "zun-compute": "compute", "zun-cni-daemon": "compute"}
PROFILED_ON = {"enable_magnum": "yes", "enable_trove": "yes", "enable_zun": "yes", "enable_cells": "yes",
               "enable_ironic_neutron_agent": "yes"}


def full(base: Path) -> tuple[Path, Path]:
    """Every consumer switched on; sentinel_password from globals.d; API addresses from a fact cache
    (api_interface br-api) that differ from ansible_host. Returns the repo and a fact cache per release."""
    repo = base / "full"
    shutil.copytree(REPOS / "healthy", repo)
    _groups(repo, {"cinder-backup": "storage", "masakari-engine": "control", "designate-api": "control",
                   "designate-backend-bind9": "control", "designate-sink": "control", "mistral-executor": "control",
                   "gnocchi-api": "control", "gnocchi-metricd": "control", "gnocchi-statsd": "control",
                   "octavia-api": "control", "octavia-worker": "control", "horizon": "control",
                   "ironic-inspector": "control", "valkey": "control", "keystone": "control"} | PROFILED)
    _globals(repo, enable_valkey="yes", enable_cinder_backup="no", enable_gnocchi="yes", enable_gnocchi_statsd="yes",
             enable_octavia="yes", enable_horizon="yes", enable_ironic="yes", enable_ironic_inspector="yes",
             enable_osprofiler="yes", osprofiler_backend="redis", api_interface="br-api",
             redis_connection_string_extras=EXTRAS, **PROFILED_ON)
    _file(repo, "globals.d/10-sink.yml", 'designate_enable_notifications_sink: "yes"\n')
    _file(repo, "globals.d/20-sentinel.yml",
          f'redis_connection_string_extras: "{EXTRAS}&sentinel_password={{{{ redis_master_password }}}}"\n'
          f'valkey_connection_string_extras: "{EXTRAS}&sentinel_password={{{{ valkey_master_password }}}}"\n')
    _file(repo, "config/designate/designate-worker.conf",
          "[coordination]\nbackend_url = redis://default:ov@127.0.2.110:26379?sentinel=kolla\n")
    _file(repo, "config/gnocchi.conf", "[incoming]\nredis_url = redis://{{ inventory_hostname }}:6379\n")
    _file(repo, "config/cinder/coordination.conf", "[coordination]\nbackend_url = redis://ignored\n")
    _file(repo, "config/keystone/ctl2/keystone.conf", "[coordination]\nbackend_url = redis://keystone-reads-none\n")
    _passwords(repo, valkey_master_password="vk-Pw-42")
    return repo, {release: fact_cache(base / f"facts-{release}", new) for release, new in (
        ("20.3.0", False), ("20.6.0", False), ("23.0.0", True))}


def profiler(base: Path) -> Path:
    """[profiler] where a service's hosts are more than its group: OVN (its dhcp agent kept up to 2026.1), SR-IOV,
    glance on Ceph (every glance-api host, not only the first), spice and serial consoles, and a host whose groups
    no role's play covers (net1: nova-metadata and neutron-ovn-agent, which Kolla leaves unconfigured)."""
    repo = base / "profiler"
    shutil.copytree(REPOS / "healthy", repo)
    with open(repo / "multinode", "a") as f:
        f.write("\n[network]\nnet1 ansible_host=127.0.2.130 api_interface_address=127.0.2.130\n")
    _groups(repo, {"valkey": "control", "compute": "storage", "nova-metadata": "network", "neutron-ovn-agent": "network"}
            | {g: "control" for g in ("glance-api nova-api nova-conductor nova-spicehtml5proxy nova-serialproxy "
                                      "neutron-server neutron-dhcp-agent neutron-l3-agent neutron-metadata-agent "
                                      "neutron-ovn-maintenance-worker neutron-ovn-metadata-agent").split()})
    _globals(repo, enable_valkey="yes", enable_osprofiler="yes", osprofiler_backend="redis", neutron_plugin_agent="ovn",
             neutron_ovn_dhcp_agent="yes", neutron_enable_ovn_agent="yes", enable_neutron_sriov="yes",
             glance_backend_ceph="yes", nova_console="spice", enable_nova_serialconsole_proxy="yes")
    _passwords(repo, valkey_master_password="vk-Pw-42")
    # overrides only these roles read: glance-api's per host, a nova-cell service's per host
    _file(repo, "config/glance/ctl2/glance-api.conf", "[profiler]\nconnection_string = redis://glance-ctl2:26379\n")
    _file(repo, "config/nova/stor1/nova-compute.conf", "[profiler]\nconnection_string = redis://compute-stor1:26379\n")
    return repo


def fact_cache(facts: Path, new_format: bool) -> Path:
    """An Ansible jsonfile fact cache: `<host>` (ansible-core <= 2.18) or `s1_<host>` holding
    {"__payload__": json} (2.19+), with the br-api interface on other addresses than ansible_host."""
    facts.mkdir()
    for host, address in FACT_ADDRESSES.items():
        data = json.dumps({
            "ansible_br_api": {"ipv4": {"address": address}}, "ansible_hostname": host, "ansible_nodename": host,
            "ansible_fqdn": host, "ansible_processor_vcpus": 2, "ansible_memtotal_mb": 8192,
            "ansible_os_family": "Debian", "ansible_distribution": "Debian"})
        if new_format:
            (facts / f"s1_{host}").write_text(json.dumps({"__payload__": data}))
        else:
            (facts / host).write_text(data)
    return facts


def leftover(base: Path) -> Path:
    """Valkey-era repo that still carries Redis names; designate on another backend; backup on."""
    repo = base / "leftover"
    shutil.copytree(REPOS / "vaulted", repo)
    _groups(repo, {"cinder-backup": "storage", "designate-backend-bind9": "control", "designate-sink": "control",
                   "redis": "control", "mistral-executor": "control", "octavia-worker": "control"})
    _file(repo, "globals.d/leftover.yml", 'enable_redis: "yes"\nredis_connection_string_extras: '
          f'"{EXTRAS}&sentinel_password=from-redis-names"\ndesignate_backend: "infoblox"\nenable_octavia: "yes"\n')
    return repo


def cinder_backends(base: Path, *backends: str) -> Path:
    """2026.1+ place cinder-volume/backup by backend: LVM alone (cinder-volume-lvm), LVM and another
    (cinder-volume-multiple), else the plain groups (which the other groups here leave empty)."""
    repo = base / ("cinder-" + "-".join(backends))
    shutil.copytree(REPOS / "healthy", repo)
    _groups(repo, {"valkey": "control", "cinder-backup": "storage", "cinder-volume-lvm": "storage",
                   "cinder-backup-lvm": "storage", "cinder-volume-multiple": "control", "cinder-backup-multiple": "control"})
    switches = {("cinder_backend_ceph" if b == "ceph" else f"enable_cinder_backend_{b}"): "yes" for b in backends}
    _globals(repo, enable_valkey="yes", **switches)
    _passwords(repo, valkey_master_password="vk-Pw-42")
    return repo


def horizon_memcached(base: Path) -> Path:
    """Neither flavor on: horizon on memcached, mistral with no hosts, gnocchi without coordination."""
    repo = base / "memcached"
    shutil.copytree(REPOS / "healthy", repo)
    _groups(repo, {"horizon": "control", "memcached": "control", "gnocchi-api": "control",
                   "octavia-worker": "control"})
    _globals(repo, enable_redis="no", enable_gnocchi="yes", enable_octavia="yes", enable_octavia_jobboard="no")
    return repo


def migrated(base: Path, keep_redis: bool = False) -> Path:
    """A 2025.1 Redis repo after ``kolla-ansible migrate-valkey`` (enable_valkey on, the valkey group, a
    valkey_master_password; redis_master_password and the redis group left), or half-way (``keep_redis``:
    both flavors on), with gnocchi, octavia's jobboard and osprofiler on beside the [coordination] consumers
    (osprofiler_backend "redis", 2025.1's spelling: 20.6.0 keeps rendering Redis's URL there, 2025.2 Valkey's)."""
    repo = base / ("migrating" if keep_redis else "migrated")
    shutil.copytree(REPOS / "healthy", repo)
    _groups(repo, {"valkey": "control", "gnocchi-api": "control", "gnocchi-metricd": "control",
                   "octavia-api": "control", "octavia-worker": "control", "mistral-executor": "control",
                   "glance-api": "control", "heat-api": "control"})
    _globals(repo, enable_redis="yes" if keep_redis else "no", enable_valkey="yes", enable_gnocchi="yes",
             enable_octavia="yes", enable_osprofiler="yes", osprofiler_backend="redis",
             valkey_connection_string_extras=EXTRAS + "&sentinel_password={{ valkey_master_password }}")
    _passwords(repo, valkey_master_password="vk-Migrated-7")
    return repo


#: the example repos (examples/config-repos/*) and the scenario repos built here that the agreement tests render
EXAMPLES = sorted(p.name for p in REPOS.iterdir() if (p / "multinode").exists())
BUILT = ("full", "leftover", "memcached", "profiler", "cinder-lvm", "cinder-lvm-nfs", "migrated", "migrating")


def built(base: Path) -> dict[str, tuple[Path, dict | None]]:
    """BUILT's repos under base: name -> (repo, its fact cache per release, or None)."""
    full_repo, facts = full(base)
    return {"full": (full_repo, facts), "leftover": (leftover(base), None),
            "memcached": (horizon_memcached(base), None), "profiler": (profiler(base), None),
            "cinder-lvm": (cinder_backends(base, "lvm"), None),
            "cinder-lvm-nfs": (cinder_backends(base, "lvm", "nfs"), None),
            "migrated": (migrated(base), None), "migrating": (migrated(base, keep_redis=True), None)}


def repo_for(name: str, made: dict, release: str) -> tuple[Path, Path | None]:
    """(repo, fact cache or None) of an example or a built repo, for release."""
    repo, facts = made[name] if name in made else (REPOS / name, None)
    return repo, facts[release] if isinstance(facts, dict) else facts


def vault_file(repo: Path) -> Path | None:
    """The repo's vault password file (vault-password.txt beside etc/kolla), if it has one."""
    found = repo / "vault-password.txt"
    return found if found.exists() else None
