"""A small Kolla deployment on a free address range: N controllers, the
first 3 (``--backends``) running a data node and a sentinel, authenticated
like the incident, plus the Kolla files that describe it.

    $ coordcheck up --dir /tmp/kolla --controllers 12   # returns when all sentinels agree
    $ coordcheck repro --dir /tmp/kolla                 # the incident's URL, no sentinel_password
    $ coordcheck down --dir /tmp/kolla

Layout of DIR (everything created is recorded in DIR/.coordcheck/state.json,
so ``down`` removes exactly that, and the range claim, namespaces, veths and
bridge it made, and nothing else):

    multinode  passwords.yml  globals.yml
    ctl1/cinder-volume/cinder.conf ...     node_config_directory of ctl1
    .coordcheck/ctl1/{server,sentinel}.conf, logs, data
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets as random
import shutil
import subprocess
from pathlib import Path

import yaml

from coordcheck import kolla
from coordcheck.kolla import variables
from coordcheck.lab import compose_engine as local_compose
from coordcheck.lab import containers, images, netns, network, processes
from coordcheck.lab.changes import ChangesMixin
from coordcheck.lab.engines import EnginesMixin
from coordcheck.lab.pristine import PristineMixin
from coordcheck.lab.starting import AGREEMENT_TIMEOUT, StartMixin
from coordcheck.lab.errors import DeploymentError, engine_errors  # noqa: F401 - re-exported
from coordcheck.lab.folders import usable_root  # noqa: F401 - re-exported
from coordcheck.lab.kolla_files import SSH_PORT, inventory_text, service_config_text, sshd_config, sshds  # noqa: F401
from coordcheck.consumers import Consumer
from coordcheck.lab.kolla_files import consumer_files
from coordcheck.lab.network import Layout
from coordcheck.lab.passwords import password_problem, read_password_file  # noqa: F401 - re-exported
from coordcheck.lab.processes import Process, accepts, is_ours, server_binary, ssh_tool  # noqa: F401
from coordcheck.lab.templates import HOSTS, sentinel_config, server_config  # noqa: F401 - HOSTS: the default range
from coordcheck.secrets import Secret
from coordcheck.url import with_sentinel_password

STATE_DIR = ".coordcheck"


class LocalDeployment(StartMixin, ChangesMixin, EnginesMixin, PristineMixin):
    """The deployment in ``root``; ``up()`` writes and starts it."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.state_dir = self.root / STATE_DIR
        self.state_file = self.state_dir / "state.json"

    # -- state ---------------------------------------------------------------
    def state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text())
        except FileNotFoundError:
            raise DeploymentError(f"no coordcheck deployment in {self.root} (run `coordcheck up --dir {self.root}`)") from None
        except (OSError, ValueError) as exc:
            raise DeploymentError(f"{self.state_file} is unreadable: {exc.__class__.__name__}") from None

    def _save(self, state: dict) -> None:
        """Whole or not at all: a signal mid-write must not leave half a state."""
        partial = self.state_file.with_suffix(".partial")
        partial.write_text(json.dumps(state, indent=1))
        os.replace(partial, self.state_file)

    @property
    def inventory(self) -> Path:
        return self.root / "multinode"

    @property
    def passwords(self) -> Path:
        return self.root / "passwords.yml"

    @property
    def ssh_dir(self) -> Path:
        return self.state_dir / "ssh"

    @property
    def lab_id(self) -> str:
        return hashlib.sha1(str(self.root).encode()).hexdigest()[:8]

    def layout(self) -> Layout:
        return Layout.from_state(self.state())

    @property
    def hosts(self) -> dict[str, str]:
        """host -> address, ctl1..ctlN."""
        return self.layout().hosts

    def address(self, host: str) -> str:
        return self.hosts[host]

    def flavor(self) -> kolla.Flavor:
        return kolla.FLAVORS[self.state()["flavor"]]

    def server_name(self) -> str:
        """The servers the processes run: ``Valkey 9.1.2``; when the valkey
        flavor runs on redis-server (no valkey-server installed), says so."""
        flavor = self.flavor()
        binary = server_binary(flavor)
        name = processes.server_name(binary)
        missing = Path(binary).name != flavor.server_binary
        return f"{name}, as {flavor.server_binary} is not installed" if missing else name

    def password(self) -> Secret:
        flavor = self.flavor()
        return kolla.master_password(variables.load_mapping(self.passwords, "passwords file", secret=True), flavor, self.passwords)

    def placement(self) -> list[tuple[str, kolla.CoordinationService]]:
        """(host, service) pairs: one per host with containers, else all."""
        if self.state().get("engine"):
            return [(h, containers.service(s)) for h, s in containers.PLACEMENT.items()]
        return [(h, s) for h in self.hosts for s in kolla.LOCAL_SERVICES]

    def service_config_paths(self) -> list[Path]:
        return [self.root / h / s.service / s.config_name for h, s in self.placement()]

    # -- up ------------------------------------------------------------------
    def write(self, flavor: kolla.Flavor, password: Secret | None, sentinel_auth: bool, ssh: bool = False,
              engine: str | None = None, servers: str = "processes", image: str | None = None,
              controllers: int = 3, backends: int = 3, network_range: str | None = None,
              netns_hosts: bool = False, consumers: bool = False) -> dict:
        """Write the Kolla files and server configs (random password by
        default) on a claimed address range; start nothing. ``ssh``: hosts
        reached over SSH (sshds of the lab's own, key login); ``engine``
        (docker, podman): service containers; ``servers="compose"``: data
        nodes and sentinels from the lab's own compose file (``image``: the
        repository's file, on the lab's range, its container names prefixed);
        ``netns_hosts``: every host in a network namespace of its own (implies ssh);
        ``consumers`` (with ``engine``): the consumers' containers too (their records' lab fakes)."""
        if password is None:
            password = Secret(random.token_hex(16))
        else:
            problem = password_problem(password.reveal(), flavor)
            if problem:
                raise DeploymentError(problem)
        if self.state_file.exists():
            raise DeploymentError(f"{self.root} already holds a coordcheck deployment (run `coordcheck down --dir {self.root}` first)")
        if netns_hosts:
            why = netns.available() or (servers == "compose" and "--netns runs the servers as processes, "
                                                                   "not with --engine compose")
            if why:
                raise DeploymentError(why)
            ssh = True
        binary = server_binary(flavor) if servers != "compose" else None
        layout = network.claim(self.root, controllers, backends, network_range, netns_hosts)
        try:
            created_root = not self.root.exists()
            self.root.mkdir(parents=True, exist_ok=True)
            self.state_dir.mkdir()
        except BaseException:
            network.release(layout, self.root)
            raise
        state = {"flavor": flavor.name, "sentinel_auth": sentinel_auth, "created_root": created_root,
                 "files": [], "dirs": [str(self.state_dir)], "processes": [], "ssh": ssh,
                 "engine": engine, "servers": servers, "consumers": bool(engine and consumers), "image": image,
                 "layout": layout.to_state(), "binary": binary, "netns": netns.plan(self.lab_id, layout.hosts) if netns_hosts else None}
        self._save(state)

        def put(path: Path, text: str, mode: int = 0o640) -> None:
            for parent in reversed(path.relative_to(self.root).parents[:-1]):
                folder = self.root / parent
                if not folder.exists():
                    folder.mkdir()
                    state["dirs"].append(str(folder))
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
            state["files"].append(str(path))

        if servers == "compose":  # rendered from the same templates; the password comes from the environment
            put(self.compose_file, self.compose_text(sentinel_auth), 0o644)
        else:
            self._write_server_configs(put, layout, password, sentinel_auth, binary)
        if ssh:
            self._write_ssh(put, layout)
        placed = [*containers.PLACEMENT.items(), *((h, c.fake.service) for h, c in self.consumer_placement(state))]
        put(self.inventory, inventory_text(flavor, self.root, self.ssh_dir if ssh else None,
                                           placed if engine else None, layout.hosts, layout.backends))
        put(self.passwords, yaml.safe_dump({flavor.password_key: password.reveal()}), 0o600)
        put(self.root / "globals.yml", yaml.safe_dump({
            flavor.enable_key: "yes", "kolla_base_distro": "debian", "kolla_container_engine": engine or "docker",
            "coordcheck_service_containers": "yes" if engine else "no"}))
        self._save(state)  # placement() reads the engine from it
        # sentinels without a password: the URL as Kolla renders it (a sentinel_password: SENTINEL_AUTH_UNEXPECTED)
        url = self.fixed_url(flavor, password) if sentinel_auth else self.incident_url()
        for host, svc in self.placement():
            put(self.root / host / svc.service / svc.config_name, service_config_text(url, svc.project), 0o600)
            if engine:
                put(self.root / host / svc.service / "config.json", containers.config_json(svc), 0o600)
        for host, consumer in self.consumer_placement(state):
            folder = self.root / host / consumer.fake.service
            files = consumer_files(consumer, url, password, self.sentinel_addresses(), sentinel_auth)
            for name, text in files.items():
                put(folder / name, text, 0o600)
            put(folder / "config.json", containers.consumer_config_json(consumer, list(files)), 0o600)
        self._save(state)
        return state

    def consumer_placement(self, state: dict | None = None) -> list[tuple[str, Consumer]]:
        """(host, consumer) of the consumers' containers (``up --consumers``: every record's lab fake)."""
        return list(containers.CONSUMER_PLACEMENT.items()) if (state or self.state()).get("consumers") else []

    def _write_server_configs(self, put, layout: Layout, password: Secret, sentinel_auth: bool, binary: str) -> None:
        bind_source = processes.binary_version(binary) >= (7, 0)
        master_ip = layout.hosts[layout.master]
        for host in layout.backends:
            ip, run = layout.hosts[host], self.state_dir / host
            replica_of = None if host == layout.master else master_ip
            put(run / "server.conf", server_config(ip, run, password, replica_of, bind_source), 0o600)
            put(run / "sentinel.conf", sentinel_config(ip, master_ip, run, password, sentinel_auth, bind_source), 0o600)

    def _write_ssh(self, put, layout: Layout) -> None:
        """A client key, a host key and sshd configs in .coordcheck/ssh: one
        sshd for every address, or one per host in its namespace."""
        for tool in ("sshd", "ssh"):
            ssh_tool(tool)
        self.ssh_dir.mkdir(mode=0o700)
        for key in ("id_ed25519", "host_ed25519"):
            subprocess.run([ssh_tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", "coordcheck", "-f",
                            str(self.ssh_dir / key)], check=True, capture_output=True, timeout=30)
        put(self.ssh_dir / "authorized_keys", (self.ssh_dir / "id_ed25519.pub").read_text(), 0o600)
        for name, _, addresses in sshds(layout.hosts, per_host=layout.netns):
            put(self.ssh_dir / f"{name}_config", sshd_config(self.ssh_dir, addresses, name), 0o600)

    def sentinel_addresses(self) -> list[str]:
        layout = self.layout()
        return [layout.hosts[h] for h in layout.backends]

    def fixed_url(self, flavor: kolla.Flavor, password: Secret) -> Secret:
        broken = kolla.connection_string(flavor, self.sentinel_addresses(), password)
        return Secret(with_sentinel_password(broken.reveal(), password), by_value=False)

    def up(self, flavor: kolla.Flavor, password: Secret | None = None, sentinel_auth: bool = True,
           timeout: float = AGREEMENT_TIMEOUT, ssh: bool = False, engine: str | None = None,
           servers: str = "processes", image: str | None = None, series: str | None = None,
           host_series: dict[str, str] | None = None, **where) -> float:
        """Write and start; returns the seconds until all sentinels agreed
        (and the service containers started). On failure nothing is left
        behind. ``series``: the service images carry that Kolla release's
        tooz and redis-py (default: this venv's); ``host_series``: host ->
        the release of that host's images instead (a cloud mid-upgrade). ``where``: controllers,
        backends, network_range, netns_hosts."""
        service_image = images.release_image(series) if series else images.CURRENT
        if servers == "compose":
            with engine_errors():
                local_compose.command()
            if image == images.SERVER:
                self._images_ready("docker", (images.BASE, images.SERVER))
        else:
            server_binary(flavor)
        if engine:
            per_host = {h: images.release_image(s) for h, s in (host_series or {}).items()}
            releases = tuple(sorted({*((series,) if series else ()), *(host_series or {}).values()}))
            wanted = (*images.SERVICE, service_image, *per_host.values(),
                      *((images.CONSUMERS,) if where.get("consumers") else ()))
            self._images_ready(engine, wanted, releases)
            with engine_errors():
                containers.check_free(engine)
        self.write(flavor, password, sentinel_auth, ssh, engine, servers, image, **where)
        if engine:
            self._save({**self.state(), "service_image": service_image, "host_images": per_host})
        try:
            seconds = self.start(timeout)
            self.snapshot()   # what `reset` puts back
            return seconds
        except BaseException:
            self.down()
            raise

    # -- status / down -----------------------------------------------------------
    def processes(self) -> list[tuple[Process, bool]]:
        return [(Process(**p), is_ours(p["pid"], p["config"])) for p in self.state()["processes"]]

    def down(self) -> list[str]:
        """Stop what ``up`` started, remove what it created. Returns the stopped names."""
        state = self.state()
        stopped = self._stop_containers(state) + processes.stop(state["processes"]) + self._stop_compose(state)
        if state.get("netns"):
            netns.delete(state["netns"])
        for path in reversed(state["files"]):
            Path(path).unlink(missing_ok=True)
        shutil.rmtree(self.state_dir, ignore_errors=True)  # ours alone: configs, logs, data
        for path in sorted((Path(d) for d in state["dirs"]), key=lambda p: len(p.parts), reverse=True):
            processes.rmdir_if_empty(path)
        if state.get("created_root"):
            processes.rmdir_if_empty(self.root)
        network.release(Layout.from_state(state), self.root)
        return stopped
