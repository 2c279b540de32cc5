"""The deployment a run checks, resolved once from the command line:
inventory, configdir, passwords.yml, hosts, flavor and addresses.

    target = Target.load("multinode", "/etc/kolla", hosts="controllers")
    target.hosts, target.flavor.name   # -> (['ctl1', 'ctl2', 'ctl3'], 'redis')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coordcheck import kolla
from coordcheck.kolla import variables
from coordcheck.kolla.inventory import Inventory
from coordcheck.address import Address
from coordcheck.secrets import KNOWN, Secret


@dataclass(repr=False)
class Target:
    inventory: Inventory
    configdir: Path
    passwords_file: Path
    hosts: list[str]
    flavor: kolla.Flavor
    password: Secret
    backend_hosts: list[str]
    globals_data: dict = field(default_factory=dict)
    passwords_data: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Target({self.inventory.path}, hosts={self.hosts}, flavor={self.flavor.name})"

    @classmethod
    def load(cls, inventory: str | Path, configdir: str | Path, passwords: str | Path | None = None,
             hosts: str | None = "controllers", vault_password: Secret | None = None) -> "Target":
        """``hosts=None``: every host that runs a service using coordination."""
        inv = Inventory.load(inventory)
        configdir = Path(configdir)
        KNOWN.allow(configdir)
        if not configdir.is_dir():
            raise kolla.KollaError(f"--configdir {configdir} is not a directory")
        passwords_file = Path(passwords) if passwords else configdir / "passwords.yml"
        password_data = variables.load_mapping(passwords_file, "passwords file", vault_password, secret=True)
        globals_file = configdir / "globals.yml"
        globals_data = (variables.load_mapping(globals_file, "globals file", vault_password)
                        if globals_file.exists() else {})
        flavor = kolla.flavor_of(globals_data, inv.groups, password_data)
        backend_hosts = inv.group_hosts(flavor.group)
        if not backend_hosts:
            raise kolla.KollaError(f"inventory {inv.path} has no hosts in group {flavor.group!r} "
                                   f"(the {flavor.name} sentinels)")
        password = kolla.master_password(password_data, flavor, passwords_file)
        if hosts is None:
            hosts = ",".join(kolla.coordination_groups(inv.groups, globals_data))
            if not hosts:
                raise kolla.KollaError(f"no enabled service that uses coordination has hosts in inventory {inv.path} "
                                       f"(enable_<project> in {globals_file} and the service groups)")
        selected = inv.resolve(hosts)
        if len(selected) <= 200:  # beyond, the inventory's own variables (learnt at load) must do
            inv.learn_secrets(selected)
        return cls(inv, configdir, passwords_file, selected, flavor, password, backend_hosts, globals_data, password_data)

    @property
    def container_engine(self) -> str:
        """``kolla_container_engine`` (docker by default)."""
        return str(self.globals_data.get("kolla_container_engine") or "docker")

    @property
    def service_containers(self) -> bool:
        """False only for a `coordcheck up` deployment whose services are
        processes (``coordcheck_service_containers: no`` in globals.yml)."""
        return kolla.truthy(self.globals_data.get("coordcheck_service_containers", True))

    @property
    def sentinels(self) -> list[Address]:
        return [Address(self.inventory.address(h), kolla.SENTINEL_PORT) for h in self.backend_hosts]

    @property
    def data_nodes(self) -> list[Address]:
        return [Address(self.inventory.address(h), kolla.DATA_PORT) for h in self.backend_hosts]
