"""A corpus of bad input: each gets one clear line saying what and where, or
a failed check with a message — never a traceback, never a pass."""

import pytest

from coordcheck.kolla import KollaError
from coordcheck.kolla.config_file import read_service_config
from coordcheck.kolla.target import Target

GOOD_INVENTORY = "[control]\nctl1\n\n[redis:children]\ncontrol\n"
GOOD_PASSWORDS = "redis_master_password: s3cret\n"
JUNK = b"\x00\xff\xfe\x01junk\x9c"

BAD_URLS = [
    ("", "empty"),
    ("redis://", "names no host"),
    ("redis://h:port?sentinel=kolla", "cannot be parsed"),
    ("redis://h:99999?sentinel=kolla", "cannot be parsed"),
    ("redis://[::1?sentinel=kolla", "cannot be parsed"),
    ("http://h:26379?sentinel=kolla", "does not start with redis://"),
    ("redis://default:s3cret@h:26379", "no sentinel="),
    ("redis://default:s3cret@h:26379?sentinel=", "no sentinel="),
    ("redis://h:26379?sentinel=kolla&sentinel_fallback=h2", "is not host:port"),
    ("redis://h:26379?sentinel=kolla&db=x", "db='x' is not int"),
    ("redis://h:26379?sentinel=kolla&socket_timeout=fast", "socket_timeout='fast' is not float"),
    ("\x01redis junk", "does not start with redis://"),
]


@pytest.mark.parametrize("url, says", BAD_URLS)
def test_bad_backend_url_is_a_failed_check(url, says):
    config = read_service_config("ctl1", "/etc/kolla/cinder-volume/cinder.conf",
                                 f"[coordination]\nbackend_url = {url}\n", 0o600)
    assert config is not None and config.url is None
    assert says in config.error and "\n" not in config.error and "s3cret" not in config.error


BAD_CONFIG_FILES = [
    ("backend_url = redis://default:s3cret@h:26379?sentinel=kolla\n", "no section headers"),
    ("[coordination\nbackend_url = x\n", "no section headers"),
    ("[coordination]\nbackend_url\n", "is not a valid config file"),
    (JUNK.decode("latin-1"), "is not text"),
    (JUNK, "is not text"),
    ("[coordination]\nbackend_url =\n", "backend_url is empty"),
    ("[DEFAULT]\ndebug = true\n[coordination]\n", "without backend_url"),
]


@pytest.mark.parametrize("text, says", BAD_CONFIG_FILES)
def test_bad_service_config_is_a_failed_check(text, says):
    config = read_service_config("ctl1", "/etc/kolla/cinder-volume/cinder.conf", text, 0o600)
    assert config is not None and config.error and says in config.error
    assert "\n" not in config.error and "s3cret" not in config.error


def write(path, content):
    if content is None:
        return
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


BAD_DEPLOYMENTS = [
    # (what, inventory, passwords.yml, globals.yml, says)
    ("passwords missing", GOOD_INVENTORY, None, None, "passwords file {d}/passwords.yml does not exist"),
    ("passwords not YAML", GOOD_INVENTORY, "a: b: c\n", None, "passwords file {d}/passwords.yml line 1 is not valid YAML"),
    ("passwords a list", GOOD_INVENTORY, "- s3cret\n", None, "must hold a YAML mapping, not list"),
    ("passwords empty", GOOD_INVENTORY, "", None, "has no redis_master_password"),
    ("password a list", GOOD_INVENTORY, "redis_master_password: [s3cret]\n", None, "redis_master_password is not a string"),
    ("passwords vaulted", GOOD_INVENTORY, "$ANSIBLE_VAULT;1.1;AES256\n6162\n", None, "ansible-vault encrypted"),
    ("passwords junk", GOOD_INVENTORY, JUNK, None, "passwords file {d}/passwords.yml cannot be read"),
    ("globals not YAML", GOOD_INVENTORY, GOOD_PASSWORDS, "enable_redis: [\n", "globals file {d}/globals.yml"),
    ("globals a list", GOOD_INVENTORY, GOOD_PASSWORDS, "- enable_redis\n", "globals file {d}/globals.yml must hold a YAML mapping"),
    ("globals junk", GOOD_INVENTORY, GOOD_PASSWORDS, JUNK, "globals file {d}/globals.yml cannot be read"),
    ("valkey without its password", GOOD_INVENTORY.replace("redis", "valkey"), GOOD_PASSWORDS,
     "enable_valkey: yes\n", "has no valkey_master_password"),
    ("inventory missing", None, GOOD_PASSWORDS, None, "inventory {d}/multinode does not exist"),
    ("inventory unparsable", "[control\nctl1 a b c=\n", GOOD_PASSWORDS, None, "inventory {d}/multinode cannot be parsed"),
    ("inventory empty", "# no hosts\n", GOOD_PASSWORDS, None, "inventory {d}/multinode defines no hosts"),
    ("inventory without redis group", "[control]\nctl1\n", GOOD_PASSWORDS, None, "has no hosts in group 'redis'"),
    ("inventory junk", JUNK, GOOD_PASSWORDS, None, "inventory {d}/multinode"),
]


@pytest.mark.parametrize("what, inventory, passwords, globals_yml, says", BAD_DEPLOYMENTS,
                         ids=[row[0] for row in BAD_DEPLOYMENTS])
def test_bad_deployment_input_is_one_line(tmp_path, what, inventory, passwords, globals_yml, says):
    write(tmp_path / "multinode", inventory)
    write(tmp_path / "passwords.yml", passwords)
    write(tmp_path / "globals.yml", globals_yml)
    with pytest.raises(KollaError) as caught:
        Target.load(tmp_path / "multinode", tmp_path)
    message = str(caught.value)
    assert says.format(d=tmp_path) in message
    assert "\n" not in message and "s3cret" not in message


def test_corpus_is_large_enough():
    assert len(BAD_URLS) + len(BAD_CONFIG_FILES) + len(BAD_DEPLOYMENTS) >= 30


# -- hostile config repositories, rendered in-process: bounded, one line ------------
import os  # noqa: E402
import shutil  # noqa: E402
import stat  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

from coordcheck.kolla.render import render_repo  # noqa: E402
from coordcheck.kolla.vault import read_password_file  # noqa: E402

HEALTHY = Path(__file__).resolve().parents[2] / "examples" / "config-repos" / "healthy"
#: Generous bounds of one hostile case, in-process, on a loaded machine (bench/hostile.py measures the
#: whole gate against its targets); an unbounded case takes minutes and gigabytes.
SECONDS, PEAK_BYTES = 20.0, 80 * 1024 * 1024


def laughs(levels: int = 10) -> str:
    """A YAML 'billion laughs': 9 ** levels values from a few hundred bytes."""
    lines = ['lol0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\nredis_master_password: s3cret\n"


@pytest.fixture
def hostile_repo(tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(HEALTHY, copy)
    return copy


def bounded(action):
    """What ``action`` raised or returned, within the time and memory bounds."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        try:
            result = action()
        except KollaError as exc:
            result = exc
        seconds, peak = time.monotonic() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < SECONDS and peak < PEAK_BYTES, (seconds, peak)
    return result


def render(repo: Path, *args):
    return render_repo(repo / "etc/kolla", repo / "multinode", *args)


def one_line(result, *says):
    assert isinstance(result, KollaError), result
    message = str(result)
    assert "\n" not in message and "s3cret" not in message and all(s in message for s in says), message


@pytest.mark.parametrize("relative", ["passwords.yml", "globals.yml", "globals.d/bomb.yml"])
def test_a_yaml_alias_bomb_is_refused_in_time_and_memory(hostile_repo, relative):
    path = hostile_repo / "etc/kolla" / relative
    path.parent.mkdir(exist_ok=True)
    path.write_text(laughs() if relative != "globals.yml" else path.read_text() + laughs().replace(
        "redis_master_password: s3cret\n", ""))
    one_line(bounded(lambda: render(hostile_repo)), str(path), "aliases expand to more than")


def test_yaml_aliases_within_the_bound_are_read(hostile_repo):
    globals_yml = hostile_repo / "etc/kolla/globals.yml"
    globals_yml.write_text(globals_yml.read_text() + "shared: &shared [a, b]\nagain: *shared\nmerged: {<<: {k: 1}}\n")
    assert render(hostile_repo).repo.extra["again"] == ["a", "b"]


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dir(path: Path) -> None:
    path.mkdir()


def _zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _loop(path: Path) -> None:
    path.symlink_to(path.with_name("other-" + path.name))
    path.with_name("other-" + path.name).symlink_to(path)


FILE_KINDS = {"a directory": (_dir, "is a directory"), "a FIFO": (_fifo, "is a FIFO"),
              "/dev/zero": (_zero, "is a character device"), "a symlink loop": (_loop, "is a symlink loop")}
PLACES = ["etc/kolla/config/cinder.conf", "etc/kolla/config/cinder/ctl1/cinder.conf", "etc/kolla/globals.yml",
          "etc/kolla/globals.d/extra.yml", "etc/kolla/passwords.yml", "multinode", "group_vars/all.yml"]


#: An inventory and group_vars/all.yml may be folders for ansible: those are read as such.
FILE_CASES = [(k, p) for k in sorted(FILE_KINDS) for p in PLACES if not (k == "a directory" and p in PLACES[-2:])]


@pytest.mark.parametrize("kind, place", FILE_CASES)
def test_a_file_that_is_not_a_regular_file_is_one_line_naming_it(hostile_repo, kind, place):
    path = hostile_repo / place
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    make, says = FILE_KINDS[kind]
    make(path)
    one_line(bounded(lambda: render(hostile_repo)), str(path), says)


JINJA_BOMBS = {
    "~ doubling": "{% set ns = namespace(x='x') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x }}",
    "+ doubling": "{% set ns = namespace(x='x') %}{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x }}",
    "list doubling": "{% set ns = namespace(x=[1]) %}{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x }}",
    "*": "{{ 'x' * 10 ** 12 }}",
    "** chain": "{{ ((9 ** 64) ** 64) ** 64 ** 2 }}",
    "join": "{{ (['x' * 900000] * 1000) | join }}",
    "str.join": "{{ ''.join(['x' * 900000] * 1000) }}",
    "replace": "{{ ('a' * 100000) | replace('a', 'a' * 1000) }}",
    "center": "{{ 'x' | center(10 ** 9) }}",
    "str.ljust": "{{ 'x'.ljust(10 ** 9) }}",
    "indent": "{{ 'a\\nb' | indent(10 ** 9) }}",
    "format width": "{{ '%0999999999d' | format(1) }}",
    "% width": "{{ '%0999999999d' % 1 }}",
    "str.format width": "{{ '{:>999999999}'.format(1) }}",
    "loop output": "{% for a in range(99999) %}{% for b in range(99999) %}xxxxxxxx{% endfor %}{% endfor %}",
    "loop": "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
    "list building": "{% set ns = namespace(x=[]) %}{% for a in range(99999) %}{% set ns.x = ns.x + [a] %}{% endfor %}",
}


@pytest.mark.parametrize("name", sorted(JINJA_BOMBS))
def test_a_template_bomb_stops_inside_the_render(hostile_repo, name):
    (hostile_repo / "etc/kolla/config/cinder.conf").write_text(f"[coordination]\nbackend_url = {JINJA_BOMBS[name]}\n")
    rendered = bounded(lambda: render(hostile_repo))
    errors = [e for e in rendered.errors if "config/cinder.conf" in e.place]
    assert errors and all("\n" not in e.message for e in errors)
    assert any(w in errors[0].message for w in ("longer than", "larger than", "more than", "runs longer")), errors[0]


def test_a_template_error_names_every_host_it_concerns(hostile_repo):
    (hostile_repo / "etc/kolla/config/cinder.conf").write_text("[coordination]\nbackend_url = {{ no_such_var }}\n")
    rendered = render(hostile_repo)
    hosts = {e.host for e in rendered.errors if "config/cinder.conf" in e.place}
    assert hosts == {"ctl1", "ctl2", "ctl3", "stor1"}, rendered.errors


def test_an_override_that_is_not_ini_names_every_host_it_concerns(hostile_repo):
    (hostile_repo / "etc/kolla/config/cinder.conf").write_text("backend_url = no section\n")
    rendered = render(hostile_repo)
    assert {e.host for e in rendered.errors if e.unreadable} == {"ctl1", "ctl2", "ctl3", "stor1"}


# -- the vault password, as ansible reads it -------------------------------------------
def _vaulted(text: str, password: str) -> str:
    from ansible.parsing.vault import VaultLib, VaultSecret

    return VaultLib([("default", VaultSecret(password.encode()))]).encrypt(text).decode()


def _executable(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize("kind", ["script", "client script", "file"])
def test_the_vault_password_is_read_as_ansible_reads_it(hostile_repo, tmp_path, kind):
    password = f"vault-{kind.replace(' ', '-')}-{os.getpid()}-{tmp_path.name}"
    passwords = hostile_repo / "etc/kolla/passwords.yml"
    passwords.write_text(_vaulted("redis_master_password: s3cret\n", password))
    if kind == "file":
        vault_file = tmp_path / "vault.txt"
        vault_file.write_text(f"\n  {password}  \n")   # ansible strips the whole content
    else:
        name = "vault-client" if kind == "client script" else "vault.sh"
        vault_file = _executable(tmp_path / name, f'echo "{password}"' if kind == "script" else
                                 f'[ "$1" = --vault-id ] && echo "{password}"')
    rendered = render(hostile_repo, vault_file)
    assert rendered.repo.passwords["redis_master_password"] == "s3cret"
    assert read_password_file(vault_file).reveal() == password


@pytest.mark.parametrize("body, says", [("exit 3", "a script that exited 3"), ("sleep 60", "did not finish in"),
                                        ("yes", "printed more than"), ("true", "is empty")])
def test_a_vault_script_that_misbehaves_is_one_line_in_bounded_time(tmp_path, body, says, monkeypatch):
    from coordcheck.kolla import vault

    monkeypatch.setattr(vault, "SCRIPT_TIMEOUT", 1.0)
    script = _executable(tmp_path / f"vault-{abs(hash(body))}.sh", body)
    started = time.monotonic()
    with pytest.raises(KollaError) as caught:
        read_password_file(script)
    assert says in str(caught.value) and "\n" not in str(caught.value)
    assert time.monotonic() - started < 3


def test_a_vault_password_in_a_path_leaves_the_path_readable(tmp_path):
    from coordcheck.secrets import KNOWN

    folder = tmp_path / "kolla"
    folder.mkdir()
    vault_file = folder / "vault.txt"
    vault_file.write_text("kolla\n")
    read_password_file(vault_file)
    missing = folder / "passwords.yml"
    with pytest.raises(KollaError) as caught:
        render_repo(folder, HEALTHY / "multinode", vault_file)
    assert KNOWN.mask(str(caught.value)) == f"passwords file {missing} does not exist"
    assert KNOWN.mask(f"{caught.value}; the vault password is kolla") .endswith("the vault password is ***")
