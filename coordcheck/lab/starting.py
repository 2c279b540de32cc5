"""The part of `LocalDeployment` that starts a written lab: namespaces,
sshds, data nodes, then sentinels, ready when all sentinels agree."""

from __future__ import annotations

import time
from pathlib import Path

from coordcheck import kolla
from coordcheck.lab import images, netns, processes, readiness
from coordcheck.lab.errors import DeploymentError
from coordcheck.lab.kolla_files import SSH_PORT, sshds
from coordcheck.lab.network import Layout
from coordcheck.lab.processes import accepts, ssh_tool

AGREEMENT_TIMEOUT = 15.0


class StartMixin:
    """Needs ``state()``, ``_save()``, ``password()``, ``layout()``, the engine glue."""

    def start(self, timeout: float = AGREEMENT_TIMEOUT) -> float:
        """Start the written deployment and wait until all sentinels agree."""
        started = time.monotonic()
        deadline = started + timeout
        state, password, layout = self.state(), self.password(), self.layout()
        try:
            if state.get("netns"):
                netns.create(state["netns"], layout.network, layout.hosts)
            else:
                self._check_ports_free(layout, state.get("ssh", False))
            if state.get("ssh"):
                self._start_sshd(state, layout, deadline)
            self.bring_up(state, layout, password, deadline)
        except BaseException:
            self._stop_containers(state)
            processes.stop(self.state()["processes"])
            self._stop_compose(state)
            if state.get("netns"):
                netns.delete(state["netns"])
            raise
        return time.monotonic() - started

    def bring_up(self, state: dict, layout, password, deadline: float) -> None:
        """The data nodes until they replicate, the sentinels until they agree,
        then the service containers (each host on its release's image)."""
        self._start(state, "server", layout.backends)
        master, replicas = layout.hosts[layout.master], len(layout.backends) - 1
        self.wait_for(lambda: readiness.replication_lag(master, replicas, password), deadline)
        self._start(state, "sentinel", layout.backends)
        self.wait_for(lambda: readiness.disagreement(self.sentinel_addresses(), password), deadline)
        if state.get("engine"):
            for host, svc in self.placement():
                self.run_container(host, svc.service, self.image_of(host, state))
            for host, consumer in self.consumer_placement(state):
                self.run_container(host, consumer.fake.service, consumer.fake.image)

    @staticmethod
    def image_of(host: str, state: dict) -> str:
        """The service image of ``host``'s containers: its own release's (``--release HOST=SERIES``), or the lab's."""
        return state.get("host_images", {}).get(host) or state.get("service_image", images.CURRENT)

    def _check_ports_free(self, layout: Layout, ssh: bool = False) -> None:
        for ip in layout.hosts.values():
            for port in (kolla.DATA_PORT, kolla.SENTINEL_PORT) + ((SSH_PORT,) if ssh else ()):
                if accepts(ip, port):
                    raise DeploymentError(f"{ip}:{port} is already in use (another deployment? `coordcheck down --dir DIR`)")

    def _namespace(self, host: str) -> str | None:
        names = self.state().get("netns")
        return names["namespaces"][host] if names else None

    def _start(self, state: dict, kind: str, hosts) -> None:
        """Start one ``kind`` (server or sentinel) process per host (or compose service)."""
        if state.get("servers") == "compose":
            self._compose("up", "-d", "--no-deps", *(f"{host}-{kind}" for host in hosts))
            return
        for host in hosts:
            run = self.state_dir / host
            conf = run / f"{kind}.conf"
            extra = ["--sentinel"] if kind == "sentinel" else []
            pid = processes.spawn([state["binary"], str(conf), *extra], run, self._namespace(host))
            state["processes"].append({"name": f"{host} {kind}", "pid": pid, "config": str(conf)})
            self._save(state)

    def _start_sshd(self, state: dict, layout: Layout, deadline: float) -> None:
        """The hosts' sshd(s); ready when every address accepts."""
        privsep = Path("/run/sshd")  # sshd refuses to start without it
        if not privsep.exists():
            privsep.mkdir(mode=0o755)  # left in place: other labs' sshds may need it
        for name, host, _ in sshds(layout.hosts, per_host=layout.netns):
            config = self.ssh_dir / f"{name}_config"
            with open(self.ssh_dir / f"{name}_config.log", "w") as log:
                pid = processes.spawn([ssh_tool("sshd"), "-D", "-e", "-f", str(config)], self.ssh_dir,
                                      host and self._namespace(host), log)
            state["processes"].append({"name": name, "pid": pid, "config": str(config)})
            self._save(state)

        def closed() -> list[str]:
            return [f"sshd does not answer on {ip}:{SSH_PORT}" for ip in layout.hosts.values()
                    if not accepts(ip, SSH_PORT)]

        self.wait_for(closed, deadline)

    def wait_for(self, problems_now, deadline: float, poll: float = 0.05) -> None:
        """Poll ``problems_now()`` until it returns [] or the deadline passes."""
        readiness.wait_for(problems_now, deadline, f"{self.state_dir}/*/*.log", poll)
