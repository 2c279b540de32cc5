"""Ansible inventories, read with ansible-core itself.

    inv = Inventory.load("/etc/kolla/multinode")
    inv.resolve("controllers")   # -> ['ctl1', 'ctl2', 'ctl3'] (the control group)
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("ANSIBLE_INVENTORY_UNPARSED_FAILED", "True")
os.environ.setdefault("ANSIBLE_LOCALHOST_WARNING", "False")

from ansible.errors import AnsibleError  # noqa: E402
from ansible.inventory.manager import InventoryManager  # noqa: E402
from ansible.parsing.dataloader import DataLoader  # noqa: E402
from ansible.vars.manager import VariableManager  # noqa: E402

from coordcheck.kolla import DEFAULT_NODE_CONFIG_DIRECTORY, GROUP_ALIASES, KollaError  # noqa: E402
from coordcheck.secrets import INVENTORY_SECRETS, KNOWN  # noqa: E402


def _is_secret_variable(name: str) -> bool:
    return name in INVENTORY_SECRETS or name.endswith(("_password", "_pass", "_secret"))


@dataclass
class Inventory:
    """An Ansible inventory: groups, hosts and the variables coordcheck needs."""

    path: Path
    _manager: InventoryManager
    _variables: VariableManager
    _members: dict[str, frozenset[str]] = field(default_factory=dict)
    _host_vars: dict[str, dict] = field(default_factory=dict)   # ansible's, once per host (the inventory is read once)

    @classmethod
    def load(cls, path: str | Path) -> "Inventory":
        path = Path(path)
        text = _check_sources(path)
        loader = DataLoader()
        chatter = io.StringIO()
        try:
            with contextlib.redirect_stderr(chatter), contextlib.redirect_stdout(chatter):
                manager = InventoryManager(loader=loader, sources=[str(path)])
        except AnsibleError:
            raise KollaError(f"inventory {path} cannot be parsed {_reason(chatter.getvalue(), text)}") from None
        if not manager.hosts and not manager.get_hosts("all"):
            raise KollaError(f"inventory {path} defines no hosts")
        inventory = cls(path, manager, VariableManager(loader=loader, inventory=manager))
        inventory.learn_secrets()
        return inventory

    def learn_secrets(self, hosts: list[str] = ()) -> None:
        """Register the connection secrets the inventory holds (masked in all
        output, testinfra's log of ``ansible-inventory --list`` included):
        every host's and group's own variables, and the full variables of
        ``hosts`` (host_vars/ and group_vars/ folders too)."""
        scopes = [h.get_vars() for h in self._manager.hosts.values()]
        scopes += [g.get_vars() for g in self._manager.groups.values()]
        scopes += [self.host_vars(h) for h in hosts]
        for variables in scopes:
            for name, value in variables.items():
                if _is_secret_variable(str(name)) and value:
                    KNOWN.add(str(value))

    @property
    def groups(self) -> set[str]:
        return set(self._manager.groups)

    def group_hosts(self, group: str) -> list[str]:
        """Hosts of a group in inventory order ([] if the group is absent)."""
        if group not in self._manager.groups:
            return []
        return [h.name for h in self._manager.groups[group].get_hosts()]

    def in_group(self, host: str, group: str) -> bool:
        members = self._members.get(group)
        if members is None:
            members = self._members[group] = frozenset(self.group_hosts(group))
        return host in members

    def resolve(self, pattern: str) -> list[str]:
        """``--hosts`` value -> host names. ``controllers`` means ``control``
        when the inventory has no such group. Unknown names and empty sets
        are errors."""
        hosts: list[str] = []
        for name in [p.strip() for p in pattern.split(",") if p.strip()]:
            if name not in self._manager.groups and self._manager.get_host(name) is None:
                alias = GROUP_ALIASES.get(name)
                if alias is None or alias not in self._manager.groups:
                    known = ", ".join(sorted(g for g in self._manager.groups if g not in ("all", "ungrouped")))
                    raise KollaError(f"--hosts: no group or host {name!r} in inventory {self.path} (groups: {known})")
                name = alias
            found = self.group_hosts(name) if name in self._manager.groups else [name]
            hosts += [h for h in found if h not in hosts]
        if not hosts:
            raise KollaError(f"--hosts {pattern!r} matches no host in inventory {self.path}")
        return hosts

    def host_vars(self, host: str) -> dict:
        if host not in self._host_vars:
            found = self._manager.get_host(host)
            if found is None:
                raise KollaError(f"host {host!r} is not in inventory {self.path}")
            self._host_vars[host] = self._variables.get_vars(host=found)
        return self._host_vars[host]

    def address(self, host: str) -> str:
        """Kolla's API address of a host: ``api_interface_address``, else
        ``ansible_host``, else the inventory name."""
        variables = self.host_vars(host)
        for key in ("api_interface_address", "ansible_host"):
            if variables.get(key):
                return str(variables[key])
        return host

    def node_config_directory(self, host: str) -> str:
        return str(self.host_vars(host).get("node_config_directory") or DEFAULT_NODE_CONFIG_DIRECTORY)


def _check_sources(path: Path) -> str:
    """Every file ansible-core will read for this inventory (the file or a
    folder's files, and host_vars/ group_vars/ beside it) through the bounded
    reader and the YAML alias bound, before ansible reads them; the text of
    the inventory file (or '')."""
    from coordcheck.kolla.reading import files_under, is_present, read_lenient
    from coordcheck.kolla.variables import check_expansion

    what = "inventory"
    try:
        folder = path.is_dir()
    except OSError:
        folder = False
    if not folder and not is_present(path, what):
        raise KollaError(f"inventory {path} does not exist")
    files = files_under(path, "*", what, skip_folders=True) if folder else [path]
    beside = path if folder else path.parent
    files += files_under(beside / "host_vars", "*", "inventory host_vars file", True)
    files += files_under(beside / "group_vars", "*", "inventory group_vars file", True)
    text = ""
    for number, file in enumerate(files):
        content = read_lenient(file, what if number == 0 and not folder else "inventory file")
        check_expansion(content, "inventory file", file)
        text = text or (content if not folder else "")
    return text[:4096]


def _reason(chatter: str, text: str = "") -> str:
    """The parse error of the plugin the file was written for (INI when it
    looks like INI, else YAML), on one line."""
    failures = {}
    for line in chatter.splitlines():
        found = re.match(r"\[WARNING\]: Failed to parse .* with '(\w+)' plugin: (.*)", line)
        if found:
            failures.setdefault(found.group(1), found.group(2).strip())
    first_line = next((ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(("#", ";"))), "")
    kind = "ini" if first_line.startswith("[") or (first_line and ":" not in first_line) else "yaml"
    if kind in failures:
        return f"as {kind.upper()}: {failures[kind]}"
    return next(iter(failures.values()), "no inventory plugin could read it")
