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


def full(base: Path) -> tuple[Path, Path]:
    """Every consumer switched on; sentinel_password from globals.d; API addresses from a fact cache
    (api_interface br-api) that differ from ansible_host. Returns the repo and a fact cache per release."""
    repo = base / "full"
    shutil.copytree(REPOS / "healthy", repo)
    _groups(repo, {"cinder-backup": "storage", "masakari-engine": "control", "designate-api": "control",
                   "designate-backend-bind9": "control", "designate-sink": "control", "mistral-executor": "control",
                   "gnocchi-api": "control", "gnocchi-metricd": "control", "gnocchi-statsd": "control",
                   "octavia-api": "control", "octavia-worker": "control", "horizon": "control",
                   "ironic-inspector": "control", "valkey": "control", "keystone": "control"})
    _globals(repo, enable_valkey="yes", enable_cinder_backup="no", enable_gnocchi="yes", enable_gnocchi_statsd="yes",
             enable_octavia="yes", enable_horizon="yes", enable_ironic="yes", enable_ironic_inspector="yes",
             enable_osprofiler="yes", osprofiler_backend="redis", api_interface="br-api",
             redis_connection_string_extras=EXTRAS)
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
        ("20.3.0", False), ("23.0.0", True))}


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


def horizon_memcached(base: Path) -> Path:
    """Neither flavor on: horizon on memcached, mistral with no hosts, gnocchi without coordination."""
    repo = base / "memcached"
    shutil.copytree(REPOS / "healthy", repo)
    _groups(repo, {"horizon": "control", "memcached": "control", "gnocchi-api": "control",
                   "octavia-worker": "control"})
    _globals(repo, enable_redis="no", enable_gnocchi="yes", enable_octavia="yes", enable_octavia_jobboard="no")
    return repo
