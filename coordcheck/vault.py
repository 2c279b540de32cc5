"""ansible-vault encrypted files, opened with ansible-core's own vault code.

    text = decrypt(Path("passwords.yml").read_text(), "passwords file passwords.yml", read_password_file("vault.txt"))
"""

from __future__ import annotations

from pathlib import Path

from coordcheck.kolla import KollaError
from coordcheck.secrets import Secret

HEADER = "$ANSIBLE_VAULT"


def is_encrypted(text: str) -> bool:
    return text.lstrip().startswith(HEADER)


def read_password_file(path: str | Path) -> Secret:
    """The vault password in ``path`` (first line), as ansible reads it."""
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise KollaError(f"--vault-password-file {path} cannot be read: {exc.__class__.__name__}") from None
    if not value:
        raise KollaError(f"--vault-password-file {path} is empty")
    return Secret(value)


def decrypt(text: str, what: str, password: Secret | None) -> str:
    """Plain text of a vault-encrypted file, or one clear error."""
    from ansible.errors import AnsibleError
    from ansible.parsing.vault import VaultLib, VaultSecret

    if password is None:
        raise KollaError(f"{what} is ansible-vault encrypted: give --vault-password-file")
    try:
        plain = VaultLib([("default", VaultSecret(password.reveal().encode()))]).decrypt(text.strip())
    except AnsibleError:
        raise KollaError(f"{what}: the vault password does not decrypt it") from None
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:
        raise KollaError(f"{what} decrypts to something that is not text") from None
