"""The few places where ansible-core's public API differs between 2.17/2.18 (Kolla 2024.2 and 2025.1 pin
those) and 2.19+ (data tagging), decided by what the installed ansible-core has, not by its version string.

    loaded = loader(None).load(as_template_text("a: !unsafe '{{ x }}'"), "globals.yml")
    is_unsafe(loaded["a"])   # -> True, on every supported ansible-core
"""

from __future__ import annotations

from coordcheck.secrets import Secret


def _tagging() -> bool:
    """ansible-core >= 2.19: values carry tags (trust, origin), ``!vault`` values are `EncryptedString`."""
    import ansible.template
    return hasattr(ansible.template, "trust_as_template")


def vault_secrets(password: Secret | None) -> list:
    from ansible.parsing.vault import VaultSecret
    return [("default", VaultSecret(password.reveal().encode()))] if password is not None else []


_INLINE: list = []


def loader(password: Secret | None):
    """A `DataLoader` whose ``!vault`` values open with ``password``: on 2.19+ through ansible's
    process-wide vault secrets (the newest password first), before that through the loader's own."""
    from ansible.parsing import vault
    from ansible.parsing.dataloader import DataLoader

    made = DataLoader()
    context = getattr(vault, "VaultSecretsContext", None)
    if context is None:
        made.set_vault_secrets(vault_secrets(password))
        return made
    if context.current(optional=True) is None:
        context.initialize(context(_INLINE))
    for secret in vault_secrets(password):
        if secret[1].bytes not in [s.bytes for _, s in _INLINE]:
            _INLINE.insert(0, secret)
    return made


def as_template_text(text: str) -> str:
    """A file's text as ansible reads a vars file: its values may be templates (2.19+: trusted),
    except those written ``!unsafe``."""
    if _tagging():
        from ansible.template import trust_as_template
        return trust_as_template(text)
    return text


def is_unsafe(value) -> bool:
    """A loaded string that ansible never templates (``!unsafe``)."""
    if _tagging():
        from ansible.template import is_trusted_as_template
        return not is_trusted_as_template(value)
    from ansible.utils.unsafe_proxy import AnsibleUnsafe
    return isinstance(value, AnsibleUnsafe)


def is_vault_value(value) -> bool:
    """A loaded inline ``!vault`` value (``str()`` decrypts it, or raises)."""
    from ansible.parsing import vault
    if hasattr(vault, "EncryptedString"):
        return isinstance(value, vault.EncryptedString)
    from ansible.parsing.yaml.objects import AnsibleVaultEncryptedUnicode
    return isinstance(value, AnsibleVaultEncryptedUnicode)


def yaml_problem(exc) -> tuple[int | None, str]:
    """(line, problem) of an `AnsibleError` raised by `DataLoader.load`."""
    line = getattr(exc.obj, "line_num", None)                   # 2.19+: the error's Origin
    if line is None:
        line = (getattr(exc.obj, "ansible_pos", None) or (None, None))[1]   # before: the object's position
    problem = getattr(exc.orig_exc, "problem", None)             # before 2.19: PyYAML's own words
    if problem:
        problem = problem[:1].upper() + problem[1:]
    else:
        problem = str(exc.message).split("YAML parsing failed:", 1)[-1]
    return line, " ".join(problem.split()).rstrip(".")
