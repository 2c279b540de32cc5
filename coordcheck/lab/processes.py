"""The lab's processes: finding binaries, starting them (in a host's network
namespace when it has one), knowing which are still ours, stopping them.

    pid = spawn(["redis-server", "server.conf"], cwd=run, netns="cc1a2b3c-ctl1")
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from coordcheck import kolla
from coordcheck.lab.errors import DeploymentError


@dataclass
class Process:
    name: str
    pid: int
    config: str


def server_binary(flavor: kolla.Flavor) -> str:
    """``valkey-server`` when asked for and installed (on PATH, or in this
    venv: `make valkey`), else ``redis-server``."""
    beside_python = os.pathsep.join([os.environ.get("PATH", ""), str(Path(sys.executable).parent)])
    for name in dict.fromkeys([flavor.server_binary, "redis-server"]):
        found = shutil.which(name, path=beside_python)
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
    found = re.search(r"v=(\d+)\.(\d+)", _version_line(binary))
    return tuple(int(x) for x in found.groups()) if found else (0, 0)


def server_name(binary: str) -> str:
    """What a server binary is, from its ``--version``: ``Valkey 9.1.2``, ``Redis 7.0.15``."""
    found = re.match(r"(\w+) server v=(\S+)", _version_line(binary))
    return f"{found.group(1)} {found.group(2)}" if found else binary


def _version_line(binary: str) -> str:
    return subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout


def spawn(command: list[str], cwd: Path, netns: str | None = None, stderr=subprocess.DEVNULL) -> int:
    """Start ``command`` in a session of its own (inside ``netns``: `ip netns
    exec` execs it, so the pid is the command's own); returns its pid."""
    if netns:
        command = ["ip", "netns", "exec", netns, *command]
    proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=stderr, start_new_session=True)
    return proc.pid


def accepts(ip: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((ip, port)) == 0


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def is_ours(pid: int, config: str) -> bool:
    """True while ``pid`` is alive and is the process started with ``config``,
    so a recycled pid is never signalled: redis servers run in that config's
    folder (they rewrite their command line), sshd names it in its title."""
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd")
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return alive(pid) and (cwd == str(Path(config).parent) or config.encode() in cmdline)


def stop(processes: list[dict]) -> list[str]:
    """SIGTERM what is ours, wait until it has exited (its ports are free
    then), SIGKILL what is still alive after 5 s; the names stopped."""
    running = [p for p in processes if is_ours(p["pid"], p["config"])]
    for proc in running:
        os.kill(proc["pid"], signal.SIGCONT)  # a paused server (coordcheck break) must hear SIGTERM
        os.kill(proc["pid"], signal.SIGTERM)
    deadline = time.monotonic() + 5
    for proc in running:
        while alive(proc["pid"]) and time.monotonic() < deadline:
            time.sleep(0.02)
        if alive(proc["pid"]):
            os.kill(proc["pid"], signal.SIGKILL)
            while alive(proc["pid"]):
                time.sleep(0.02)
    return [p["name"] for p in running]


def rmdir_if_empty(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass
