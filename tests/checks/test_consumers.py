"""The gate's judgement of every consumer a repository renders (coordcheck/checks/consumers.py): the
URL consumers by their loaders, what does not render, URLs with no host, and the sentinels' password."""
import pytest

from coordcheck.checks.consumers import consumer_findings, loading_findings, sentinel_auth, urls_without_hosts
from coordcheck.kolla.render import render_repo
from coordcheck.kolla.render.values import Record
from tests.checks import repos
from tests.kolla import scenarios

CONSUMED = {("cinder.conf", "coordination", "backend_url")}


def _record(value, host="ctl1"):
    return Record(host, "cinder-api", "cinder.conf", "coordination", "backend_url", value)


def test_each_url_is_judged_by_its_loader_one_finding_per_error():
    records = [_record(""), _record("", "ctl2"), _record("http://h"), _record("memcached://h:11211"),
               _record("redis://h:26379?sentinel=kolla")]
    found = {f.id: f for f in loading_findings(records, CONSUMED)}
    assert set(found) == {"URL_BLANK", "URL_NOT_LOADABLE", "BACKEND_NOT_SENTINEL"}
    assert [p.host for p in found["URL_BLANK"].where.all_places()] == ["ctl1", "ctl2"]
    assert "No 'tooz.backends' driver found, looking for 'http'" in found["URL_NOT_LOADABLE"].evidence
    assert found["BACKEND_NOT_SENTINEL"].severity == "warn"
    assert loading_findings(records, set()) == []  # a value no service reads is not judged


def test_urls_that_name_no_host():
    [finding] = urls_without_hosts([_record("redis://&db=0"), _record("redis://h:26379?sentinel=kolla")])
    assert finding.id == "URL_NO_HOSTS" and "1 URLs name no host" in finding.evidence


def test_the_sentinels_password_is_the_operators_word_or_the_repositorys(tmp_path):
    rendered = render_repo(repos.HEALTHY / "etc/kolla", repos.HEALTHY / "multinode")
    assert sentinel_auth(rendered, "none") == (False, "--sentinel-auth=none")
    needed, why = sentinel_auth(rendered, "auto")
    assert needed and "redis-sentinel.conf:2 sets requirepass" in why


def test_the_healthy_example_with_octavia_on_has_only_warnings(tmp_path):
    repo = repos.consumers_repo(tmp_path, valkey=False)
    rendered = render_repo(repo / "etc/kolla", repo / "multinode")
    found = consumer_findings(rendered, sentinel_auth(rendered))
    assert [f.id for f in found] == ["OVERRIDE_NOT_READ"] and found[0].severity == "warn"


# --- on the example and scenario repos, rendered by the built-in tables (proven in test_agreement.py) ---

def findings(repo, auth="auto", release=None, facts=None):
    vault = repo / "vault-password.txt"
    rendered = render_repo(repo / "etc/kolla", repo / "multinode", vault if vault.exists() else None, release, facts)
    decided = sentinel_auth(rendered, auth)
    return {f.id: f for f in consumer_findings(rendered, decided)}, [f for f in consumer_findings(rendered, decided)], decided


def test_the_runbook_fix_is_explained():
    """shared/000_aab04f1232213b71.txt writes config/<service>/coordination.conf: Kolla reads none of them."""
    by_id, found, _ = findings(scenarios.REPOS / "runbook-fix", "required")
    unread = sorted(f.where.file.split("config/")[1] for f in found if f.id == "OVERRIDE_NOT_READ")
    assert unread == ["cinder/coordination.conf:2", "keystone/coordination.conf:2", "neutron/coordination.conf:2",
                      "nova/coordination.conf:2", "redis/redis-sentinel.conf:1"]
    keystone = next(f for f in found if "keystone/coordination" in f.where.file)
    assert "keystone has no [coordination] backend_url consumer" in keystone.evidence
    assert "config/cinder/<service>.conf, config/cinder/<host>/cinder.conf (<service>: cinder-api," in next(
        f for f in found if "cinder/coordination" in f.where.file).advice
    assert "SENTINEL_AUTH_MISSING" in by_id  # so the incident stays
    assert "8Uv6Y4mWcQqU3tXk2fZr" not in "\n".join(f.render() for f in found)


def test_sentinel_auth_is_decided_from_the_release():
    _, _, decided = findings(scenarios.REPOS / "healthy")  # its config/redis/redis-sentinel.conf: the operator's word
    assert decided[0] is True and "no kolla-ansible release merges that file" in decided[1]
    _, _, decided = findings(scenarios.REPOS / "healthy", release="23.0.0")  # a Valkey release: no such file
    assert decided[0] is False and "stock valkey-sentinel.conf.j2 sets no requirepass" in decided[1]
    by_id, _, decided = findings(scenarios.REPOS / "healthy", "required")
    assert decided == (True, "--sentinel-auth=required") and "SENTINEL_AUTH_MISSING" not in by_id


def test_no_consumer_override(tmp_path):
    import shutil
    repo = tmp_path / "repo"
    shutil.copytree(scenarios.REPOS / "healthy", repo)
    (repo / "etc/kolla/config/keystone.conf").write_text("[coordination]\nbackend_url = redis://x\n")
    by_id, _, _ = findings(repo)
    assert by_id["OVERRIDE_NO_CONSUMER"].where.file.endswith("config/keystone.conf:2")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("consumers")
    full, facts = scenarios.full(base)
    return {"full": (full, facts["23.0.0"]), "leftover": scenarios.leftover(base),
            "memcached": scenarios.horizon_memcached(base)}


def test_octavia_and_horizon_cannot_send_a_sentinel_password(built):
    by_id, _, _ = findings(*built["full"][:1], auth="required", release="23.0.0", facts=built["full"][1])
    assert "jobboard_backend_password" in by_id["JOBBOARD_NO_SENTINEL_AUTH"].evidence
    assert "SENTINEL_KWARGS" in by_id["HORIZON_NO_SENTINEL_AUTH"].evidence
    # globals.d carries sentinel_password for every URL Kolla builds; the one override does not
    assert by_id["SENTINEL_AUTH_MISSING"].where.file.endswith("config/designate/designate-worker.conf:2")
    assert {s for s, _ in by_id["SENTINEL_AUTH_MISSING"].where.more_files} == {"designate-worker"}
    by_id, _, _ = findings(built["full"][0], auth="none", release="23.0.0", facts=built["full"][1])
    assert "JOBBOARD_NO_SENTINEL_AUTH" not in by_id and "SENTINEL_AUTH_UNEXPECTED" in by_id


def test_the_fixes_that_exist_are_seen(built, tmp_path):
    """octavia reads [task_flow] jobboard_redis_sentinel_password (15.0.0+); horizon runs
    config/horizon/_9999-custom-settings.py after Kolla's settings: either override is the fix."""
    import shutil
    repo = tmp_path / "repo"
    shutil.copytree(built["full"][0], repo)
    with open(repo / "etc/kolla/config/octavia.conf", "a") as f:
        f.write("\n[task_flow]\njobboard_redis_sentinel_password = {{ valkey_master_password }}\n")
    by_id, _, _ = findings(repo, auth="required", release="23.0.0", facts=built["full"][1])
    assert "JOBBOARD_NO_SENTINEL_AUTH" not in by_id and "HORIZON_NO_SENTINEL_AUTH" in by_id
    assert "_9999-custom-settings.py" in by_id["HORIZON_NO_SENTINEL_AUTH"].advice
    (repo / "etc/kolla/config/horizon").mkdir(exist_ok=True)
    (repo / "etc/kolla/config/horizon/_9999-custom-settings.py").write_text(
        "CACHES['default']['OPTIONS']['SENTINEL_KWARGS'] = {'password': '{{ valkey_master_password }}'}\n")
    by_id, _, _ = findings(repo, auth="required", release="23.0.0", facts=built["full"][1])
    assert "HORIZON_NO_SENTINEL_AUTH" not in by_id


def test_migration_preflight(built):
    by_id, found, _ = findings(built["leftover"], release="23.0.0")
    leftovers = sorted(f.where.file.rsplit("/", 1)[1] for f in found if f.id == "REDIS_NAMES_LEFTOVER")
    assert leftovers == ["leftover.yml:1", "leftover.yml:2"]
    by_id, _, _ = findings(built["memcached"], release="23.0.0")
    assert "mistral-api" in str(by_id["URL_NO_HOSTS"].where)


def test_old_password_left(tmp_path):
    import shutil
    repo = tmp_path / "repo"
    shutil.copytree(scenarios.REPOS / "healthy", repo)
    with open(repo / "etc/kolla/passwords.yml", "a") as f:
        f.write("valkey_master_password: vk\n")
    by_id, found, _ = findings(repo, release="2025.2")
    assert by_id["OLD_PASSWORD_LEFT"].severity == "warn"
    assert {f.where.file.rsplit("/", 1)[1] for f in found if f.id == "REDIS_NAMES_LEFTOVER"} == {
        "globals.yml:5", "globals.yml:12"}  # enable_redis, redis_connection_string_extras


def test_a_global_override_is_judged_only_where_a_service_reads_it(tmp_path):
    """config/global.conf reaches every service's file (nova.conf too), but only the services
    that coordinate read [coordination] backend_url: nova-compute is no place of the finding."""
    import shutil
    repo = tmp_path / "repo"
    shutil.copytree(scenarios.REPOS / "healthy", repo)
    with open(repo / "multinode", "a") as f:
        f.write("\n[compute:children]\nstorage\n")
    (repo / "etc/kolla/config/global.conf").write_text(
        "[coordination]\nbackend_url = redis://default:x@127.0.2.110:26379?sentinel=kolla\n")
    rendered = render_repo(repo / "etc/kolla", repo / "multinode")
    assert any(r.service == "nova-compute" and r.option == "backend_url" for r in rendered.records)  # Kolla writes it
    missing = next(f for f in consumer_findings(rendered, sentinel_auth(rendered, "required"))
                   if f.id == "SENTINEL_AUTH_MISSING")
    places = {missing.where.service} | {s for s, _ in missing.where.more_files}
    assert "cinder-volume" in places and not {p for p in places if p.startswith(("nova", "neutron"))}


GOOD = ("redis://default:{{ redis_master_password }}@127.0.2.110:26379?sentinel=kolla"
        "&sentinel_fallback=127.0.2.111:26379&sentinel_fallback=127.0.2.112:26379&db=0"
        "&socket_timeout=60&retry_on_timeout=yes&sentinel_password={{ redis_master_password }}")


def _healthy_with(tmp_path, override: str):
    import shutil
    repo = tmp_path / "repo"
    shutil.copytree(scenarios.REPOS / "healthy", repo)
    (repo / "etc/kolla/config/mistral.conf").write_text(f"[coordination]\nbackend_url = {override}\n")
    return repo


def test_no_verdict_on_bare_host_names(tmp_path):
    """Kolla's usual inventory (bare names, no facts): overrides naming real IPs cannot be compared with the
    names the gate had to use: ADDRESSES_UNVERIFIED notes, never FALLBACK_MISMATCH or URL_DRIFT failures."""
    import re
    repo = _healthy_with(tmp_path, GOOD)
    inventory = repo / "multinode"
    inventory.write_text(re.sub(r" ansible_host=\S+ api_interface_address=\S+", "", inventory.read_text()))
    _, found, _ = findings(repo)
    assert not [f for f in found if f.severity == "fail"], [f.render() for f in found if f.severity == "fail"]
    notes = [f for f in found if f.id == "ADDRESSES_UNVERIFIED"]
    assert notes and all(f.evidence.startswith("cannot compare without facts: ") for f in notes)
    assert "ctl1 (synthesized from the name)" in notes[0].evidence


def test_the_fact_cache_of_ansible_cfg_is_read(tmp_path, monkeypatch):
    """No --facts: the jsonfile cache that the ansible.cfg Ansible would read names (here: $ANSIBLE_CONFIG);
    its addresses are Kolla's: an override naming them passes, one naming others is a FALLBACK_MISMATCH failure."""
    real = GOOD.replace("127.0.2.110", "127.0.3.10").replace("127.0.2.111", "127.0.3.11").replace("127.0.2.112", "127.0.3.12")
    repo = _healthy_with(tmp_path, real)
    with open(repo / "etc/kolla/globals.yml", "a") as f:
        f.write("api_interface: br-api\n")
    _, found, _ = findings(repo)
    assert "FALLBACK_MISMATCH" not in {f.id for f in found} and "ADDRESSES_UNVERIFIED" in {f.id for f in found}
    cache = scenarios.fact_cache(tmp_path / "facts", new_format=True)
    (tmp_path / "ansible.cfg").write_text(f"[defaults]\ngathering = smart\nfact_caching = jsonfile\n"
                                          f"fact_caching_connection = {cache}\n")
    monkeypatch.setenv("ANSIBLE_CONFIG", str(tmp_path / "ansible.cfg"))
    rendered = render_repo(repo / "etc/kolla", repo / "multinode")
    assert rendered.addresses["ctl1"].startswith("fact cache") and any(
        f"named by {tmp_path / 'ansible.cfg'}" in n for n in rendered.notes)
    assert any("@127.0.3.10:26379" in r.value for r in rendered.records if r.service == "cinder-api")
    by_id, _, _ = findings(repo)
    assert not {"FALLBACK_MISMATCH", "ADDRESSES_UNVERIFIED", "URL_DRIFT"} & set(by_id), sorted(by_id)
    (repo / "etc/kolla/config/mistral.conf").write_text(f"[coordination]\nbackend_url = {GOOD}\n")
    by_id, _, _ = findings(repo)
    assert by_id["FALLBACK_MISMATCH"].severity == "fail" and "ADDRESSES_UNVERIFIED" not in by_id
    (tmp_path / "ansible.cfg").write_text(f"[defaults]\nfact_caching = jsonfile\nfact_caching_connection = {tmp_path}/none\n")
    assert any("which does not exist (run kolla-ansible gather-facts)" in n
               for n in render_repo(repo / "etc/kolla", repo / "multinode").notes)
