"""A small Kolla deployment on loopback: 3 data nodes and 3 sentinels,
authenticated like the incident, plus the Kolla files that describe it.

    $ coordcheck up --dir /tmp/kolla     # returns when all sentinels agree
    $ coordcheck repro --dir /tmp/kolla  # the incident's URL, no sentinel_password
    $ coordcheck down --dir /tmp/kolla

Layout of DIR (everything created is recorded in DIR/.coordcheck/state.json,
so ``down`` removes exactly that and nothing else):

    multinode  passwords.yml  globals.yml
    ctl1/cinder-volume/cinder.conf ...     node_config_directory of ctl1
    .coordcheck/ctl1/{server,sentinel}.conf, logs, data
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import re
import secrets as random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import redis
import yaml

from coordcheck import kolla
from coordcheck.lab import compose
from coordcheck.lab import images
from coordcheck.lab import compose_engine as local_compose
from coordcheck.kolla import variables
from coordcheck.lab import containers
from coordcheck.observe.probe import Address, observe_node, observe_sentinel
from coordcheck.observe.probe import client as probe_client
from coordcheck.secrets import Secret
from coordcheck.lab.templates import HOSTS, MASTER_HOST, sentinel_config, server_config
from coordcheck.lab.tools import ToolError
from coordcheck.url import URLError, with_sentinel_password
from coordcheck.url import parse as parse_url

SSH_PORT = 2222
AGREEMENT_TIMEOUT = 15.0
STATE_DIR = ".coordcheck"


class DeploymentError(Exception):
    """`coordcheck up/down/...` cannot do what was asked; one line."""


#: the longest password `up` takes (Kolla generates 40 characters)
PASSWORD_MAX = 4096
#: how much of a password file is read: its first line is the password
PASSWORD_FILE_MAX = 64 * 1024
#: characters a --dir may not hold: the lab writes the path unquoted into the
#: Ansible inventory (INI: whitespace splits, '#' starts a comment, Jinja
#: templates '{{ }}') and into the servers' configs
DIR_UNSAFE = "\"'\\#{}"
#: filesystems of the kernel: no place for a deployment's files
KERNEL_FILESYSTEMS = frozenset({"proc", "sysfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs",
                                "securityfs", "bpf", "configfs", "pstore", "efivarfs", "fusectl", "mqueue"})


def password_problem(password: str, flavor: kolla.Flavor | None = None) -> str | None:
    """Why the deployment cannot use ``password`` (None when it can), in
    words that never quote it.

    The password goes where Kolla puts it: as written in backend_url's
    ``user:password`` part (tooz does not percent-decode it), percent-encoded
    in ``sentinel_password`` (tooz decodes query values: ``+`` would be a
    space), into passwords.yml and, unquoted, into the servers' configs
    (Sentinel rewrites ``auth-pass`` unquoted anyway). Characters that cannot
    survive these are refused; everything else is written and read back the
    way tooz and the checklist read it.

    >>> password_problem("p@ss:w%rd+&=;ü"), password_problem("a/b")[:30]
    (None, "the password holds '/', '?' or")
    """
    if not password:
        return "the password is empty (leave the password out for a random one)"
    if len(password) > PASSWORD_MAX:
        return f"the password is longer than {PASSWORD_MAX} characters"
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return "the password is not valid UTF-8 text"
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in password):
        return "the password holds a control character or a line break, which no line of a config file can carry"
    if any(c in "/?#" for c in password):
        return ("the password holds '/', '?' or '#': in backend_url's user:password part they end the address, "
                "and tooz does not percent-decode that part, so no spelling of the password reaches the servers")
    if any(c in "[]" for c in password):
        return ("the password holds '[' or ']': in backend_url's user:password part the URL parser tooz uses "
                "takes them for an IPv6 address and rejects the URL")
    folded = unicodedata.normalize("NFKC", "".join(c for c in password if c not in "@:"))
    if folded != password and any(c in folded for c in "/?#@:[]"):
        return ("the password holds a character that Unicode NFKC turns into one of / ? # @ : [ ], which "
                "the URL parser tooz uses rejects in backend_url's user:password part")
    if any(c in " \"'" for c in password):
        return ("the password holds a space or a quote: Redis Sentinel writes `sentinel auth-pass` back into its "
                "config unquoted (CONFIG REWRITE), and a sentinel could then not start again")
    return _round_trip_problem(password, flavor or kolla.FLAVORS["redis"])


def _round_trip_problem(password: str, flavor: kolla.Flavor) -> str | None:
    """Write ``password`` as `LocalDeployment.write` does (passwords.yml; the
    incident's and the fixed backend_url in a service config) and read it
    back as the checklist and tooz do; what differs, or None."""
    secret = Secret(password)
    key = flavor.password_key
    if yaml.safe_load(yaml.safe_dump({key: password})) != {key: password}:
        return "passwords.yml cannot hold the password (YAML does not read it back the same)"
    incident = kolla.connection_string(flavor, list(HOSTS.values()), secret).reveal()
    fixed = with_sentinel_password(incident, secret)  # what LocalDeployment.fixed_url writes
    for text, sentinel_password in ((incident, None), (fixed, password)):
        try:
            written = kolla.backend_url_of(service_config_text(Secret(text, by_value=False)), "service config")
            url = parse_url(written or "")
        except (kolla.KollaError, URLError):
            return "backend_url written with the password is not a URL tooz can parse"
        read_back = url.sentinel_password.reveal() if url.sentinel_password else None
        if ((url.password.reveal() if url.password else None) != password or read_back != sentinel_password
                or (url.host, url.port) != (HOSTS[MASTER_HOST], kolla.SENTINEL_PORT)):
            return "tooz would read another password or address from backend_url written with the password"
    return None


def read_password_file(path: str | Path) -> str:
    """The password in a file: its first line without surrounding whitespace
    (as Ansible reads a vault password file), at most `PASSWORD_FILE_MAX`
    bytes read; `DeploymentError` (one line) when missing, empty or binary."""
    what = f"password file {path}"
    try:
        with open(path, "rb") as handle:
            data = handle.read(PASSWORD_FILE_MAX + 1)
    except FileNotFoundError:
        raise DeploymentError(f"{what} does not exist") from None
    except IsADirectoryError:
        raise DeploymentError(f"{what} is a folder, not a file") from None
    except OSError as exc:
        raise DeploymentError(f"{what} cannot be read: {exc.strerror or exc.__class__.__name__}") from None
    first, newline, _ = data.partition(b"\n")
    if b"\0" in first:
        raise DeploymentError(f"{what} is binary (it holds NUL bytes), not a password")
    if not newline and len(data) > PASSWORD_FILE_MAX:
        raise DeploymentError(f"{what}: its first line is longer than {PASSWORD_FILE_MAX // 1024} KiB")
    try:
        text = first.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise DeploymentError(f"{what} is not UTF-8 text") from None
    if not text:
        raise DeploymentError(f"{what} is empty (the password is its first line)")
    return text


def _shown(path: str | Path) -> str:
    """A path as one printable word (repr when it holds control characters)."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def _filesystem(path: Path) -> str | None:
    """The filesystem type of the mount that holds ``path`` (Linux), or None."""
    try:
        mounts = Path("/proc/self/mounts").read_text()[:1_000_000]
    except OSError:
        return None
    best, kind = "", None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (str(path) == point or str(path).startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def usable_root(text: str | Path) -> Path:
    """The folder ``--dir`` names, absolute, once it is sure that `up` can
    create it (or write into it): `DeploymentError` otherwise, before
    anything is written. Nothing stays behind from the check."""
    if not str(text).strip():
        raise DeploymentError("--dir is empty: name the deployment's folder")
    try:
        root = Path(text).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        raise DeploymentError(f"--dir {_shown(text)} cannot be resolved: {getattr(exc, 'strerror', None) or exc}") from None
    if any(c.isspace() or c in DIR_UNSAFE or unicodedata.category(c) == "Cc" for c in str(root)):
        raise DeploymentError(f"--dir {_shown(root)}: the path holds a space, a quote, a backslash, '#', '{{' or '}}', "
                              "which the Ansible inventory and the servers' configs cannot carry unquoted")
    try:
        existing = root
        while not existing.exists():
            existing = existing.parent
        kind = _filesystem(existing)
        if kind in KERNEL_FILESYSTEMS:
            raise DeploymentError(f"--dir {_shown(root)} is on the kernel's {kind} filesystem: not a place for files")
        if not existing.is_dir():
            where = "exists and is not a folder" if existing == root else f"cannot be created: {_shown(existing)} is not a folder"
            raise DeploymentError(f"--dir {_shown(root)} {where}")
        os.rmdir(tempfile.mkdtemp(prefix=".coordcheck-", dir=existing))  # can we create a folder there?
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise DeploymentError(f"--dir {_shown(root)} cannot be created or written: {reason}") from None
    return root


@dataclass
class Process:
    name: str
    pid: int
    config: str


def server_binary(flavor: kolla.Flavor) -> str:
    """``valkey-server`` when asked for and installed, else ``redis-server``."""
    for name in dict.fromkeys([flavor.server_binary, "redis-server"]):
        found = shutil.which(name)
        if found:
            return found
    raise DeploymentError(
        f"{flavor.server_binary} not found on PATH: install it with "
        f"`apt-get install {kolla.FLAVORS['redis'].debian_packages}`")


def ssh_tool(name: str) -> str:
    """The path of an OpenSSH program (sshd lives in /usr/sbin, often off PATH)."""
    found = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)
    if found is None:
        raise DeploymentError(f"{name} not found: install it with `apt-get install openssh-server openssh-client`")
    return found


def binary_version(binary: str) -> tuple[int, ...]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    found = re.search(r"v=(\d+)\.(\d+)", out)
    return tuple(int(x) for x in found.groups()) if found else (0, 0)


def inventory_text(flavor: kolla.Flavor, root: Path, ssh: Path | None = None,
                   placement: dict[str, str] | None = None) -> str:
    """``ssh``: the folder of the deployment's sshd, whose key reaches the hosts;
    ``placement``: host -> the one service it runs (containers), else every
    service on every host."""
    def connection(ip: str) -> str:
        if ssh is None:
            return "ansible_connection=local"
        options = (f"-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "
                   f"-o ControlMaster=auto -o ControlPersist=30 -o ControlPath={ssh}/cm-%h")
        return (f"ansible_connection=ssh ansible_host={ip} ansible_port={SSH_PORT} ansible_user={getpass.getuser()} "
                f"ansible_ssh_private_key_file={ssh / 'id_ed25519'} ansible_ssh_common_args='{options}'")

    hosts = "\n".join(
        f"{h} {connection(ip)} api_interface_address={ip} node_config_directory={root / h}"
        for h, ip in HOSTS.items())
    groups = [flavor.group] + ([] if placement else [s.service for s in kolla.LOCAL_SERVICES])
    children = "\n".join(f"\n[{g}:children]\ncontrol" for g in groups)
    placed = "".join(f"\n[{service}]\n{host}\n" for host, service in (placement or {}).items())
    return f"# coordcheck local deployment ({flavor.name})\n[control]\n{hosts}\n{children}\n{placed}"


def sshd_config(folder: Path) -> str:
    """One sshd listening on every host's address, key login only."""
    listen = "".join(f"ListenAddress {ip}\n" for ip in HOSTS.values())
    return (f"Port {SSH_PORT}\n{listen}HostKey {folder / 'host_ed25519'}\n"
            f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / 'sshd.pid'}\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "UsePAM no\nStrictModes no\nPrintMotd no\n")


def service_config_text(url: Secret) -> str:
    return (f"[DEFAULT]\ndebug = False\n\n[coordination]\nbackend_url = {url.reveal()}\n")


class LocalDeployment:
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

    def flavor(self) -> kolla.Flavor:
        return kolla.FLAVORS[self.state()["flavor"]]

    def password(self) -> Secret:
        flavor = self.flavor()
        return kolla.master_password(variables.load_mapping(self.passwords, "passwords file", secret=True), flavor, self.passwords)

    def placement(self) -> list[tuple[str, kolla.CoordinationService]]:
        """(host, service) pairs: one per host with containers, else all."""
        if self.state().get("engine"):
            return [(h, containers.service(s)) for h, s in containers.PLACEMENT.items()]
        return [(h, s) for h in HOSTS for s in kolla.LOCAL_SERVICES]

    def service_config_paths(self) -> list[Path]:
        return [self.root / h / s.service / s.config_name for h, s in self.placement()]

    # -- up ------------------------------------------------------------------
    def write(self, flavor: kolla.Flavor, password: Secret | None, sentinel_auth: bool, ssh: bool = False,
              engine: str | None = None, servers: str = "processes", image: str | None = None) -> dict:
        """Write the Kolla files and server configs (random password by
        default); start nothing. ``ssh``: the hosts are reached over SSH
        (an sshd of the deployment's own, key login) instead of locally.
        ``engine`` (docker or podman): the services run in containers of
        that engine (`coordcheck.local_containers`), else as no process at all
        (their configs are there; the checklist's container checks are off).
        ``servers="compose"``: the data nodes and sentinels run from
        docker-compose.sentinel.yml (``image``), not as processes."""
        if password is None:
            password = Secret(random.token_hex(16))
        else:
            problem = password_problem(password.reveal(), flavor)
            if problem:
                raise DeploymentError(problem)
        if self.state_file.exists():
            raise DeploymentError(f"{self.root} already holds a coordcheck deployment (run `coordcheck down --dir {self.root}` first)")
        created_root = not self.root.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        self.state_dir.mkdir()
        state = {"flavor": flavor.name, "sentinel_auth": sentinel_auth, "created_root": created_root,
                 "files": [], "dirs": [str(self.state_dir)], "processes": [], "ssh": ssh,
                 "engine": engine, "servers": servers, "image": image}
        if servers != "compose":
            binary = server_binary(flavor)
            bind_source = binary_version(binary) >= (7, 0)
            state["binary"] = binary

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
            put(self.compose_file, compose.text(sentinel_auth), 0o644)
        else:
            master_ip = HOSTS[MASTER_HOST]
            for host, ip in HOSTS.items():
                run = self.state_dir / host
                replica_of = None if host == MASTER_HOST else master_ip
                put(run / "server.conf", server_config(ip, run, password, replica_of, bind_source), 0o600)
                put(run / "sentinel.conf", sentinel_config(ip, master_ip, run, password, sentinel_auth, bind_source), 0o600)
        if ssh:
            self._write_ssh(put)
        put(self.inventory, inventory_text(flavor, self.root, self.ssh_dir if ssh else None,
                                           containers.PLACEMENT if engine else None))
        put(self.passwords, yaml.safe_dump({flavor.password_key: password.reveal()}), 0o600)
        put(self.root / "globals.yml", yaml.safe_dump({
            flavor.enable_key: "yes", "kolla_base_distro": "debian", "kolla_container_engine": engine or "docker",
            "coordcheck_service_containers": "yes" if engine else "no"}))
        self._save(state)  # placement() reads the engine from it
        url = self.fixed_url(flavor, password)
        for host, svc in self.placement():
            put(self.root / host / svc.service / svc.config_name, service_config_text(url), 0o600)
            if engine:
                put(self.root / host / svc.service / "config.json", containers.config_json(svc), 0o600)
        self._save(state)
        return state

    @property
    def ssh_dir(self) -> Path:
        return self.state_dir / "ssh"

    def _write_ssh(self, put) -> None:
        """A client key, a host key and an sshd config in .coordcheck/ssh."""
        for tool in ("sshd", "ssh"):
            ssh_tool(tool)
        self.ssh_dir.mkdir(mode=0o700)
        for key in ("id_ed25519", "host_ed25519"):
            subprocess.run([ssh_tool("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-C", "coordcheck", "-f",
                            str(self.ssh_dir / key)], check=True, capture_output=True, timeout=30)
        put(self.ssh_dir / "authorized_keys", (self.ssh_dir / "id_ed25519.pub").read_text(), 0o600)
        put(self.ssh_dir / "sshd_config", sshd_config(self.ssh_dir), 0o600)

    def fixed_url(self, flavor: kolla.Flavor, password: Secret) -> Secret:
        broken = kolla.connection_string(flavor, list(HOSTS.values()), password)
        return Secret(with_sentinel_password(broken.reveal(), password), by_value=False)

    def up(self, flavor: kolla.Flavor, password: Secret | None = None, sentinel_auth: bool = True,
           timeout: float = AGREEMENT_TIMEOUT, ssh: bool = False, engine: str | None = None,
           servers: str = "processes", image: str | None = None) -> float:
        """Write and start; returns the seconds until all sentinels agreed
        (and the service containers started). On failure nothing is left behind."""
        if servers == "compose":
            with engine_errors():
                local_compose.command()
            if image == images.SERVER:
                self._images_ready("docker", (images.BASE, images.SERVER))
        else:
            server_binary(flavor)
        self._check_ports_free(ssh)
        if engine:
            self._images_ready(engine, images.SERVICE)
            with engine_errors():
                containers.check_free(engine)
        self.write(flavor, password, sentinel_auth, ssh, engine, servers, image)
        try:
            return self.start(timeout)
        except BaseException:
            self.down()
            raise

    def start(self, timeout: float = AGREEMENT_TIMEOUT) -> float:
        """Start the written deployment and wait until all sentinels agree."""
        started = time.monotonic()
        deadline = started + timeout
        state, password = self.state(), self.password()
        self._check_ports_free(state.get("ssh", False))
        try:
            if state.get("ssh"):
                self._start_sshd(state, deadline)
            self._start(state, "server")
            self.wait_for(lambda: self.replication_lag(password), deadline)
            self._start(state, "sentinel")
            self.wait_for(lambda: self.disagreement(password), deadline)
            if state.get("engine"):
                for host, svc in self.placement():
                    self.run_container(host, svc.service, images.CURRENT)
        except BaseException:
            self._stop_containers(state)
            self._stop_processes(state)
            self._stop_compose(state)
            raise
        return time.monotonic() - started

    # -- data nodes and sentinels from docker-compose.sentinel.yml ------------------
    @property
    def compose_file(self) -> Path:
        return self.state_dir / compose.FILE_NAME

    def _compose(self, *args: str, **env: str) -> str:
        state = self.state()
        variables = {"COORDCHECK_PASSWORD": self.password().reveal(), **env}
        if state.get("image"):
            variables["SENTINEL_IMAGE"] = state["image"]
        with engine_errors():
            return local_compose.compose(self.root, self.compose_file, variables, *args)

    def _stop_compose(self, state: dict) -> list[str]:
        if state.get("servers") != "compose":
            return []
        self._compose("down", "-t", "3")
        return [compose.container(h, k) for k in ("sentinel", "server") for h in HOSTS]

    def restart_server(self, host: str, masterauth: bool = True) -> None:
        """Restart a host's data node, from its config with or without
        masterauth (a data node restarted without it cannot replicate)."""
        state = self.state()
        if state.get("servers") == "compose":
            self._compose("up", "-d", "--no-deps", "--force-recreate", f"{host}-server",
                          **{compose.masterauth_variable(host): "yes" if masterauth else "no"})
            return
        proc = next(p for p in state["processes"] if p["name"] == f"{host} server")
        self._stop_processes({"processes": [proc]})
        conf = Path(proc["config"])
        lines = [line for line in conf.read_text().splitlines() if masterauth or not line.startswith("masterauth ")]
        conf.write_text("\n".join(lines) + "\n")
        state["processes"].remove(proc)
        self._start(state, "server", hosts=[host])

    # -- service containers (`coordcheck.local_containers`) ------------------------
    @staticmethod
    def _images_ready(engine: str, wanted: tuple[str, ...]) -> None:
        with engine_errors():
            containers.ensure_images(engine, wanted)

    def run_container(self, host: str, service: str, image: str) -> str:
        """(Re)create ``service``'s container on ``host`` from ``image``."""
        with engine_errors():
            return containers.run(self.state()["engine"], self.root, host, service, image)

    def container_log(self, service: str) -> str:
        with engine_errors():
            return containers.log(self.state()["engine"], containers.container_name(service))

    def container(self, action: str, service: str) -> None:
        """``start``, ``stop`` or ``restart`` a service's container."""
        with engine_errors():
            containers.control(self.state()["engine"], action, containers.container_name(service))

    def container_status(self) -> list[tuple[str, str, str]]:
        """(host, container, engine state) of each container: the servers of
        docker-compose.sentinel.yml, then the service containers."""
        state, found = self.state(), []
        if state.get("servers") == "compose":
            with engine_errors():
                running = local_compose.states(self.root)
            found += [(h, compose.container(h, k), running.get(compose.container(h, k), "absent"))
                      for k in ("server", "sentinel") for h in HOSTS]
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

    def _check_ports_free(self, ssh: bool = False) -> None:
        for ip in HOSTS.values():
            for port in (kolla.DATA_PORT, kolla.SENTINEL_PORT) + ((SSH_PORT,) if ssh else ()):
                if accepts(ip, port):
                    raise DeploymentError(f"{ip}:{port} is already in use (another deployment? `coordcheck down --dir DIR`)")

    def _start(self, state: dict, kind: str, hosts=tuple(HOSTS)) -> None:
        """Start one ``kind`` (server or sentinel) process per host (or compose service)."""
        if state.get("servers") == "compose":
            self._compose("up", "-d", "--no-deps", *(f"{host}-{kind}" for host in hosts))
            return
        for host in hosts:
            run = self.state_dir / host
            conf = run / f"{kind}.conf"
            extra = ["--sentinel"] if kind == "sentinel" else []
            proc = subprocess.Popen([state["binary"], str(conf), *extra], cwd=run,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            state["processes"].append({"name": f"{host} {kind}", "pid": proc.pid, "config": str(conf)})
            self._save(state)

    def _start_sshd(self, state: dict, deadline: float) -> None:
        """One sshd for the three hosts; ready when every address accepts."""
        privsep = Path("/run/sshd")  # sshd refuses to start without it
        if not privsep.exists():
            privsep.mkdir(mode=0o755)
            state["dirs"].append(str(privsep))
        config = self.ssh_dir / "sshd_config"
        proc = subprocess.Popen([ssh_tool("sshd"), "-D", "-e", "-f", str(config)], cwd=self.ssh_dir, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=open(self.ssh_dir / "sshd.log", "w"),
                                start_new_session=True)
        state["processes"].append({"name": "ssh sshd", "pid": proc.pid, "config": str(config)})
        self._save(state)

        def closed() -> list[str]:
            return [f"sshd does not answer on {ip}:{SSH_PORT}" for ip in HOSTS.values() if not accepts(ip, SSH_PORT)]

        self.wait_for(closed, deadline)

    def replication_lag(self, password: Secret) -> list[str]:
        """Replicas not yet online at the master ([] when all are). Sentinels
        start after this, so their first look at the master sees every replica."""
        master = observe_node(Address(HOSTS[MASTER_HOST], kolla.DATA_PORT), password, timeout=0.5)
        online = sum(1 for k, v in master.replication.items()
                     if k.startswith("slave") and isinstance(v, dict) and v.get("state") == "online")
        expected = len(HOSTS) - 1
        return [] if online == expected else [f"master {master.address} has {online} of {expected} replicas online"]

    def disagreement(self, password: Secret) -> list[str]:
        """What keeps the sentinels from full agreement ([] when they agree)."""
        problems = []
        expected = len(HOSTS) - 1
        for ip in HOSTS.values():
            obs = observe_sentinel(Address(ip, kolla.SENTINEL_PORT), kolla.MASTER_NAME, password, timeout=0.5)
            master = obs.master or {}
            if not master:
                problems.append(f"sentinel {obs.address}: {obs.login.error or obs.master_error or 'no answer'}")
            elif master.get("flags") != "master":
                problems.append(f"sentinel {obs.address} sees the master as {master.get('flags')}")
            elif master.get("num-slaves") != expected or master.get("num-other-sentinels") != expected:
                problems.append(f"sentinel {obs.address} sees {master.get('num-slaves')} of {expected} replicas "
                                f"and {master.get('num-other-sentinels')} of {expected} other sentinels")
            elif any(r.get("flags") != "slave" for r in obs.replicas):
                problems.append(f"sentinel {obs.address} sees replicas as {[r.get('flags') for r in obs.replicas]}")
        return problems

    def wait_for(self, problems_now, deadline: float, poll: float = 0.05) -> None:
        """Poll ``problems_now()`` until it returns [] or the deadline passes."""
        while True:
            problems = problems_now()
            if not problems:
                return
            if time.monotonic() > deadline:
                raise DeploymentError(f"deployment not ready in time: {problems[0]} (logs: {self.state_dir}/*/*.log)")
            time.sleep(poll)

    # -- changes ---------------------------------------------------------------
    def write_backend_url(self, url: Secret, paths: list[Path] | None = None) -> list[Path]:
        paths = self.service_config_paths() if paths is None else paths
        for path in paths:
            path.write_text(service_config_text(url))
        return paths

    def client(self, host: str, kind: str) -> redis.Redis:
        """An authenticated client of a host's ``server`` or ``sentinel``."""
        port = kolla.SENTINEL_PORT if kind == "sentinel" else kolla.DATA_PORT
        return probe_client(Address(HOSTS[host], port), password=self.password())

    def signal(self, host: str, kind: str, signum: int) -> None:
        """Send ``signum`` to a host's ``server`` or ``sentinel`` (only ours)."""
        if self.state().get("servers") == "compose":
            with engine_errors():
                local_compose.signal(host, kind, signum)
            return
        for proc in self.state()["processes"]:
            if proc["name"] == f"{host} {kind}" and _is_ours(proc["pid"], proc["config"]):
                os.kill(proc["pid"], signum)
                return
        raise DeploymentError(f"{host} {kind} is not running")

    def incident_url(self) -> Secret:
        """The URL Kolla renders, without sentinel_password: the incident's."""
        return kolla.connection_string(self.flavor(), list(HOSTS.values()), self.password())

    def repro(self) -> list[Path]:
        """Write the incident's URL (no sentinel_password) into every service
        config (and restart the service containers, as reconfigure does)."""
        return self._reconfigure(self.incident_url())

    def fix(self) -> list[Path]:
        """Write the fixed URL (with sentinel_password) into every service config (and restart)."""
        return self._reconfigure(self.fixed_url(self.flavor(), self.password()))

    def _reconfigure(self, url: Secret) -> list[Path]:
        paths = self.write_backend_url(url)
        if self.state().get("engine"):
            for _, svc in self.placement():
                self.container("restart", svc.service)
        return paths

    # -- status / down -----------------------------------------------------------
    def processes(self) -> list[tuple[Process, bool]]:
        return [(Process(**p), _is_ours(p["pid"], p["config"])) for p in self.state()["processes"]]

    def down(self) -> list[str]:
        """Stop what ``up`` started, remove what it created. Returns the stopped names."""
        state = self.state()
        stopped = self._stop_containers(state) + self._stop_processes(state) + self._stop_compose(state)
        for path in reversed(state["files"]):
            Path(path).unlink(missing_ok=True)
        shutil.rmtree(self.state_dir, ignore_errors=True)  # ours alone: configs, logs, data
        for path in sorted((Path(d) for d in state["dirs"]), key=lambda p: len(p.parts), reverse=True):
            _rmdir_if_empty(path)
        if state.get("created_root"):
            _rmdir_if_empty(self.root)
        return stopped

    def _stop_processes(self, state: dict) -> list[str]:
        """SIGTERM what is ours, wait until it has exited (its ports are
        free then), SIGKILL what is still alive after 5 s."""
        running = [p for p in state["processes"] if _is_ours(p["pid"], p["config"])]
        for proc in running:
            os.kill(proc["pid"], signal.SIGCONT)  # a paused server (coordcheck break) must hear SIGTERM
            os.kill(proc["pid"], signal.SIGTERM)
        deadline = time.monotonic() + 5
        for proc in running:
            while _alive(proc["pid"]) and time.monotonic() < deadline:
                time.sleep(0.02)
            if _alive(proc["pid"]):
                os.kill(proc["pid"], signal.SIGKILL)
                while _alive(proc["pid"]):
                    time.sleep(0.02)
        return [p["name"] for p in running]


@contextlib.contextmanager
def engine_errors():
    """A refusal of the container engine or of Compose is a `DeploymentError` (one line)."""
    try:
        yield
    except ToolError as exc:
        raise DeploymentError(str(exc)) from None


def accepts(ip: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((ip, port)) == 0


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _is_ours(pid: int, config: str) -> bool:
    """True while ``pid`` is alive and is the process started with ``config``,
    so a recycled pid is never signalled: redis servers run in that config's
    folder (they rewrite their command line), sshd names it in its title."""
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd")
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return _alive(pid) and (cwd == str(Path(config).parent) or config.encode() in cmdline)


def _rmdir_if_empty(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass
