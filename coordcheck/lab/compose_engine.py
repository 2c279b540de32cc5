"""The local deployment's data nodes and sentinels as Compose services
(`coordcheck up --engine compose`), from docker-compose.sentinel.yml
(`coordcheck.lab.compose`): Compose v2 (`docker compose`) when the Docker CLI has
it, else Compose v1 (`docker-compose`).

    compose(root, root / ".coordcheck/docker-compose.sentinel.yml", {"COORDCHECK_PASSWORD": "..."}, "up", "-d")
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from coordcheck.lab import compose as files
from coordcheck.lab import tools
from coordcheck.lab.containers import labelled
from coordcheck.lab.tools import ToolError

PROJECT_PREFIX = "coordcheck"


class ComposeError(ToolError):
    """No Compose to run the file with; one line."""


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
    return tools.run([*command(), "-f", str(file), "-p", project(root), *args], f"compose {args[0]}", timeout,
                     env={**os.environ, **env}).stdout


def signal(root: Path, host: str, kind: str, signum: int) -> None:
    """Send a signal to the server or sentinel of a host (its PID 1)."""
    name = files.container(host, kind, project(root))
    tools.run(["docker", "kill", f"--signal={signum}", name], f"docker kill {name}", timeout=30)


def states(root: Path) -> dict[str, str]:
    """The project's containers: name -> state."""
    return labelled("docker", f"com.docker.compose.project={project(root)}")
