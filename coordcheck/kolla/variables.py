"""Kolla's YAML files (passwords.yml, globals.yml, globals.d) read as Ansible
reads them — whole-file ansible-vault, inline ``!vault`` values, ``!unsafe``
values that are never templated — with a size bound, and one clear line
for whatever is wrong. Every value of a passwords file is a secret.

    data = load_mapping(Path("globals.yml"), "globals file", vault_password=None)
    isinstance(data.get("some_key"), Unsafe)   # -> True for `some_key: !unsafe '{{ x }}'`
"""

from __future__ import annotations

from pathlib import Path

from coordcheck.kolla import vault
from coordcheck.kolla import KollaError, ansible_core
from coordcheck.kolla.reading import read_text
from coordcheck.secrets import KNOWN, Secret

class Unsafe(str):
    """A value written ``!unsafe``: Ansible never templates it, nor do we."""


def _plain(value, where: str):
    """Ansible's loaded values -> plain Python: vault values decrypted,
    ``!unsafe`` strings as `Unsafe`."""
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{where}: {k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, where) for v in value]
    if ansible_core.is_vault_value(value):
        try:
            return str(value)
        except Exception:  # no or wrong vault password: ansible raises several kinds
            raise KollaError(f"{where} is ansible-vault encrypted (!vault) and the vault password "
                             "does not open it: give --vault-password-file") from None
    if isinstance(value, str):
        return Unsafe(value) if ansible_core.is_unsafe(value) else str(value)
    return value


def load_mapping(path: Path, what: str, vault_password: Secret | None = None, secret: bool = False) -> dict:
    """Read a YAML file that must hold a mapping. ``secret``: every value is
    a password (passwords.yml) and is masked from now on."""
    from ansible.errors import AnsibleError

    text = read_text(path, what)
    if vault.is_encrypted(text):
        text = vault.decrypt(text, f"{what} {path}", vault_password)
    try:
        data = ansible_core.loader(vault_password).load(ansible_core.as_template_text(text), str(Path(path).absolute()))
    except AnsibleError as exc:
        line, problem = ansible_core.yaml_problem(exc)
        raise KollaError(f"{what} {path}{f' line {line}' if line else ''} is not valid YAML ({problem})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = next(t.__name__ for t in type(data).__mro__ if t.__module__ == "builtins")
        raise KollaError(f"{what} {path} must hold a YAML mapping, not {kind}")
    data = _plain(data, f"{what} {path}")
    if secret:
        KNOWN.add(data)
    return data
