"""The part of `LocalDeployment` that drives a container engine: the data
nodes and sentinels from a lab's own docker-compose file (``--engine
compose``), and the service containers (``--containers``)."""

from __future__ import annotations

from pathlib import Path

from coordcheck.lab import compose
from coordcheck.lab import compose_engine as local_compose
from coordcheck.lab import containers
from coordcheck.lab.errors import engine_errors


class EnginesMixin:
    """Needs ``root``, ``state_dir``, ``state()``, ``password()``, ``layout()``, ``placement()``."""

    @property
    def compose_file(self) -> Path:
        return self.state_dir / compose.FILE_NAME

    def compose_text(self, sentinel_auth: bool) -> str:
        """The lab's own compose file: its backends' addresses, its project's container names."""
        layout = self.layout()
        return compose.text(sentinel_auth, {h: layout.hosts[h] for h in layout.backends},
                            local_compose.project(self.root))

    def compose_container(self, host: str, kind: str) -> str:
        return compose.container(host, kind, local_compose.project(self.root))

    def _compose(self, *args: str, **env: str) -> str:
        state = self.state()
        variables = {"COORDCHECK_PASSWORD": self.password().reveal(), **env}
        if state.get("image"):
            variables["SENTINEL_IMAGE"] = state["image"]
        with engine_errors():
            return local_compose.compose(self.root, self.compose_file, variables, *args)

    def _stop_compose(self, state: dict) -> list[str]:
        if state.get("servers") != "compose" or not self.compose_file.exists():
            return []
        self._compose("down", "-t", "3")
        return [self.compose_container(h, k) for k in ("sentinel", "server") for h in self.layout().backends]

    @staticmethod
    def _images_ready(engine: str, wanted: tuple[str, ...], series: tuple[str, ...] = ()) -> None:
        with engine_errors():
            containers.ensure_images(engine, wanted, series)

    def run_container(self, host: str, service: str, image: str) -> str:
        """(Re)create ``service``'s container on ``host`` from ``image``."""
        with engine_errors():
            return containers.run(self.state()["engine"], self.root, host, service, image)

    def container_log(self, service: str) -> str:
        """What a service logged: its Kolla log file (in the host's kolla_logs),
        then the engine's log of its container (kolla_start's lines)."""
        host, svc = next((h, s) for h, s in self.placement() if s.service == service)
        path = self.root / host / containers.KOLLA_LOGS / svc.project / f"{service}.log"
        with engine_errors():
            engine_log = containers.log(self.state()["engine"], containers.container_name(service))
        return (path.read_text(errors="replace") if path.is_file() else "") + engine_log

    def container(self, action: str, service: str) -> None:
        """``start``, ``stop`` or ``restart`` a service's container."""
        with engine_errors():
            containers.control(self.state()["engine"], action, containers.container_name(service))

    def container_status(self) -> list[tuple[str, str, str]]:
        """(host, container, engine state) of each container: the servers of
        the lab's compose file, then the service containers."""
        state, found = self.state(), []
        if state.get("servers") == "compose":
            with engine_errors():
                running = local_compose.states(self.root)
            names = [(h, self.compose_container(h, k)) for k in ("server", "sentinel") for h in self.layout().backends]
            found += [(h, name, running.get(name, "absent")) for h, name in names]
        if state.get("engine"):
            with engine_errors():
                running = containers.states(state["engine"], self.root)
            found += [(h, containers.container_name(s), running.get(containers.container_name(s), "absent"))
                      for h, s in containers.PLACEMENT.items()]
        return found

    def _stop_containers(self, state: dict) -> list[str]:
        if not state.get("engine"):
            return []
        with engine_errors():
            return containers.remove(state["engine"], self.root)
