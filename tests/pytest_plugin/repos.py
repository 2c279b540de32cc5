"""Config repositories to run the gate on, and hostile input for it: the
example repositories, a copy of the healthy one to break, vaulted text,
files written where the repository's belong, and the checks every run on
hostile input must pass (one ERROR line, no traceback, no password).

    run = gate(copy_of_healthy(tmp_path), tmp_path, "--sentinel-auth=none")
"""

import shutil
import stat
import time
from pathlib import Path

from ansible.parsing.vault import VaultLib, VaultSecret

from tests.conftest import PROJECT, run_checklist

REPOS = PROJECT / "examples" / "config-repos"
HEALTHY = REPOS / "healthy"
PASSWORD = "8Uv6Y4mWcQqU3tXk2fZr"   # the healthy example's redis_master_password
VAULT_PASSWORD = "a-vault-password-for-tests"
#: The examples keep config/<flavor>/<flavor>-sentinel.conf with requirepass: no Kolla release merges it (a warning).
UNREAD = "OVERRIDE_NOT_READ (warning)"


def copy_of_healthy(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(HEALTHY, copy)
    return copy


def gate(repo: Path, tmp_path: Path, *extra: str, timeout: float = 180):
    """The gate (``-m config`` without --hosts) on ``repo``; ``run.seconds`` is how long it took."""
    started = time.monotonic()
    run = run_checklist("-m", "config", "--configdir", str(repo / "etc" / "kolla"), "--inventory",
                        str(repo / "multinode"), *extra, tmp_path=tmp_path, cwd=tmp_path, timeout=timeout)
    run.seconds = time.monotonic() - started
    return run


def assert_clean(run, password: str = PASSWORD) -> None:
    assert "Traceback" not in run.output and "INTERNALERROR" not in run.output
    assert password not in run.output
    assert run.seconds < 20


def assert_one_error_line(run, says: str) -> None:
    """Exit 4 and stderr one line, ``ERROR: ...`` saying ``says``."""
    assert run.returncode == 4, run.output[-2000:]
    errors = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("ERROR: ") and says in errors[0], run.stderr


def vaulted(text: str) -> str:
    return VaultLib([("default", VaultSecret(VAULT_PASSWORD.encode()))]).encrypt(text).decode()


def inline_vault(value: str) -> str:
    return "!vault |\n" + "".join(f"  {line}\n" for line in vaulted(value).splitlines())


def write(repo: Path, relative: str, content) -> None:
    path = repo / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


def big_passwords(repo: Path) -> str:
    path = repo / "big.yml"
    with open(path, "w") as stream:
        line = f"filler_password_{'x' * 60}: {'y' * 60}\n"
        for _ in range(40 * 1024 * 1024 // len(line)):
            stream.write(line)
    return str(path)


def script(repo: Path, body: str) -> str:
    path = repo / "vault-script.sh"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)
