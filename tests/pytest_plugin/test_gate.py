"""The CI gate on Kolla config repositories: `pytest -m config` without
--hosts renders every service's URL from the repository and checks it, with
no host contacted."""

import shutil

import pytest

from tests.conftest import PROJECT, reported, run_checklist

REPOS = PROJECT / "examples" / "config-repos"
#: The examples keep config/<flavor>/<flavor>-sentinel.conf with requirepass: no Kolla release merges it (a warning).
UNREAD = "OVERRIDE_NOT_READ (warning)"


def gate(repo, tmp_path, *extra):
    return run_checklist("-m", "config", "--configdir", str(repo / "etc" / "kolla"),
                         "--inventory", str(repo / "multinode"), *extra, tmp_path=tmp_path, cwd=tmp_path)


@pytest.fixture
def repo(tmp_path):
    """A copy of the healthy example repository, to break."""
    copy = tmp_path / "repo"
    shutil.copytree(REPOS / "healthy", copy)
    return copy


def test_healthy_repo_passes_with_a_plaintext_warning(tmp_path):
    run = gate(REPOS / "healthy", tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(reported(run)) == {"PASSWORDS_PLAINTEXT (warning)", UNREAD}
    assert "test_network" not in run.stdout and "deselected" in run.stdout
    assert "coordcheck gate: kolla-ansible 20.6.0 (2025.1, redis) from openstack_release in" in run.stdout
    assert "assumed kolla-ansible 20.6.0, the newest of 2025.1" in run.stdout


def test_incident_repo_fails_naming_every_file(tmp_path):
    run = gate(REPOS / "incident", tmp_path)
    assert run.returncode == 1
    found = reported(run)
    assert set(found) == {"SENTINEL_AUTH_MISSING", "PASSWORDS_PLAINTEXT (warning)", UNREAD}
    places = " ".join(found["SENTINEL_AUTH_MISSING"])
    for source in ("config/designate.conf:3", "config/masakari.conf:3", "config/mistral.conf:3",
                   "config/cinder/cinder-volume.conf:5", "set by Kolla default (", "redis_master_password from"):
        assert source in places
    # each place under the host it is on: ctl1-3 alike in one group, stor1's cinder-volume on its own
    assert "hosts ctl1, ctl2, ctl3 cinder-api cinder-api/cinder.conf [coordination] backend_url" in places
    assert "host stor1: cinder-volume cinder-volume/cinder.conf [coordination] backend_url, set by" in places
    assert "config/redis/redis-sentinel.conf:2 sets requirepass" in run.stdout
    assert "8Uv6Y4mWcQqU3tXk2fZr" not in run.output


def test_vaulted_valkey_repo(tmp_path):
    repo = REPOS / "vaulted"
    run = gate(repo, tmp_path, "--vault-password-file", str(repo / "vault-password.txt"))
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(reported(run)) == {UNREAD} and "Zq3nP8rT5vW2yB7cK4mX" not in run.output
    assert "config/valkey/valkey-sentinel.conf:1" in " ".join(reported(run)[UNREAD])


@pytest.mark.parametrize("extra, says", [
    ([], "passwords.yml is ansible-vault encrypted: give --vault-password-file"),
    (["--vault-password-file", "{wrong}"], "passwords.yml: the vault password does not decrypt it"),
    (["--vault-password-file", "/nonexistent"], "--vault-password-file /nonexistent does not exist"),
])
def test_vault_errors_are_one_line(tmp_path, extra, says):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not-it\n")
    run = gate(REPOS / "vaulted", tmp_path, *[e.format(wrong=wrong) for e in extra])
    assert run.returncode == 4 and says in run.stderr and len(run.stderr.strip().splitlines()) == 1


GOOD = ("redis://default:{{ redis_master_password }}@127.0.2.110:26379?sentinel=kolla"
        "&sentinel_fallback=127.0.2.111:26379&sentinel_fallback=127.0.2.112:26379&db=0"
        "&socket_timeout=60&retry_on_timeout=yes&sentinel_password={{ redis_master_password }}")

BREAKS = [
    # (catalogue id, override file, backend_url, where it must point)
    ("PASSWORD_MISMATCH", "config/cinder.conf", GOOD.replace(":{{ redis_master_password }}@", ":old@"),
     "config/cinder.conf:2"),
    ("MASTER_USER_WRONG", "config/designate.conf", GOOD.replace("default:", "admin:"), "config/designate.conf:2"),
    # no facts: the inventory's addresses are not Kolla's (kolla_address reads the api_interface's facts): a note
    ("ADDRESSES_UNVERIFIED (warning)", "config/mistral.conf", GOOD.replace("127.0.2.112", "127.0.2.113"),
     "config/mistral.conf:2"),
    ("URL_INVALID", "config/masakari.conf", GOOD.replace("db=0", "db=zero"), "config/masakari.conf:2"),
    ("URL_UNKNOWN_OPTION", "config/cinder.conf", GOOD + "&sentinel_pasword=x", "config/cinder.conf:2"),
    ("URL_ENCODING", "config/cinder.conf", GOOD.replace(":{{ redis_master_password }}@", ":%38Uv6Y4mWcQqU3tXk2fZr@"),
     "config/cinder.conf:2"),
    ("URL_DRIFT", "config/cinder/ctl2/cinder.conf", GOOD.replace("&retry_on_timeout=yes", ""),
     "config/cinder/ctl2/cinder.conf:2"),
    ("SENTINEL_AUTH_MISSING", "config/global.conf", GOOD.replace("&sentinel_password={{ redis_master_password }}", ""),
     "config/global.conf:2"),
]


@pytest.mark.parametrize("finding, override, url, where", BREAKS, ids=[b[0] for b in BREAKS])
def test_each_static_entry_names_the_file_and_line(repo, tmp_path, finding, override, url, where):
    path = repo / "etc" / "kolla" / override
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[coordination]\nbackend_url = {url}\n")
    found = reported(gate(repo, tmp_path))
    assert finding in found, sorted(found)
    assert any(where in place for place in found[finding])
    assert set(found) - {finding, "PASSWORDS_PLAINTEXT (warning)", "URL_DRIFT", UNREAD} == set()


def test_sentinel_auth_unexpected_when_sentinels_have_no_password(repo, tmp_path):
    (repo / "etc" / "kolla" / "config" / "redis" / "redis-sentinel.conf").unlink()
    # every URL carries sentinel_password: the operator's word that the sentinels have one
    assert set(reported(gate(repo, tmp_path))) == {"PASSWORDS_PLAINTEXT (warning)"}
    run = gate(repo, tmp_path, "--sentinel-auth=none")  # 2025.1: its redis-py 5.2.1 fails on a sentinel password the sentinels do not expect
    assert run.returncode == 1 and "SENTINEL_AUTH_UNEXPECTED" in reported(run)
    assert "ships tooz 6.3.0 and redis-py 5.2.1, which fails" in run.stdout
    globals_yml = repo / "etc" / "kolla" / "globals.yml"
    globals_yml.write_text(globals_yml.read_text().replace('"2025.1"', '"2026.2"').replace("redis", "valkey"))
    (repo / "etc" / "kolla" / "passwords.yml").write_text(
        (repo / "etc" / "kolla" / "passwords.yml").read_text().replace("redis", "valkey"))
    (repo / "multinode").write_text((repo / "multinode").read_text().replace("[redis:children]", "[valkey:children]"))
    found = reported(gate(repo, tmp_path, "--sentinel-auth=none"))  # 2026.2's redis-py 8.1.0 accepts it: a warning
    assert "SENTINEL_AUTH_UNEXPECTED (warning)" in found
    told = reported(gate(repo, tmp_path, "--sentinel-auth=required"))
    assert set(told) == {"PASSWORDS_PLAINTEXT (warning)"}


def test_valkey_names_and_jinja_in_globals(repo, tmp_path):
    kolla = repo / "etc" / "kolla"
    text = (kolla / "globals.yml").read_text().replace("redis", "valkey").replace('"2025.1"', '"2025.2"')
    (kolla / "globals.yml").write_text(text)
    (kolla / "passwords.yml").write_text((kolla / "passwords.yml").read_text().replace("redis", "valkey"))
    (repo / "multinode").write_text((repo / "multinode").read_text().replace("[redis:children]", "[valkey:children]"))
    (kolla / "config" / "redis").rename(kolla / "config" / "valkey")
    (kolla / "config" / "valkey" / "redis-sentinel.conf").rename(kolla / "config" / "valkey" / "valkey-sentinel.conf")
    run = gate(repo, tmp_path)
    assert run.returncode == 0 and set(reported(run)) == {"PASSWORDS_PLAINTEXT (warning)", UNREAD}, run.stdout[-3000:]
    (kolla / "globals.yml").write_text(text.replace("{{ valkey_master_password }}", "{{ valkey_master_pasword }}"))
    run = gate(repo, tmp_path)
    assert run.returncode == 1 and "URL_INVALID" in reported(run)  # kolla-ansible's deploy stops there too
    assert "'valkey_master_pasword' is undefined" in " ".join(run.failures().values())


def test_runbook_fix_is_explained(tmp_path):
    """shared/000_aab04f1232213b71.txt's fix: config/<service>/coordination.conf, read by no Kolla role."""
    run = gate(REPOS / "runbook-fix", tmp_path)
    found = reported(run)
    assert run.returncode == 1 and "SENTINEL_AUTH_MISSING" in found
    unread = " ".join(found["OVERRIDE_NOT_READ"])
    for service in ("cinder", "keystone", "nova", "neutron"):
        assert f"config/{service}/coordination.conf:2" in unread
    assert "test_consumer[OVERRIDE_NOT_READ-1]" in run.stdout  # one case per distinct finding, not per host
