"""coordcheck.kolla.vault: ansible-vault files opened with ansible-core's own vault code, and the vault
password read as ansible reads it (a file, a script, a client script), bounded, in one clear line."""

import os
import stat
import time
from pathlib import Path

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

from coordcheck.kolla import KollaError
from coordcheck.kolla import vault
from coordcheck.kolla.render import render_repo
from coordcheck.kolla.vault import decrypt, is_encrypted, read_password_file
from coordcheck.secrets import KNOWN, Secret
from tests.kolla.hostile import HEALTHY, render


def _vaulted(text: str, password: str) -> str:
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
    monkeypatch.setattr(vault, "SCRIPT_TIMEOUT", 1.0)
    script = _executable(tmp_path / f"vault-{abs(hash(body))}.sh", body)
    started = time.monotonic()
    with pytest.raises(KollaError) as caught:
        read_password_file(script)
    assert says in str(caught.value) and "\n" not in str(caught.value)
    assert time.monotonic() - started < 3


def test_a_vault_password_in_a_path_leaves_the_path_readable(tmp_path):
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


def test_a_vaulted_text_opens_with_its_password_only():
    text = _vaulted("redis_master_password: s3cret\n", "right-one")
    assert is_encrypted("\n" + text) and not is_encrypted("redis_master_password: s3cret\n")
    assert decrypt(text, "passwords file p.yml", Secret("right-one")) == "redis_master_password: s3cret\n"
    with pytest.raises(KollaError, match="^passwords file p.yml: the vault password does not decrypt it$"):
        decrypt(text, "passwords file p.yml", Secret("wrong-one"))
    with pytest.raises(KollaError, match="^passwords file p.yml is ansible-vault encrypted: give --vault-password-file$"):
        decrypt(text, "passwords file p.yml", None)


def test_an_empty_vault_password_file_is_one_line(tmp_path):
    (tmp_path / "vault.txt").write_text("\n  \n")
    with pytest.raises(KollaError, match=r"--vault-password-file .*vault.txt is empty$"):
        read_password_file(tmp_path / "vault.txt")
