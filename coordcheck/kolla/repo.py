"""A config repository's variables layered as the kolla CLI passes them —
release defaults < inventory < ``-e @globals.yml`` < ``-e @passwords.yml`` <
``-e @globals.d/*.yml`` (sorted) — with where each operator value comes from,
and the API addresses: the api_interface's address from an Ansible jsonfile
fact cache, else ``api_interface_address`` / ``ansible_host`` (noted).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from coordcheck.kolla import KollaError
from coordcheck.kolla import variables as yaml_files
from coordcheck.kolla.inventory import Inventory
from coordcheck.kolla.releases import Release, resolve
from coordcheck.kolla.releases.installed import installed_version
from coordcheck.secrets import Secret

#: Ansible's own per-host names: never part of what a template sees differently per host group.
MAGIC = {"inventory_hostname", "inventory_hostname_short", "group_names", "groups", "omit", "playbook_dir",
         "inventory_dir", "inventory_file", "ansible_host", "api_interface_address", "ansible_version",
         "ansible_check_mode", "ansible_diff_mode", "ansible_forks", "ansible_inventory_sources",
         "ansible_playbook_python", "ansible_config_file", "ansible_verbosity", "ansible_run_tags",
         "ansible_skip_tags", "ansible_dependent_role_names", "ansible_role_names", "role_names",
         "ansible_search_path", "hostvars", "ansible_collection_name", "ansible_facts"}


def key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"['\"]?{re.escape(key)}['\"]?\s*:", line):
            return number
    return None


def choose_release(release: str | None, extra: dict, origin: dict) -> tuple[Release, str, list[str]]:
    """The point release to render for: --kolla-release, else the operator's installed kolla-ansible, else
    openstack_release's series (its newest point release, noted), else the newest known (noted)."""
    installed = installed_version()
    if release:
        chosen, note = resolve(release)
        why = f"--kolla-release {release}"
        if installed and installed[0] != chosen.point:
            note = "; ".join(filter(None, [note, f"{installed[1]} is {installed[0]}, not {chosen.point}"]))
    elif installed:
        chosen, note = resolve(installed[0])
        why = installed[1]
    elif extra.get("openstack_release"):
        chosen, note = resolve(extra["openstack_release"])
        why = f"openstack_release in {origin['openstack_release']}"
    else:
        chosen, note = resolve(None)
        why = "no openstack_release in globals.yml, no --kolla-release and no kolla-ansible installed"
    series = str(extra.get("openstack_release") or "")
    if series and series != "master" and series != chosen.series and (release or installed):
        note = "; ".join(filter(None, [note, f"openstack_release is {series}, kolla-ansible {chosen.point} "
                                             f"deploys {chosen.series}"]))
    return chosen, why, [note] if note else []


@dataclass
class Repo:
    """What the kolla CLI would feed ansible-playbook for one config repository."""

    configdir: Path
    inventory: Inventory
    release: Release
    extra: dict  # globals.yml < passwords.yml < globals.d, merged
    origin: dict[str, str]  # variable -> "globals.yml:12" / "passwords.yml" / "globals.d/x.yml:3"
    passwords: dict
    facts: Path | None = None
    release_source: str = ""
    notes: list[str] = field(default_factory=list)
    _hostvars: dict = field(default_factory=dict)
    _signatures: dict = field(default_factory=dict)
    _addresses: dict = field(default_factory=dict)
    address_source: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, configdir: str | Path, inventory: str | Path, vault_password: Secret | None = None,
             release: str | None = None, facts: str | Path | None = None,
             passwords: str | Path | None = None) -> "Repo":
        configdir = Path(configdir)
        if not configdir.is_dir():
            raise KollaError(f"--configdir {configdir} is not a directory")
        inv = Inventory.load(inventory)
        extra, origin = {}, {}
        layers = [(configdir / "globals.yml", "globals file", False)] if (configdir / "globals.yml").exists() else []
        layers.append((Path(passwords) if passwords else configdir / "passwords.yml", "passwords file", True))
        folder = configdir / "globals.d"
        if folder.is_dir():  # the CLI's -e @globals.d/* : every file, in sorted order
            layers += [(f, "globals.d file", False) for f in sorted(folder.iterdir())
                       if f.is_file() and f.suffix in (".yml", ".yaml", ".json")]
        pw = {}
        for path, what, secret in layers:
            data = yaml_files.load_mapping(path, what, vault_password, secret=secret)
            text = "" if secret else path.read_text(errors="replace")
            pw = data if secret else pw
            for key, value in data.items():
                extra[key] = value
                line = key_line(text, key) if text else None
                origin[key] = f"{path}:{line}" if line else str(path)
        chosen, why, notes = choose_release(release, extra, origin)
        chosen = chosen.for_variables(extra)
        for flavor in chosen.flavors:  # rendered as kolla-ansible would with an unset password (the oracle's)
            key = f"{flavor}_master_password"
            if key not in extra:
                extra[key] = f"coordcheck-unset-{key}"
                if flavor == chosen.flavor:
                    notes.append(f"passwords.yml has no {key}: rendered as coordcheck-unset-{key}")
        facts_dir = Path(facts) if facts else None
        if facts_dir is not None and not facts_dir.is_dir():
            raise KollaError(f"--facts {facts_dir} is not a directory (an Ansible jsonfile fact cache)")
        return cls(configdir, inv, chosen, extra, origin, pw, facts_dir, why, notes)

    # -- variables ------------------------------------------------------------
    def host_vars(self, host: str) -> dict:
        found = self._hostvars.get(host)
        if found is None:
            found = self._hostvars[host] = self._own_vars(host)
        return found

    def _own_vars(self, host: str) -> dict:
        """The inventory's variables of ``host``: its groups' (by depth) then its own. With host_vars/ or
        group_vars/ beside the inventory, ansible-core's VariableManager (slower) reads them too."""
        beside = Path(self.inventory.path).parent
        if (beside / "host_vars").is_dir() or (beside / "group_vars").is_dir():
            return self.inventory.host_vars(host)
        entry = self.inventory._manager.get_host(host)
        if entry is None:
            raise KollaError(f"host {host!r} is not in inventory {self.inventory.path}")
        out = {}
        for group in sorted(entry.get_groups(), key=lambda g: (g.depth, g.priority, g.name)):
            out.update(group.get_vars())
        out.update(entry.get_vars())
        return out

    def context(self, host: str) -> dict:
        """Every variable a template on ``host`` sees, in Ansible's precedence."""
        return {**self.release.defaults, **self.host_vars(host), **self.extra,
                "inventory_hostname": host, "inventory_hostname_short": host.split(".")[0]}

    def signature(self, host: str) -> tuple:
        """Hosts with the same signature render every Kolla default alike."""
        found = self._signatures.get(host)
        if found is None:
            own = self.host_vars(host)
            found = self._signatures[host] = tuple(sorted((k, repr(v)) for k, v in own.items()
                                                          if k not in MAGIC and not k.startswith("inventory_")))
        return found

    # -- addresses ------------------------------------------------------------
    def address(self, host: str, interface: str) -> str:
        """``'api' | kolla_address(host)``: facts first, as Kolla; else synthesized, as the oracle does."""
        if host in self._addresses:
            return self._addresses[host]
        cached = self._fact(host, interface)
        if cached:
            address, how = cached, f"fact cache {self.facts} (ansible_{interface})"
        else:
            own = self.host_vars(host)
            var = next((v for v in ("api_interface_address", "ansible_host") if own.get(v)), None)
            address = str(own[var]) if var else host
            how = f"synthesized from {var}" if var else "synthesized from the name"
        self._addresses[host], self.address_source[host] = address, how
        return address

    def _fact(self, host: str, interface: str) -> str | None:
        if self.facts is None:
            return None
        path = next((p for p in (self.facts / f"s1_{host}", self.facts / host) if p.is_file()), None)
        if path is None:
            return None
        try:  # ansible-core >= 2.19 writes s1_<host> holding {"__payload__": "<json>"}
            facts = json.loads(path.read_text())
            facts = json.loads(facts["__payload__"]) if "__payload__" in facts else facts
        except (OSError, ValueError, TypeError):
            raise KollaError(f"--facts {path} is not an Ansible jsonfile fact cache entry") from None
        name = interface.replace("-", "_")
        nic = facts.get(f"ansible_{name}") or (facts.get("ansible_facts") or {}).get(name) or facts.get(name)
        try:
            return str(nic["ipv4"]["address"])
        except (TypeError, KeyError):
            return None
