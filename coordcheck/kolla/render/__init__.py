"""One rendering of a config repository, by the operator's own kolla-ansible
when one is installed (``--kolla-ansible auto|PATH``), else by the built-in
tables; the same records either way, and which renderer made them.

    result = render_repo("etc/kolla", "multinode", release="2025.1")
    result.renderer   # -> "built-in tables for kolla-ansible 20.6.0 (2025.1, redis; tables of 20.4.0-20.6.0), proven ..."
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from coordcheck.kolla import KollaError
from coordcheck.kolla.vault import read_password_file
from coordcheck.kolla.render.builtin import BuiltinRenderer
from coordcheck.kolla.render.values import Record, RenderError
from coordcheck.kolla.releases import Release, release_for
from coordcheck.kolla.repo import Repo


@dataclass
class Rendered:
    renderer: str
    release: Release
    release_source: str
    records: list[Record]
    addresses: dict[str, str]  # host -> how its API address was found
    notes: list[str] = field(default_factory=list)
    errors: list[RenderError] = field(default_factory=list)
    repo: Repo | None = None


def find_kolla_ansible(setting: str | None) -> Path | None:
    """``auto``: the prefix of ``kolla-ansible`` on PATH or of this Python; else the PATH given."""
    if not setting:
        return None
    if setting != "auto":
        prefix = Path(setting)
        if not (prefix / "share/kolla-ansible/ansible/site.yml").is_file():
            raise KollaError(f"--kolla-ansible {setting}: no kolla-ansible installation there "
                             "(no share/kolla-ansible/ansible/site.yml)")
        return prefix
    found = shutil.which("kolla-ansible")
    for prefix in ([Path(found).resolve().parent.parent] if found else []) + [Path(sys.prefix)]:
        if (prefix / "share/kolla-ansible/ansible/site.yml").is_file():
            return prefix
    return None


def render_repo(configdir: str | Path, inventory: str | Path, vault_password_file: str | Path | None = None,
                release: str | None = None, facts: str | Path | None = None,
                kolla_ansible: str | None = None, passwords: str | Path | None = None) -> Rendered:
    vault = read_password_file(vault_password_file) if vault_password_file else None  # as ansible reads it
    repo = Repo.load(configdir, inventory, vault, release, facts, passwords)
    prefix = find_kolla_ansible(kolla_ansible)
    notes = list(repo.notes)
    if prefix is not None:
        from coordcheck.kolla.render import installed  # the oracle: ansible-playbook with that installation

        try:
            done = installed.render(prefix, Path(configdir), Path(inventory), vault_password_file, facts)
        except installed.KollaAnsibleError as exc:
            raise KollaError(f"--kolla-ansible {prefix}: {exc}") from None
        chosen = release_for(done.release).for_variables(repo.extra)
        repo.release = chosen
        records = [Record(*[getattr(r, k) for k in ("host", "service", "file", "section", "option", "value")],
                          f"kolla-ansible {done.release}") for r in done.records]
        return Rendered(f"kolla-ansible {done.release} installed at {prefix}", chosen,
                        f"the installed kolla-ansible {done.release}", records, done.facts,
                        notes + done.notes, [], repo)
    if kolla_ansible == "auto":
        notes.append("--kolla-ansible auto: no kolla-ansible installed here; rendered with the built-in tables")
    renderer = BuiltinRenderer(repo)
    records = renderer.records()
    addresses = dict(sorted(repo.address_source.items()))
    if any(how.startswith("synthesized") for how in addresses.values()):
        notes.append("API addresses from the inventory (api_interface_address / ansible_host), not from facts: "
                     "Kolla uses the api_interface's address; give --facts DIR (an Ansible jsonfile fact cache) "
                     "to render exactly")
    release = repo.release
    label = (f"built-in tables for kolla-ansible {release.point} ({release.series}, {release.flavor}; "
             f"tables of {release.range}), {release.status}")
    return Rendered(label, repo.release, repo.release_source, records, addresses, notes, renderer.errors, repo)
