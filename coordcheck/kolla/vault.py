"""ansible-vault encrypted files, opened with ansible-core's own vault code.

    text = decrypt(Path("passwords.yml").read_text(), "passwords file passwords.yml", read_password_file("vault.txt"))
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from coordcheck.kolla import KollaError, ansible_core
from coordcheck.kolla.reading import read_text
from coordcheck.secrets import Secret

HEADER = "$ANSIBLE_VAULT"
#: Bound of an executable vault password file (a script that prints it).
SCRIPT_TIMEOUT = 10.0


def is_encrypted(text: str) -> bool:
    return text.lstrip().startswith(HEADER)


def read_password_file(path: str | Path) -> Secret:
    """The vault password in ``path``, as ansible reads it: an executable
    file is run and prints it (bounded), any other is read (first line)."""
    what = "--vault-password-file"
    path = Path(path)
    if path.is_file() and os.access(path, os.X_OK):
        try:
            done = subprocess.run([str(path.absolute())], capture_output=True, timeout=SCRIPT_TIMEOUT,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise KollaError(f"{what} {path} is a script that did not finish in {SCRIPT_TIMEOUT:.0f} s") from None
        except OSError as exc:
            raise KollaError(f"{what} {path} is executable but cannot be run: {exc.strerror}") from None
        if done.returncode != 0:
            raise KollaError(f"{what} {path} is a script that exited {done.returncode}")
        value = done.stdout.decode("utf-8", errors="replace").strip()
    else:
        value = read_text(path, what, limit=64 * 1024).strip()
    value = value.splitlines()[0].strip() if value else ""
    if not value:
        raise KollaError(f"{what} {path} is empty")
    return Secret(value)


def decrypt(text: str, what: str, password: Secret | None) -> str:
    """Plain text of a vault-encrypted file, or one clear error."""
    from ansible.errors import AnsibleError
    from ansible.parsing.vault import VaultLib

    if password is None:
        raise KollaError(f"{what} is ansible-vault encrypted: give --vault-password-file")
    try:
        plain = VaultLib(ansible_core.vault_secrets(password)).decrypt(text.strip())
    except AnsibleError:
        raise KollaError(f"{what}: the vault password does not decrypt it") from None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise KollaError(f"{what} decrypts to something that is not text") from None
