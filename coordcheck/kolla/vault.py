"""ansible-vault encrypted files, opened with ansible-core's own vault code.

    text = decrypt(read_text(Path("passwords.yml"), "passwords file"), "passwords file passwords.yml",
                   read_password_file("vault.txt"))
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from coordcheck import interrupt
from coordcheck.kolla import KollaError, ansible_core
from coordcheck.kolla.reading import read_bytes
from coordcheck.secrets import Secret

HEADER = "$ANSIBLE_VAULT"
#: Bound of an executable vault password file (a script that prints it).
SCRIPT_TIMEOUT = 10.0


def is_encrypted(text: str) -> bool:
    return text.lstrip().startswith(HEADER)


_PASSWORDS: dict[str, Secret] = {}
#: Largest vault password file or script output read.
MAX_PASSWORD_BYTES = 64 * 1024


def read_password_file(path: str | Path) -> Secret:
    """The vault password of ``--vault-password-file``, read once per process
    and as ansible reads it: ansible-core's ``get_file_vault_secret`` decides
    what the file is (a script when executable, a client script when named
    ``*-client``); a file's content is stripped, a script is run (bounded in
    time and output) and its stdout, stripped of line ends, is the password."""
    key = str(Path(path).absolute())
    if key not in _PASSWORDS:
        _PASSWORDS[key] = Secret(_read_password(Path(path)))
    return _PASSWORDS[key]


def _read_password(path: Path) -> str:
    from ansible.errors import AnsibleError
    from ansible.parsing.dataloader import DataLoader
    from ansible.parsing.vault import ClientScriptVaultSecret, ScriptVaultSecret, get_file_vault_secret

    what = "--vault-password-file"
    read_bytes(path, what, limit=MAX_PASSWORD_BYTES)  # a regular file, bounded, before ansible looks at it
    try:
        kind = get_file_vault_secret(str(path), vault_id="default", loader=DataLoader())
    except AnsibleError as exc:
        raise KollaError(f"{what} {path}: {' '.join(str(exc.message).split())}") from None
    if isinstance(kind, ScriptVaultSecret):
        command = [kind.filename] + (["--vault-id", "default"] if isinstance(kind, ClientScriptVaultSecret) else [])
        value = _run_script(command, what, path).strip(b"\r\n")
    else:
        try:
            kind.load()
        except AnsibleError:
            raise KollaError(f"{what} {path} is empty") from None
        value = kind.bytes
    if not value.strip():
        raise KollaError(f"{what} {path} is empty")
    if b"\x00" in value:
        raise KollaError(f"{what} {path} cannot be read: it is binary, not text")
    return value.decode("utf-8", errors="surrogateescape")


def _run_script(command: list[str], what: str, path: Path) -> bytes:
    """Ansible runs a vault password script and reads its stdout; here bounded
    in time and output, stderr kept out of the run's output."""
    import selectors
    import time

    try:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        raise KollaError(f"{what} {path} is executable but cannot be run: {exc.strerror}") from None
    out, deadline = b"", time.monotonic() + SCRIPT_TIMEOUT
    interrupt.track(proc.pid)
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            while len(out) <= MAX_PASSWORD_BYTES:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise KollaError(f"{what} {path} is a script that did not finish in {SCRIPT_TIMEOUT:.0f} s")
                if selector.select(left):
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    if not chunk:
                        break
                    out += chunk
        if len(out) > MAX_PASSWORD_BYTES:
            raise KollaError(f"{what} {path} is a script that printed more than {MAX_PASSWORD_BYTES // 1024} kB")
        try:
            code = proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise KollaError(f"{what} {path} is a script that did not finish in {SCRIPT_TIMEOUT:.0f} s") from None
    finally:
        interrupt.untrack(proc.pid)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    if code != 0:
        raise KollaError(f"{what} {path} is a script that exited {code}")
    return out


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
