"""The part of `LocalDeployment` that changes a running lab: service
configs, signals, restarts, partitions (what `coordcheck break` uses)."""

from __future__ import annotations

import os
from pathlib import Path

import redis

from coordcheck import kolla
from coordcheck.lab import compose_engine as local_compose
from coordcheck.lab import netns, processes
from coordcheck.lab.errors import DeploymentError, engine_errors
from coordcheck.lab.kolla_files import consumer_files, service_config_text
from coordcheck.lab.processes import is_ours
from coordcheck.observe.probe import Address
from coordcheck.observe.probe import client as probe_client
from coordcheck.secrets import Secret


class ChangesMixin:
    """Needs ``state()``, ``password()``, ``address()``, the engine glue."""

    def write_backend_url(self, url: Secret, paths: list[Path] | None = None) -> list[Path]:
        paths = self.service_config_paths() if paths is None else paths
        for path in paths:
            path.write_text(service_config_text(url, path.stem))
        return paths

    def client(self, host: str, kind: str) -> redis.Redis:
        """An authenticated client of a host's ``server`` or ``sentinel``."""
        port = kolla.SENTINEL_PORT if kind == "sentinel" else kolla.DATA_PORT
        return probe_client(Address(self.address(host), port), password=self.password())

    def signal(self, host: str, kind: str, signum: int) -> None:
        """Send ``signum`` to a host's ``server`` or ``sentinel`` (only ours)."""
        if self.state().get("servers") == "compose":
            with engine_errors():
                local_compose.signal(self.root, host, kind, signum)
            return
        for proc in self.state()["processes"]:
            if proc["name"] == f"{host} {kind}" and is_ours(proc["pid"], proc["config"]):
                os.kill(proc["pid"], signum)
                return
        raise DeploymentError(f"{host} {kind} is not running")

    def restart_server(self, host: str, masterauth: bool = True) -> None:
        """Restart a host's data node, from its config with or without
        masterauth (a data node restarted without it cannot replicate)."""
        state = self.state()
        if state.get("servers") == "compose":
            from coordcheck.lab.compose import masterauth_variable
            self._compose("up", "-d", "--no-deps", "--force-recreate", f"{host}-server",
                          **{masterauth_variable(host): "yes" if masterauth else "no"})
            return
        proc = next(p for p in state["processes"] if p["name"] == f"{host} server")
        processes.stop([proc])
        conf = Path(proc["config"])
        lines = [line for line in conf.read_text().splitlines() if masterauth or not line.startswith("masterauth ")]
        conf.write_text("\n".join(lines) + "\n")
        state["processes"].remove(proc)
        self._start(state, "server", [host])

    def partition(self, host: str, other: str, port: int) -> None:
        """``host`` (its namespace alone) can no longer reach ``other``'s ``port``."""
        names = self.state().get("netns")
        if not names:
            raise DeploymentError("a partition needs a deployment made by `coordcheck up --netns`")
        netns.partition(names, host, self.address(other), port)
        self.record_partition(host, self.address(other), port)

    def incident_url(self) -> Secret:
        """The URL Kolla renders, without sentinel_password: the incident's."""
        return kolla.connection_string(self.flavor(), self.sentinel_addresses(), self.password())

    def repro(self) -> list[Path]:
        """Write the incident's URL (no sentinel_password) into every service
        config (and restart the service containers, as reconfigure does)."""
        return self._reconfigure(self.incident_url())

    def fix(self) -> list[Path]:
        """Write the fixed URL (with sentinel_password) into every service
        config, and the consumers' configs as `up` wrote them (and restart)."""
        url = self.fixed_url(self.flavor(), self.password())
        paths = self._reconfigure(url)
        for host, consumer in self.consumer_placement():
            paths += self.write_consumer_files(host, consumer, url, True)
        return paths

    def write_consumer_files(self, host: str, consumer, url: Secret, sentinel_password: bool) -> list[Path]:
        """Rewrite the files of ``consumer`` on ``host`` (with the operator's
        sentinel password, or as stock Kolla renders them) and restart its
        container, as kolla-ansible reconfigure does."""
        folder = self.root / host / consumer.fake.service
        paths = []
        for name, text in consumer_files(consumer, url, self.password(), self.sentinel_addresses(),
                                         sentinel_password).items():
            (folder / name).write_text(text)
            paths.append(folder / name)
        self.container("restart", consumer.fake.service)
        return paths

    def _reconfigure(self, url: Secret) -> list[Path]:
        paths = self.write_backend_url(url)
        if self.state().get("engine"):
            for _, svc in self.placement():
                self.container("restart", svc.service)
        return paths
