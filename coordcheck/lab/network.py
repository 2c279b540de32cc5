"""A lab's addresses: a /24 of its own, picked free and claimed atomically
across processes, so that several labs run side by side.

A claim is a file created with O_EXCL under the runtime folder
(``$COORDCHECK_RUNTIME_DIR``, else /run/coordcheck, else /tmp/coordcheck-UID)
naming the lab's folder and the claiming pid. ``down`` removes it; a claim
whose lab is gone (no state.json naming that range) and whose pid is dead is
stale and taken over.

    layout = claim(root, controllers=12, backends=3)   # 127.0.2.110-121, or the next free /24
    layout.hosts["ctl1"], layout.backends              # '127.0.2.110', ['ctl1', 'ctl2', 'ctl3']
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import os
import subprocess
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from coordcheck import kolla
from coordcheck.lab.errors import DeploymentError
from coordcheck.lab.kolla_files import SSH_PORT
from coordcheck.lab.processes import accepts, alive

#: the incident's 10.0.2.110-112 on loopback: tried first
DEFAULT_NETWORK = "127.0.2.0/24"
#: where --netns labs live: RFC 2544's range for network tests (loopback
#: addresses cannot cross a veth: the kernel treats 127/8 as local everywhere)
NETNS_NETWORKS = "198.18.0.0/15"
FIRST_HOST = 110
MAX_HOSTS = 250


@dataclass
class Layout:
    """Where a lab's hosts are: ``hosts`` ctl1..ctlN -> address; the first
    ``backends`` hosts run a data node and a sentinel, as in Kolla's multinode."""

    network: str
    hosts: dict[str, str]
    backends: list[str]
    netns: bool = False
    claim: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def master(self) -> str:
        return self.backends[0]

    def to_state(self) -> dict:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict) -> "Layout":
        if "layout" in state:
            return cls(**state["layout"])
        from coordcheck.lab.templates import HOSTS  # a state written before layouts
        return cls(DEFAULT_NETWORK, dict(HOSTS), list(HOSTS))


def addresses(network: str, controllers: int) -> dict[str, str]:
    """ctl1..ctlN in ``network``: from .110 (as the incident) when they fit, else from .1."""
    net = ipaddress.ip_network(network)
    usable = net.num_addresses - 2
    if controllers > min(usable, MAX_HOSTS):
        raise DeploymentError(f"--controllers {controllers}: {network} holds at most {min(usable, MAX_HOSTS)} hosts")
    first = FIRST_HOST if FIRST_HOST + controllers - 1 <= min(usable, 253) else 1
    return {f"ctl{k}": str(net[first + k - 1]) for k in range(1, controllers + 1)}


def parse_network(text: str, netns: bool) -> str:
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise DeploymentError(f"--network {text!r}: not an IPv4 network such as 127.0.7.0/24") from None
    if net.version != 4 or not 16 <= net.prefixlen <= 24:
        raise DeploymentError(f"--network {text}: give an IPv4 network from /16 to /24, such as 127.0.7.0/24")
    if netns and net.is_loopback:
        raise DeploymentError(f"--network {text}: with --netns the hosts need addresses that can cross a veth "
                              f"(loopback cannot); e.g. 198.18.7.0/24")
    if not netns and not net.is_loopback:
        raise DeploymentError(f"--network {text}: without --netns the lab lives on loopback (127.0.0.0/8)")
    if net.overlaps(ipaddress.ip_network("127.0.0.0/23")):
        raise DeploymentError(f"--network {text}: 127.0.0.x and 127.0.1.x belong to the machine")
    return str(net)


def candidates(netns: bool):
    if netns:
        yield from (str(n) for n in ipaddress.ip_network(NETNS_NETWORKS).subnets(new_prefix=24))
        return
    yield DEFAULT_NETWORK
    yield from (f"127.0.{c}.0/24" for c in range(3, 255))
    yield from (f"127.{b}.{c}.0/24" for b in range(1, 255) for c in range(256))


def runtime_dir() -> Path:
    given = os.environ.get("COORDCHECK_RUNTIME_DIR")
    if given:
        return Path(given)
    run = Path("/run")
    return run / "coordcheck" if os.access(run, os.W_OK) else Path(f"/tmp/coordcheck-{os.getuid()}")


def _claim_file(network: str) -> Path:
    return runtime_dir() / "ranges" / (network.replace("/", "_") + ".json")


def _stale(path: Path) -> bool:
    try:
        owner = json.loads(path.read_text())
    except (OSError, ValueError):
        return True
    if alive(int(owner.get("pid", 0))):
        return False
    try:
        state = json.loads((Path(owner["root"]) / ".coordcheck" / "state.json").read_text())
        return state.get("layout", {}).get("claim") != str(path)
    except (OSError, ValueError, KeyError, AttributeError):
        return True


def _in_use(network: str, hosts: dict[str, str], netns: bool) -> str | None:
    """Why ``network`` is not free on this machine (None when it is)."""
    net = ipaddress.ip_network(network)
    if netns:
        listed = subprocess.run(["ip", "-4", "-o", "route", "show", "table", "all"], capture_output=True,
                                text=True, timeout=10).stdout
        for line in listed.splitlines():
            word = line.split()[1] if line.startswith(("local", "broadcast", "unicast", "blackhole")) else line.split()[0]
            try:
                if word != "default" and ipaddress.ip_network(word, strict=False).overlaps(net):
                    return f"{network} is routed on this machine ({line.strip()})"
            except ValueError:
                continue
        return None
    for ip in hosts.values():
        for port in (kolla.DATA_PORT, kolla.SENTINEL_PORT, SSH_PORT):
            if accepts(ip, port):
                return f"{ip}:{port} is already in use (another deployment? `coordcheck down --dir DIR`)"
    return None


@contextlib.contextmanager
def reserved(network: str, netns: bool = False):
    """While held, labs that pick any free range pass ``network`` by; a lab
    that names it still gets it (the compose file's fixed range, kept for it)."""
    folder = runtime_dir() / "ranges"
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f"{_claim_file(parse_network(network, netns)).stem}.wanted.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    marker.write_text(json.dumps({"pid": os.getpid()}))
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def _reserved_ranges() -> set[str]:
    """The claim-file stems of the ranges a live process reserves (markers of dead ones removed)."""
    live = set()
    for marker in (runtime_dir() / "ranges").glob("*.wanted.*"):
        try:
            if alive(int(json.loads(marker.read_text()).get("pid", 0))):
                live.add(marker.name.split(".wanted.")[0])
                continue
        except (OSError, ValueError, AttributeError):
            pass
        marker.unlink(missing_ok=True)   # its process is gone
    return live


def claim(root: Path, controllers: int = 3, backends: int = 3, network: str | None = None,
          netns: bool = False, wait: float = 0) -> Layout:
    """The lab's layout on ``network`` (or the first free range), claimed for ``root``.

    With ``wait``, a named ``network`` held by another lab is waited for up to
    ``wait`` seconds, reserved meanwhile (labs that pick any free range pass it by).
    """
    if controllers < 1:
        raise DeploymentError("--controllers must be at least 1")
    if not 1 <= backends <= controllers:
        raise DeploymentError(f"--backends {backends}: between 1 and --controllers ({controllers}): the data nodes "
                              "and sentinels run on the first controllers, as in Kolla's multinode")
    if network:
        network = parse_network(network, netns)
    if not network or wait <= 0:
        return _claim_now(root, controllers, backends, network, netns)
    deadline = time.monotonic() + wait
    with reserved(network, netns):
        while True:  # what is left to fail is the range being taken: by a lab, or by what listens on it
            try:
                return _claim_now(root, controllers, backends, network, netns)
            except DeploymentError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def _claim_now(root: Path, controllers: int, backends: int, network: str | None, netns: bool) -> Layout:
    folder = runtime_dir() / "ranges"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held for the pick only: claims outlive it
        reserved_now = set() if network else _reserved_ranges()
        why = None
        for net in [network] if network else candidates(netns):
            hosts = addresses(net, controllers)
            path = _claim_file(net)
            if path.exists() and _stale(path):
                path.unlink(missing_ok=True)
            if path.exists():
                why = f"{net} is claimed by another lab ({path})"
                continue
            if path.stem in reserved_now:
                why = f"{net} is reserved for a lab that names it"
                continue
            why = _in_use(net, hosts, netns)
            if why:
                continue
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            with os.fdopen(fd, "w") as handle:
                json.dump({"root": str(root), "pid": os.getpid()}, handle)
            return Layout(net, hosts, list(hosts)[:backends], netns, str(path))
    raise DeploymentError(f"no free address range for the lab: {why}")


def release(layout: Layout, root: Path) -> None:
    """Remove the lab's claim (only if it is still this lab's)."""
    if not layout.claim:
        return
    path = Path(layout.claim)
    try:
        if json.loads(path.read_text()).get("root") == str(root):
            path.unlink()
    except (OSError, ValueError):
        pass
