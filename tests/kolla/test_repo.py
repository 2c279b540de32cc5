"""coordcheck.kolla.repo: a config repository's variables layered as the kolla CLI passes them (globals.yml <
passwords.yml < globals.d, sorted), where each value comes from, the point release chosen, and the API
addresses — from an Ansible jsonfile fact cache, else synthesized from the inventory (noted)."""

import json

import pytest

from coordcheck.kolla import KollaError
from coordcheck.kolla.repo import Repo, configured_fact_cache, globals_d, key_lines
from tests.kolla import scenarios


def load(repo, **options) -> Repo:
    return Repo.load(repo / "etc/kolla", repo / "multinode", **options)


def test_key_lines_are_each_top_level_keys_first_line():
    text = "---\n# note\nenable_redis: 'yes'\n\"quoted\": 1\nnested:\n  inner: 2\nenable_redis: 'no'\n"
    assert key_lines(text) == {"enable_redis": 3, "quoted": 4, "nested": 5}


def test_globals_d_is_its_yaml_and_json_files_sorted(tmp_path):
    for name in ("20-b.yml", "10-a.yaml", "30-c.json", "notes.txt"):
        (tmp_path / name).write_text("{}\n")
    assert [p.name for p in globals_d(tmp_path)] == ["10-a.yaml", "20-b.yml", "30-c.json"]
    assert globals_d(tmp_path / "absent") == []


def test_variables_are_layered_as_the_kolla_cli_passes_them(hostile_repo):
    kolla_dir = hostile_repo / "etc/kolla"
    (kolla_dir / "globals.d").mkdir()
    (kolla_dir / "globals.d/20-late.yml").write_text("enable_mistral: 'no'\n")
    (kolla_dir / "globals.d/10-early.yml").write_text("enable_mistral: 'maybe'\nextra_key: 1\n")
    repo = load(hostile_repo, release="20.6.0")
    assert repo.extra["enable_mistral"] == "no" and repo.origin["enable_mistral"] == f"{kolla_dir}/globals.d/20-late.yml:1"
    assert repo.origin["enable_cinder"] == f"{kolla_dir}/globals.yml:6"
    assert repo.origin["redis_master_password"] == f"{kolla_dir}/passwords.yml"  # no line for a password
    assert repo.passwords["redis_master_password"] == repo.extra["redis_master_password"]
    assert repo.context("ctl2")["inventory_hostname"] == "ctl2" and repo.context("ctl2")["enable_mistral"] == "no"


def test_the_release_is_chosen_and_said_why(hostile_repo):
    by_series = load(hostile_repo)
    assert by_series.release.point == "20.6.0" and by_series.release_source.startswith("openstack_release in ")
    chosen = load(hostile_repo, release="23.0.0")
    assert chosen.release_source == "--kolla-release 23.0.0"
    assert any("openstack_release is 2025.1, kolla-ansible 23.0.0 deploys 2026.2" in n for n in chosen.notes)
    assert "passwords.yml has no valkey_master_password: rendered as coordcheck-unset-valkey_master_password" \
        in chosen.notes and chosen.extra["valkey_master_password"] == "coordcheck-unset-valkey_master_password"


def test_addresses_come_from_the_fact_cache_else_the_inventory(hostile_repo, tmp_path):
    facts = scenarios.fact_cache(tmp_path / "facts", new_format=True)
    repo = load(hostile_repo, release="23.0.0", facts=facts)
    assert repo.address("ctl1", "br-api") == "127.0.3.10" and repo.address_source["ctl1"].startswith("fact cache")
    assert repo.address("stor1", "br-api") == "127.0.2.120"
    assert repo.address_source["stor1"] == "synthesized from api_interface_address"
    (facts / "s1_ctl2").write_text(json.dumps({"__payload__": "not json"}))
    with pytest.raises(KollaError, match="s1_ctl2 is not an Ansible jsonfile fact cache entry"):
        repo.address("ctl2", "br-api")


def test_bad_folders_are_one_line(hostile_repo, tmp_path):
    with pytest.raises(KollaError, match="^--configdir .* is not a directory$"):
        Repo.load(tmp_path / "nope", hostile_repo / "multinode")
    with pytest.raises(KollaError, match=r"^--facts .* is not a directory \(an Ansible jsonfile fact cache\)$"):
        load(hostile_repo, facts=tmp_path / "nope")


def test_the_fact_cache_of_the_ansible_cfg_ansible_would_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./ansible.cfg here
    monkeypatch.setenv("ANSIBLE_CONFIG", str(tmp_path / "ansible.cfg"))
    (tmp_path / "ansible.cfg").write_text("[defaults]\nfact_caching = jsonfile\nfact_caching_connection = gone\n")
    assert configured_fact_cache() == (None, f"{tmp_path / 'ansible.cfg'} names the fact cache gone, which does not "
                                             "exist (run kolla-ansible gather-facts)")
    (tmp_path / "facts").mkdir()
    (tmp_path / "ansible.cfg").write_text("[defaults]\nfact_caching = jsonfile\nfact_caching_connection = facts\n")
    directory, said = configured_fact_cache()  # relative: the working directory's
    assert directory.resolve() == tmp_path / "facts" and said.endswith(f"named by {tmp_path / 'ansible.cfg'} "
                                                                        "(fact_caching_connection)")
    (tmp_path / "ansible.cfg").write_text("[defaults]\nfact_caching = redis\nfact_caching_connection = h:6379\n")
    assert configured_fact_cache()[1].endswith("caches facts with the redis plugin: the gate reads jsonfile caches only "
                                               "(give --facts)")
