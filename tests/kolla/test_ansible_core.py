"""`coordcheck.kolla.ansible_core`: Kolla's YAML files read alike by every ansible-core coordcheck meets
beside kolla-ansible — 2.17 (kolla-ansible 19.x on Python 3.10), 2.18 (20.x), 2.21 (23.x) and this venv's
— with the installed wheel in kolla-ansible's own venv: ``!unsafe`` kept, inline ``!vault`` opened with
the password and refused without it, bad YAML one line with its line number."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from ansible.errors import AnsibleError
from ansible.parsing.vault import VaultLib, VaultSecret

from coordcheck.kolla.ansible_core import as_template_text, is_unsafe, is_vault_value, loader, vault_secrets, yaml_problem
from coordcheck.secrets import Secret
from tests import installs

VAULT_PASSWORD = "a-vault-password-for-tests"
READ = '''
import json, sys
from pathlib import Path
from coordcheck.kolla import KollaError
from coordcheck.kolla.variables import Unsafe, load_mapping
from coordcheck.secrets import Secret
seen = {}
for name in sorted(p.name for p in Path(sys.argv[1]).iterdir()):
    for password in (None, Secret(sys.argv[2]), Secret("not-it")):
        # a fresh process per file and password would be slower: ansible-core 2.19+ keeps every
        # vault password it was given, so the wrong one is tried last
        key = "%s %s" % (name, "none" if password is None else password.reveal() == sys.argv[2] and "right" or "wrong")
        try:
            data = load_mapping(Path(sys.argv[1]) / name, "globals file", password)
            seen[key] = {k: [type(v).__name__ if isinstance(v, Unsafe) else "plain", str(v)] for k, v in data.items()}
        except KollaError as exc:
            seen[key] = str(exc).replace(sys.argv[1], "DIR")
print(json.dumps(seen, sort_keys=True))
'''


def inline_vault(value: str) -> str:
    text = VaultLib([("default", VaultSecret(VAULT_PASSWORD.encode()))]).encrypt(value).decode()
    return "!vault |\n" + "".join(f"  {line}\n" for line in text.splitlines())


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("yaml")
    (folder / "unsafe.yml").write_text("note: !unsafe '{{ not_templated }}'\nlater: '{{ templated }}'\n")
    (folder / "vaulted.yml").write_text("secret: " + inline_vault("s3cret-value"))
    (folder / "broken.yml").write_text("enable_redis: yes\nkey: a: b\n")
    return folder


def read(python: str, folder) -> dict:
    done = subprocess.run([python, "-c", READ, str(folder), VAULT_PASSWORD], capture_output=True, text=True,
                          timeout=120, cwd=folder)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def without_parser_words(seen: dict) -> dict:
    """YAML errors without the parser's own words (PyYAML's before 2.19, ansible's since)."""
    return {k: re.sub(r"is not valid YAML \(.*\)$", "is not valid YAML", v) if isinstance(v, str) else v
            for k, v in seen.items()}


def test_this_venv_reads_them_as_expected(files):
    seen = read(sys.executable, files)
    for password in ("none", "right", "wrong"):
        assert seen[f"unsafe.yml {password}"] == {"note": ["Unsafe", "{{ not_templated }}"],
                                                  "later": ["plain", "{{ templated }}"]}
        assert re.fullmatch(r"globals file DIR/broken.yml line 2 is not valid YAML \(.+\)", seen[f"broken.yml {password}"])
    assert seen["vaulted.yml right"] == {"secret": ["plain", "s3cret-value"]}
    assert "(!vault) and the vault password does not open it" in seen["vaulted.yml none"]


@pytest.mark.parametrize("release", sorted(installs.KOLLA))
def test_every_ansible_core_beside_kolla_reads_them_alike(files, release):
    venv = installs.beside_kolla(release)
    here, there = read(sys.executable, files), read(venv.bin("python"), files)
    mine = {k: v for k, v in without_parser_words(here).items() if not k.startswith("vaulted.yml wrong")}
    theirs = {k: v for k, v in without_parser_words(there).items() if not k.startswith("vaulted.yml wrong")}
    assert theirs == mine
    # before 2.19 each load has its own vault secrets; since, ansible-core keeps the ones it was given
    assert there["vaulted.yml wrong"] in (here["vaulted.yml wrong"], here["vaulted.yml none"])


def test_unsafe_and_vault_values_are_told_apart_in_this_venv(files):
    with loader(None) as yaml_loader:
        data = yaml_loader.load(as_template_text((files / "unsafe.yml").read_text()), str(files / "unsafe.yml"))
        assert is_unsafe(data["note"]) and not is_unsafe(data["later"]) and not is_vault_value(data["note"])
    with loader(Secret(VAULT_PASSWORD)) as yaml_loader:
        data = yaml_loader.load(as_template_text((files / "vaulted.yml").read_text()), str(files / "vaulted.yml"))
        assert is_vault_value(data["secret"]) and str(data["secret"]) == "s3cret-value"
    assert vault_secrets(None) == [] and [name for name, _ in vault_secrets(Secret("x"))] == ["default"]


def test_a_yaml_error_gives_its_line_and_the_problem(files):
    with loader(None) as yaml_loader, pytest.raises(AnsibleError) as caught:
        yaml_loader.load(as_template_text((files / "broken.yml").read_text()), str(files / "broken.yml"))
    line, problem = yaml_problem(caught.value)
    assert line == 2 and problem and "\n" not in problem and not problem.endswith(".")
