"""coordcheck.kolla.render.installed, the oracle: real kolla-ansible (one Redis-era, one Valkey-only release)
renders the example repos, its CLI masks what it prints, and the gate's verdict is the same with it.

Venvs are cached under .cache/kolla-ansible/<release> (render/conftest.py's ``release``); renders under
.cache/kolla-ansible/renders, keyed by the release and the content of every input (tests/kolla/oracle.py).
"""
import json
from pathlib import Path

import pytest

from coordcheck.kolla.render import installed as ka
from tests.kolla import oracle, scenarios

VENVS, REDIS_ERA, VALKEY_ONLY, REPOS = oracle.VENVS, oracle.REDIS_ERA, oracle.VALKEY_ONLY, scenarios.REPOS
HOSTS = {"ctl1": "127.0.2.110", "ctl2": "127.0.2.111", "ctl3": "127.0.2.112"}
EXTRAS = "&db=0&socket_timeout=60&retry_on_timeout=yes"


def _sentinels(first="ctl1", api=HOSTS):
    rest = "".join(f"&sentinel_fallback={a}:26379" for h, a in api.items() if h != first)
    return f"{api[first]}:26379?sentinel=kolla{rest}"


def render(release, repo: Path, vault=False, facts=None):
    """{(host, service, option): value} plus the Rendering, cached by content."""
    r = oracle.render(release[0], repo, repo / "vault-password.txt" if vault else None, facts)
    return {(x.host, x.service, x.option): x.value for x in r.records}, r


@pytest.fixture(scope="session")
def full_repo(tmp_path_factory):
    """The agreement tests' full repo (every consumer on, API addresses from a fact cache), rendered once for both."""
    return scenarios.full(tmp_path_factory.mktemp("full"))


def test_healthy(release):
    values, r = render(release, REPOS / "healthy")
    url = values.get(("stor1", "cinder-volume", "backend_url"))
    if release[0] == REDIS_ERA:  # Redis: the extras from globals.yml, sentinel_password included
        assert url == f"redis://default:8Uv6Y4mWcQqU3tXk2fZr@{_sentinels()}{EXTRAS}&sentinel_password=8Uv6Y4mWcQqU3tXk2fZr"
        assert {s for (h, s, o) in values if h == "ctl1"} == {
            "cinder-api", "cinder-scheduler", "designate-central", "designate-worker", "masakari-api",
            "mistral-api", "mistral-engine"}
    else:  # Valkey-only: enable_redis and redis_connection_string_extras are ignored; no coordination
        assert ("stor1", "cinder-volume", "backend_url") not in values
        # ... except mistral, always rendered: with no valkey group in the inventory, a URL with no host
        assert values[("ctl1", "mistral-api", "backend_url")] == f"redis://{EXTRAS}"
        assert {s for (h, s, o) in values} == {"mistral-api", "mistral-engine"}
    assert set(r.facts.values()) == {"synthesized from api_interface_address"}
    assert all(h in HOSTS or h == "stor1" for h, _, _ in values)


def test_vaulted(release):
    values, r = render(release, REPOS / "vaulted", vault=True)
    if release[0] == VALKEY_ONLY:
        url = values[("ctl2", "designate-worker", "backend_url")]
        assert url.startswith("redis://default:") and url.endswith(f"@{_sentinels()}{EXTRAS}&sentinel_password="
                                                                    + url.split(":")[2].split("@")[0])
        assert "coordcheck-unset" not in url  # the vaulted passwords.yml was decrypted
        assert values[("stor1", "cinder-volume", "backend_url")] == url
    else:  # 2025.1: enable_valkey is not a switch there; only mistral renders, with no redis hosts
        assert {s for (h, s, o) in values} == {"mistral-api", "mistral-engine"}


def test_full_repo(release, full_repo):
    name, (repo, facts) = release[0], full_repo
    values, r = render(release, repo, facts=facts[name])
    pw = "8Uv6Y4mWcQqU3tXk2fZr" if name == REDIS_ERA else "vk-Pw-42"
    api = scenarios.FACT_ADDRESSES  # the br-api addresses of the fact cache, not ansible_host
    url = f"redis://default:{pw}@{_sentinels(api=api)}{EXTRAS}&sentinel_password={pw}"  # globals.d's extras
    assert values[("stor1", "cinder-volume", "backend_url")] == url  # config/cinder/coordination.conf: never read
    assert values[("ctl1", "designate-worker", "backend_url")] == "redis://default:ov@127.0.2.110:26379?sentinel=kolla"
    assert values[("ctl1", "designate-central", "backend_url")] == url
    assert values[("ctl1", "designate-backend-bind9", "backend_url")] == url  # designate_backend defaults to bind9
    assert values[("ctl3", "designate-sink", "backend_url")] == url  # switched on in globals.d
    assert ("ctl1", "masakari-engine", "backend_url") not in values  # [coordination] only for masakari-api
    assert values[("ctl1", "masakari-api", "backend_url")] == url
    assert not [k for k in values if k[1] == "cinder-backup"]  # enable_cinder_backup: no
    assert values[("ctl2", "mistral-executor", "backend_url")] == url
    assert values[("ctl1", "gnocchi-api", "coordination_url")] == url
    assert values[("ctl2", "gnocchi-metricd", "redis_url")] == "redis://ctl2:6379"  # config/gnocchi.conf, per host
    assert values[("ctl1", "cinder-api", "connection_string")] == url  # osprofiler_backend: redis
    keystone = "keystone" if name == REDIS_ERA else "keystone-api"  # the service was renamed in between
    assert values[("ctl2", keystone, "connection_string")] == url
    # keystone renders no [coordination]: only the per-host override's, which keystone never reads
    keystone_urls = {k: v for k, v in values.items() if k[1].startswith("keystone") and k[2] == "backend_url"}
    assert set(keystone_urls.values()) == {"redis://keystone-reads-none"} and {k[0] for k in keystone_urls} == {"ctl2"}
    # osprofiler on every project's services: nova-cell's on the compute node, glance-api on its first host only
    assert values[("stor1", "nova-compute", "connection_string")] == values[("ctl3", "neutron-server", "connection_string")] \
        == values[("ctl2", "heat-engine", "connection_string")] == url
    assert ("ctl1", "glance-api", "connection_string") in values and ("ctl2", "glance-api", "connection_string") not in values
    octavia = {o: v for (h, s, o), v in values.items() if (h, s) == ("ctl1", "octavia-worker")}
    assert octavia == {"jobboard_enabled": "true", "jobboard_backend_hosts": ",".join(api.values()),
                       "jobboard_backend_port": "26379", "jobboard_backend_username": "default",
                       "jobboard_backend_password": pw, "jobboard_redis_sentinel": "kolla",
                       "jobboard_redis_backend_ssl_options": "ssl:False", "jobboard_redis_sentinel_ssl_options": "ssl:False"}
    if name == REDIS_ERA:  # ironic-inspector exists up to 2025.1; horizon has no Redis cache there
        assert values[("ctl1", "ironic-inspector", "backend_url")] == url
        assert not [k for k in values if k[1] == "horizon"] and r.notes[-1].startswith("horizon:")
    else:
        assert not [k for k in values if k[1] == "ironic-inspector"]
        assert values[("ctl1", "horizon", "OPTIONS.SENTINELS")] == ",".join(f"{a}:26379" for a in api.values())
        assert values[("ctl1", "horizon", "OPTIONS.PASSWORD")] == pw
        assert values[("ctl1", "horizon", "LOCATION")] == "redis://kolla/0"


def test_fact_cache_gives_the_api_address(tmp_path):
    """With a jsonfile fact cache, the api_interface's address wins over the inventory's."""
    release = (REDIS_ERA, ka.install(REDIS_ERA, VENVS))  # the cache format of its ansible-core (2.18)
    facts = tmp_path / "facts"
    facts.mkdir()
    for i, host in enumerate(["ctl1", "ctl2", "ctl3"]):
        (facts / host).write_text(json.dumps({"ansible_eth0": {"ipv4": {"address": f"127.0.3.{10 + i}"}},
                                              "ansible_hostname": host, "ansible_nodename": host,
                                              "ansible_fqdn": host, "ansible_processor_vcpus": 2,
                                              "ansible_memtotal_mb": 8192, "ansible_os_family": "Debian",
                                              "ansible_distribution": "Debian"}))
    values, r = render(release, REPOS / "healthy", facts=facts)
    assert values[("stor1", "cinder-volume", "backend_url")].split("@")[1].startswith(
        "127.0.3.10:26379?sentinel=kolla&sentinel_fallback=127.0.3.11:26379&sentinel_fallback=127.0.3.12:26379&")
    assert r.facts == {"ctl1": "fact cache", "ctl2": "fact cache", "ctl3": "fact cache",
                       "stor1": "synthesized from api_interface_address"}


@pytest.mark.parametrize("fmt", [[], ["--json"]])
def test_cli_masks_passwords(fmt, capsys, monkeypatch):
    release = (REDIS_ERA, ka.install(REDIS_ERA, VENVS))
    repo = REPOS / "healthy"
    rendering = render(release, repo)[1]
    monkeypatch.setattr(ka, "render", lambda *a: rendering)  # the cached rendering
    assert ka.main(["--kolla-ansible", str(release[1]), "--configdir", str(repo / "etc/kolla"),
                    "--inventory", str(repo / "multinode")] + fmt) == 0
    out = capsys.readouterr().out
    assert "8Uv6Y4mWcQqU3tXk2fZr" not in out and out.count("***") == 2 * 22
    assert (json.loads(out)["release"] if fmt else out.splitlines()[-1]).startswith(REDIS_ERA) or fmt == []


def test_the_verdict_is_the_same_with_kolla_ansible_installed():
    """--kolla-ansible PATH renders with the operator's kolla-ansible; the sentinels' password is
    decided alike (here: the repo's config/redis/redis-sentinel.conf, the operator's word)."""
    from coordcheck.checks.consumers import consumer_findings, sentinel_auth
    from coordcheck.kolla.render import render_repo

    repo = REPOS / "incident"
    builtin = render_repo(repo / "etc/kolla", repo / "multinode")
    installed = render_repo(repo / "etc/kolla", repo / "multinode", kolla_ansible=str(ka.install(REDIS_ERA, VENVS)))
    assert installed.renderer.startswith(f"kolla-ansible {REDIS_ERA} installed at")
    verdicts = []
    for rendered in (builtin, installed):
        auth = sentinel_auth(rendered)
        assert auth[0] is True and "redis-sentinel.conf:" in auth[1], auth
        verdicts.append(sorted((f.id, f.where.host or "") for f in consumer_findings(rendered, auth)))
    assert verdicts[0] == verdicts[1] and ("SENTINEL_AUTH_MISSING", "ctl1") in verdicts[0]
