"""The deployment a run checks, resolved once from the command line:
inventory, configdir, passwords.yml, hosts, flavor and addresses.

    target = Target.load("multinode", "/etc/kolla", hosts="controllers")
    target.hosts, target.flavor.name   # -> (['ctl1', 'ctl2', 'ctl3'], 'redis')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coordcheck import kolla
from coordcheck.inventory import Inventory
from coordcheck.probe import Address
from coordcheck.secrets import Secret


@dataclass(repr=False)
class Target:
    inventory: Inventory
    configdir: Path
    passwords_file: Path
    hosts: list[str]
    flavor: kolla.Flavor
    password: Secret
    backend_hosts: list[str]

    def __repr__(self) -> str:
        return f"Target({self.inventory.path}, hosts={self.hosts}, flavor={self.flavor.name})"

    @classmethod
    def load(cls, inventory: str | Path, configdir: str | Path, passwords: str | Path | None = None,
             hosts: str = "controllers") -> "Target":
        inv = Inventory.load(inventory)
        configdir = Path(configdir)
        if not configdir.is_dir():
            raise kolla.KollaError(f"--configdir {configdir} is not a directory")
        passwords_file = Path(passwords) if passwords else configdir / "passwords.yml"
        password_data = kolla.load_yaml_mapping(passwords_file, "passwords file")
        globals_file = configdir / "globals.yml"
        globals_data = kolla.load_yaml_mapping(globals_file, "globals file") if globals_file.exists() else {}
        flavor = kolla.flavor_of(globals_data, inv.groups, password_data)
        backend_hosts = inv.group_hosts(flavor.group)
        if not backend_hosts:
            raise kolla.KollaError(f"inventory {inv.path} has no hosts in group {flavor.group!r} "
                                   f"(the {flavor.name} sentinels)")
        return cls(inv, configdir, passwords_file, inv.resolve(hosts), flavor,
                   kolla.master_password(password_data, flavor, passwords_file), backend_hosts)

    @property
    def sentinels(self) -> list[Address]:
        return [Address(self.inventory.address(h), kolla.SENTINEL_PORT) for h in self.backend_hosts]

    @property
    def data_nodes(self) -> list[Address]:
        return [Address(self.inventory.address(h), kolla.DATA_PORT) for h in self.backend_hosts]
