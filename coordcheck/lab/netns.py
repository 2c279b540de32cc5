"""Per-host network namespaces (`coordcheck up --netns`, root only): each
host's address lives in a namespace of its own, joined by veth pairs to one
bridge whose address (.254) is the runner's way in. Nothing leaves the
bridge: no forwarding, no NAT. ``down`` deletes namespaces, veths and bridge.

    names = plan("1a2b3c4d", layout.hosts)
    create(names, layout)             # ip netns cc1a2b3c4d-ctl1 ..., bridge ccb1a2b3c4d
    partition(names, "ctl2", "127.0.5.112", 26379)   # ctl2 alone cannot reach that port
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess

from coordcheck.lab.errors import DeploymentError

GATEWAY = 254


def available() -> str | None:
    """Why namespaces cannot be made here (None when they can)."""
    if os.geteuid() != 0:
        return "--netns needs root (it creates network namespaces, veth pairs and a bridge)"
    if not shutil.which("ip"):
        return "--netns needs iproute2's `ip` (apt-get install iproute2)"
    return None


def plan(lab_id: str, hosts: dict[str, str]) -> dict:
    """The names of everything the lab's namespaces need (recorded before creation)."""
    return {"bridge": f"ccb{lab_id}", "namespaces": {h: f"cc{lab_id}-{h}" for h in hosts},
            "veths": {h: f"cc{lab_id}v{k}" for k, h in enumerate(hosts, 1)}}


def _ip(*args: str, batch: list[str] | None = None, check: bool = True) -> None:
    command = ["ip", *args] + (["-batch", "-"] if batch is not None else [])
    done = subprocess.run(command, input="\n".join(batch or []) + "\n", capture_output=True, text=True, timeout=60)
    if check and done.returncode != 0:
        raise DeploymentError(f"ip {' '.join(args)} failed: {' '.join(done.stderr.split())[-300:]}")


def gateway(network: str) -> str:
    """The bridge's address: the runner's vantage point on the lab's network."""
    return str(ipaddress.ip_network(network)[GATEWAY])


def create(names: dict, network: str, hosts: dict[str, str]) -> None:
    """Bridge, then one namespace per host with its address on eth0 and lo up."""
    prefix = ipaddress.ip_network(network).prefixlen
    bridge = names["bridge"]
    root = [f"link add {bridge} type bridge", f"addr add {gateway(network)}/{prefix} dev {bridge}",
            f"link set {bridge} up"]
    for host in hosts:
        ns, veth = names["namespaces"][host], names["veths"][host]
        root += [f"netns add {ns}", f"link add {veth} type veth peer name {veth}p", f"link set {veth}p netns {ns}",
                 f"link set {veth} master {bridge}", f"link set {veth} up"]
    _ip(batch=root)
    for host, ip in hosts.items():
        ns, veth = names["namespaces"][host], names["veths"][host]
        _ip("-n", ns, batch=[f"link set {veth}p name eth0", f"addr add {ip}/{prefix} dev eth0",
                             "link set eth0 up", "link set lo up"])


def delete(names: dict) -> list[str]:
    """Delete what `create` made (what exists of it); the names removed."""
    existing = set(subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split())
    gone = [ns for ns in names["namespaces"].values() if ns in existing]
    batch = [f"netns delete {ns}" for ns in gone]  # takes its veth end, and so the pair
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    present = {line.split(":")[1].strip().split("@")[0] for line in links.splitlines() if ":" in line}
    batch += [f"link delete {v}" for v in names["veths"].values() if v in present]
    if names["bridge"] in present:
        batch.append(f"link delete {names['bridge']}")
        gone.append(names["bridge"])
    if batch:
        _ip("-force", batch=batch, check=False)
    return gone


def partition(names: dict, host: str, ip: str, port: int) -> None:
    """``host`` can no longer open TCP to ``ip:port``; every other host still can."""
    _ip("-n", names["namespaces"][host], "rule", "add", "to", f"{ip}/32", "ipproto", "tcp", "dport", str(port),
        "blackhole")


def unpartition(names: dict, host: str, ip: str, port: int) -> None:
    """Lift what `partition` set (nothing when it is gone already)."""
    _ip("-n", names["namespaces"][host], "rule", "del", "to", f"{ip}/32", "ipproto", "tcp", "dport", str(port),
        "blackhole", check=False)


def leftovers(lab_id: str) -> list[str]:
    """Namespaces and links of lab ``lab_id`` that still exist (for tests)."""
    found = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    return [w for w in found if w.startswith(f"cc{lab_id}-")] + [
        line.split(":")[1].strip() for line in links.splitlines()
        if ":" in line and line.split(":")[1].strip().startswith((f"cc{lab_id}v", f"ccb{lab_id}"))]
