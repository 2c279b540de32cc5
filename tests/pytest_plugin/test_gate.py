"""The CI gate on Kolla config repositories (`coordcheck.pytest_plugin.gate`):
`pytest -m config` without --hosts renders every service's URL from the
repository and checks it, with no host contacted, one case per distinct
finding. Hostile repositories too: what Ansible accepts the gate accepts,
templates run nothing, what cannot render is one line and exit 4 before
collection, and generated repositories (hypothesis) end cleanly, run in this
process (pytest.main), a fixed number of examples."""

import json
import os
import re
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings

from coordcheck.secrets import forms
from tests.conftest import reported
from tests.pytest_plugin.generated_repos import changes, ini_text, place, yaml_text
from tests.pytest_plugin.repos import (HEALTHY, PASSWORD, REPOS, UNREAD, VAULT_PASSWORD, assert_clean,
                                       assert_one_error_line, gate, inline_vault, script, vaulted, write)

PAYLOAD_MARK = "/tmp/coordcheck-pwned-{name}"
#: Bounds of one fuzz example and of the whole process (a bomb costs minutes and gigabytes).
EXAMPLE_SECONDS, MAX_RSS_MB = 60.0, 1024


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
    assert PASSWORD not in run.output


@pytest.mark.parametrize("password, not_loaded, why", [
    ("Zq9xW/kw7Hs?Rt4V&m=Pp%40#Lm2Q", "URL_INVALID", "holds a character (/ ? # [ ])"),
    ("abQ7[cdefgh]ijK2", "URL_NOT_LOADABLE", "holds a character (/ ? # [ ])"),
    ("Hq7Lm2{{Xw9word}}Ab4", "URL_INVALID", "holds Jinja ({{ {% {#), which Kolla's Ansible templates")])
def test_a_password_no_url_can_carry_is_to_be_changed_and_changed_the_gate_passes(repo, tmp_path, password,
                                                                                   not_loaded, why):
    """Kolla writes redis_master_password as it is into every URL, where tooz reads no / ? # [ ] (and Ansible
    templates Jinja in it first): the fix is a new password, the servers reconfigured too, never a
    "corrected" URL; no piece of it is printed (the parsers quote pieces in their errors); taken, the gate
    passes."""
    passwords = repo / "etc/kolla/passwords.yml"
    passwords.write_text(passwords.read_text().replace(PASSWORD, json.dumps(password)))
    (tmp_path / "before").mkdir()
    run = gate(repo, tmp_path / "before")
    assert run.returncode == 1 and set(reported(run)) == {not_loaded, "PASSWORDS_PLAINTEXT (warning)", UNREAD}
    assert_clean(run, password)
    assert not [piece for piece in re.split(r"[/?#\[\]&=%{} ]", password) if len(piece) > 3 and piece in run.output]
    assert "set redis_master_password in passwords.yml to a password without / ? # [ ] {{ {% {#" in run.stdout
    assert f"corrected URL: none: redis_master_password {why}" in run.stdout
    assert "reconfigure --tags cinder,designate,masakari,mistral,redis" in run.stdout
    assert "corrected URL: redis://" not in run.stdout
    passwords.write_text(passwords.read_text().replace(json.dumps(password), "Kx7Tq2Lm9Rv4Wz8Np3Hs"))
    (tmp_path / "after").mkdir()
    assert set(reported(gate(repo, tmp_path / "after"))) == {"PASSWORDS_PLAINTEXT (warning)", UNREAD}


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


# -- what Ansible accepts, the gate accepts ------------------------------------
def test_inline_vault_and_unsafe_values_read_as_ansible_reads_them(repo, tmp_path):
    kolla_dir = repo / "etc" / "kolla"
    (kolla_dir / "passwords.yml").write_text("redis_master_password: " + inline_vault(PASSWORD))
    globals_yml = kolla_dir / "globals.yml"
    globals_yml.write_text(globals_yml.read_text() + "some_note: !unsafe '{{ not_templated }}'\n")
    run = gate(repo, tmp_path, "--vault-password-file", script(repo, f"echo {VAULT_PASSWORD}"), timeout=60)
    assert run.returncode == 0, run.output[-3000:]
    assert set(reported(run)) == {"PASSWORDS_PLAINTEXT (warning)", UNREAD}
    assert_clean(run)


def test_unsafe_values_are_never_templated(repo, tmp_path):
    """An ``!unsafe`` extras value keeps its braces: tooz then gets them, and
    the gate says so (Kolla would write them as they are)."""
    globals_yml = repo / "etc" / "kolla" / "globals.yml"
    globals_yml.write_text(globals_yml.read_text().replace(
        'redis_connection_string_extras: "', "redis_connection_string_extras: !unsafe \""))
    run = gate(repo, tmp_path, timeout=60)
    assert run.returncode == 1
    assert "PASSWORD_MISMATCH" in reported(run)  # sentinel_password is the braces, as written
    assert_clean(run)


def test_requirepass_empty_means_no_password(repo, tmp_path):
    (repo / "etc" / "kolla" / "config" / "redis" / "redis-sentinel.conf").write_text('requirepass ""\n')
    run = gate(repo, tmp_path, timeout=60)
    assert "SENTINEL_AUTH_UNEXPECTED" in reported(run)  # 2025.1's redis-py 5.2.1 fails on it
    assert "SENTINEL_AUTH_MISSING" not in reported(run)


# -- templates from a config repository run nothing ----------------------------
PAYLOADS = {
    "cycler": "{{{{ cycler.__init__.__globals__.os.system('touch {mark}') }}}}",
    "mro": "{{{{ ''.__class__.__mro__[1].__subclasses__() }}}}",
    "lipsum": "{{{{ lipsum.__globals__['os'].system('touch {mark}') }}}}",
    "self": "{{{{ self.__init__.__globals__ }}}}",
    "request": "{{{{ namespace.__init__.__globals__['os'].popen('touch {mark}').read() }}}}",
    "loop-bomb": "{{% for a in range(99999) %}}{{% for b in range(99999) %}}{{% endfor %}}{{% endfor %}}",
    "memory-bomb": "{{{{ 'x' * 10 ** 12 }}}}",
    "recursion": "{{{{ redis_connection_string_extras }}}}",
}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_template_payload_runs_nothing(repo, tmp_path, name):
    mark = Path(PAYLOAD_MARK.format(name=f"{name}-{os.getpid()}-{tmp_path.name}"))
    payload = PAYLOADS[name].format(mark=mark)
    (repo / "etc" / "kolla" / "config" / "cinder.conf").write_text(f"[coordination]\nbackend_url = {payload}\n")
    if name == "recursion":
        globals_yml = repo / "etc" / "kolla" / "globals.yml"
        globals_yml.write_text(globals_yml.read_text() + "loop_a: '{{ loop_b }}'\nloop_b: '{{ loop_a }}'\n")
        (repo / "etc" / "kolla" / "config" / "cinder.conf").write_text("[coordination]\nbackend_url = {{ loop_a }}\n")
    run = gate(repo, tmp_path, timeout=60)
    assert not mark.exists(), "a template ran a command"
    assert run.returncode == 1
    failures = " ".join(run.failures().values())
    assert "config/cinder.conf" in failures and "URL_INVALID" in failures
    assert_clean(run)
    assert run.seconds < 20


# -- what is found while rendering is one ERROR line and exit 4, before collection ----
def _laughs() -> str:
    lines = ['lol0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


RENDER_TIME = [
    ("globals.d not YAML", lambda r: (write(r, "etc/kolla/globals.d/x.yml", "a: b: c\n"), [])[1], "is not valid YAML"),
    ("globals.d a list", lambda r: (write(r, "etc/kolla/globals.d/x.yml", "- a\n"), [])[1],
     "must hold a YAML mapping, not list"),
    ("globals.d binary", lambda r: (write(r, "etc/kolla/globals.d/x.yml", b"\x00\xff"), [])[1], "is binary"),
    ("globals.d vaulted with another password", lambda r: (
        write(r, "etc/kolla/globals.d/x.yml", vaulted("a: 1\n")), write(r, "other.txt", "another-password\n"),
        ["--vault-password-file", str(r / "other.txt")])[2], "the vault password does not decrypt it"),
    ("globals.d alias bomb", lambda r: (write(r, "etc/kolla/globals.d/x.yml", _laughs()), [])[1],
     "aliases expand to more than"),
    ("globals.d a folder", lambda r: ((r / "etc/kolla/globals.d/x.yml").mkdir(parents=True), [])[1],
     "globals.d/x.yml is a directory"),
    ("config a folder named .conf", lambda r: ((r / "etc/kolla/config/cinder.conf").mkdir(parents=True), [])[1],
     "config/cinder.conf is a directory"),
    ("config a FIFO", lambda r: (os.mkfifo(r / "etc/kolla/config/cinder.conf"), [])[1], "cinder.conf is a FIFO"),
    ("config a link to /dev/zero", lambda r: ((r / "etc/kolla/config/cinder.conf").symlink_to("/dev/zero"), [])[1],
     "cinder.conf is a character device"),
    ("kolla-release a path", lambda r: ["--kolla-release", "../../etc"], "kolla-ansible release '../../etc'"),
    ("facts folder missing", lambda r: ["--facts", str(r / "no-facts")], "is not a directory"),
]


@pytest.mark.parametrize("setup, says", [row[1:] for row in RENDER_TIME], ids=[row[0] for row in RENDER_TIME])
def test_what_rendering_finds_is_one_error_line_and_exit_4(repo, tmp_path, setup, says):
    run = gate(repo, tmp_path, *setup(repo), timeout=60)
    assert_one_error_line(run, says)
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output and PASSWORD not in run.output
    assert 'failures="1"' in run.junit


# -- generated repositories: whatever the repository, 0, 1 or 4, no traceback, no password ----
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(changes=changes, globals_extra=yaml_text, override=ini_text)
def test_the_gate_on_a_generated_repo_ends_cleanly(capfd, changes, globals_extra, override):
    """Within bounded time and memory, whatever the files hold or are."""
    root = Path(tempfile.mkdtemp(prefix="coordcheck-fuzz-"))
    try:
        repo = root / "repo"
        shutil.copytree(HEALTHY, repo)
        globals_yml = repo / "etc/kolla/globals.yml"
        globals_yml.write_text(globals_yml.read_text() + "\n" + globals_extra.replace("---\n", ""))
        (repo / "etc/kolla/config/cinder.conf").write_text(override)
        for where, kind, yaml_content, ini_content in changes:
            place(repo / where, kind, yaml_content, ini_content)
        capfd.readouterr()
        started = time.monotonic()
        code = pytest.main(["-q", "-p", "no:cacheprovider", "-m", "config", "--configdir", str(repo / "etc/kolla"),
                            "--inventory", str(repo / "multinode"), "--junitxml", str(root / "junit.xml")])
        seconds = time.monotonic() - started
        out, err = capfd.readouterr()
        junit = (root / "junit.xml").read_text(errors="replace") if (root / "junit.xml").is_file() else ""
    finally:
        shutil.rmtree(root, ignore_errors=True)
    output = out + err + junit
    event(f"exit {int(code)}")   # --hypothesis-show-statistics: how the examples ended
    assert int(code) in (0, 1, 4), output[-3000:]
    assert "Traceback" not in output and "INTERNALERROR" not in output, output[-3000:]
    leaked = [f for f in forms(PASSWORD) if f in output]
    assert not leaked, leaked
    assert seconds < EXAMPLE_SECONDS, seconds
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < MAX_RSS_MB * 1024
