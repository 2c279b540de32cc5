"""The local deployment's data nodes and sentinels as Compose services
(`coordcheck up --engine compose`), from docker-compose.sentinel.yml
(`coordcheck.compose`): Compose v2 (`docker compose`) when the Docker CLI has
it, else Compose v1 (`docker-compose`).

    compose(root, root / ".coordcheck/docker-compose.sentinel.yml", {"COORDCHECK_PASSWORD": "..."}, "up", "-d")
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from coordcheck import compose as files
from coordcheck.templates import HOSTS

PROJECT_PREFIX = "coordcheck"


class ComposeError(Exception):
    """Compose or the engine refused; one line."""


def command() -> list[str]:
    """``docker compose`` (v2) if the CLI has it, else ``docker-compose`` (v1)."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True,
                                                 timeout=30).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise ComposeError("neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)")


def project(root: Path) -> str:
    """One Compose project per deployment folder."""
    return f"{PROJECT_PREFIX}-{hashlib.sha1(str(root).encode()).hexdigest()[:10]}"


def compose(root: Path, file: Path, env: dict[str, str], *args: str, timeout: float = 180) -> str:
    full = [*command(), "-f", str(file), "-p", project(root), *args]
    try:
        done = subprocess.run(full, capture_output=True, text=True, timeout=timeout, env={**os.environ, **env})
    except subprocess.TimeoutExpired:
        raise ComposeError(f"`{' '.join(full[:2])} {args[0]}` did not finish within {timeout:g} s") from None
    if done.returncode != 0:
        raise ComposeError(f"compose {args[0]} failed: {' '.join(done.stderr.split())[-300:]}")
    return done.stdout


def signal(host: str, kind: str, signum: int) -> None:
    """Send a signal to the server or sentinel of a host (its PID 1)."""
    name = files.container(host, kind)
    done = subprocess.run(["docker", "kill", f"--signal={signum}", name], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise ComposeError(f"docker kill {name} failed: {' '.join(done.stderr.split())[:200]}")


def states(root: Path) -> dict[str, str]:
    """The project's containers: name -> state."""
    done = subprocess.run(["docker", "ps", "-a", "--filter", f"label=com.docker.compose.project={project(root)}",
                           "--format", "{{.Names}} {{.State}}"], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise ComposeError(f"docker ps failed: {' '.join(done.stderr.split())[:200]}")
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


def services(kind: str) -> list[str]:
    return [f"{host}-{kind}" for host in HOSTS]
