"""The container engine of a controller, driven through its testinfra host:
which service containers run, the config inside them, what they logged,
and a Python script run inside one with the script on stdin.

    engine = Engine(host, "docker")
    engine.containers()["cinder_volume"].running       # -> True
    engine.read("cinder_volume", "/etc/cinder/cinder.conf")

Kolla names: ``kolla_container_engine`` (docker or podman) picks the
command; a service's container is its name with ``_`` for ``-``
(cinder-volume -> cinder_volume), its config ``/etc/<project>/<project>.conf``.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from datetime import datetime

from coordcheck.consumers import path_in_container
from coordcheck.observe import service_logs, transport
from coordcheck.observe.service_logs import LogLine
from coordcheck.observe.transport import output_withheld

ENGINES = ("docker", "podman")
#: the engine's log of a container is read from its end, at most this many lines
ENGINE_LOG_LINES = 20000
#: docker's ps speaks Go templates line by line; podman's ``{{.State}}`` is
#: the human status ("Up 5 seconds ago"), its JSON has the state itself
PS_FORMAT = {"docker": "{{.Names}}\t{{.State}}\t{{.Image}}", "podman": "json"}


def parse_time(text: str) -> datetime | None:
    """An engine's timestamp, to the microsecond: docker's RFC 3339
    (``2026-11-24T23:17:42.112820995Z``) or podman's (``2026-11-24 23:17:42.1 +0000 UTC``).

    >>> parse_time("2026-11-24T23:17:42.112820995Z").isoformat()
    '2026-11-24T23:17:42.112820+00:00'
    """
    match = re.match(r"\s*(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?", text)
    if not match:
        return None
    day, clock, fraction = match.groups()
    return datetime.fromisoformat(f"{day}T{clock}.{(fraction or '0')[:6].ljust(6, '0')}+00:00")


def _text(output: bytes) -> str:
    """A log as text: a service may log any bytes, and a tail may cut a character in two."""
    return output.decode("utf-8", errors="replace")


def container_name(service: str) -> str:
    """Kolla's container for a service: ``cinder-volume`` -> ``cinder_volume``."""
    return service.replace("-", "_")


def config_in_container(project: str, file_name: str = "") -> str:
    """Where kolla_set_configs puts a service's rendered ``file_name``: its
    consumer's place (coordcheck/consumers.py: inspector.conf ->
    /etc/ironic-inspector/inspector.conf), else ``/etc/cinder/cinder.conf``."""
    return path_in_container(file_name or f"{project}.conf", project)


#: ``inspect`` format: the host's source of the container's /var/log/kolla (docker and podman)
LOG_MOUNT_FORMAT = '{{range .Mounts}}{{if eq .Destination "/var/log/kolla"}}{{.Source}}{{end}}{{end}}'


class EngineError(Exception):
    """The engine cannot be used on this host (missing, or no permission)."""


@dataclass
class Container:
    name: str
    state: str          # running, exited, paused, ...
    image: str

    @property
    def running(self) -> bool:
        return self.state == "running"


def parse_ps(command: str, listed: str) -> dict[str, Container]:
    """What ``<command> ps -a --format PS_FORMAT[command]`` printed, by name."""
    if command == "podman":
        rows = [(c["Names"][0], c.get("State", ""), c.get("Image", "")) for c in json.loads(listed or "[]")]
    else:
        rows = [tuple((line.split("\t") + ["", ""])[:3]) for line in listed.splitlines()]
    return {name: Container(name, str(state).lower(), image) for name, state, image in rows}


class Engine:
    def __init__(self, host, command: str = "docker") -> None:
        if command not in ENGINES:
            raise EngineError(f"kolla_container_engine is {command!r}; coordcheck knows {', '.join(ENGINES)}")
        self.host = host
        self.command = command

    def containers(self) -> dict[str, Container]:
        """Every container on the host, by name."""
        listed = self.host.run(f"{self.command} ps -a --format %s", PS_FORMAT[self.command])
        if listed.rc == 127:
            raise EngineError(f"{self.command} is not installed (kolla_container_engine says {self.command})")
        if listed.rc != 0:
            raise EngineError(f"`{self.command} ps` failed: {' '.join(listed.stderr.split())[:200]} "
                              "(the SSH user needs the engine: root, the docker group, or --sudo / ansible_become)")
        return parse_ps(self.command, listed.stdout)

    def read(self, container: str, path: str) -> str | None:
        """A file inside a container (None when it is not there); its text
        holds passwords, so testinfra logs the command without it."""
        with output_withheld(f"{container}:{path}"):
            done = self.host.run(f"{self.command} exec %s cat %s", container, path)
        return done.stdout if done.rc == 0 else None

    def started_at(self, container: str) -> datetime | None:
        """When the container last started (None if the engine does not say)."""
        done = self.host.run(f"{self.command} inspect --format %s %s", "{{.State.StartedAt}}", container)
        return parse_time(done.stdout) if done.rc == 0 else None

    def log_folder(self, container: str) -> str | None:
        """The host's folder behind /var/log/kolla in ``container``: the
        kolla_logs volume's (docker's or podman's), or a bind mount's."""
        done = self.host.run(f"{self.command} inspect --format %s %s", LOG_MOUNT_FORMAT, container)
        return (done.stdout.strip() or None) if done.rc == 0 else None

    def _log_files(self, container: str, project: str, service: str, running: bool):
        """FILES_SCRIPT's run, and where it read: inside the running container,
        else on the host in the container's log folder; (None, "") when it has none."""
        if running:
            return (self.host.run(f"{self.command} exec %s sh -c %s sh %s %s %s", container, service_logs.FILES_SCRIPT,
                                  service_logs.LOG_ROOT, project, service),
                    f"{service_logs.LOG_ROOT}/{project} inside {container}")
        folder = self.log_folder(container)
        if folder is None:
            return None, ""
        return (self.host.run("sh -c %s sh %s %s %s", service_logs.FILES_SCRIPT, folder, project, service),
                f"{folder}/{project} on the host")

    def logs(self, container: str, project: str, service: str, since: str, running: bool = True) -> list[LogLine]:
        """What the container logged since ``since`` and its last start (what it
        logged before a restart, say before `kolla-ansible reconfigure` fixed its
        config, is history): its log files under /var/log/kolla/<project>/, read
        inside it (or, when it is not running, in its kolla_logs volume on the
        host), and ``docker logs`` (kolla_start's output)."""
        started = self.started_at(container)
        with output_withheld(f"logs of {container}"):
            done = self.host.run(f"{self.command} logs --timestamps --since %s --tail %s %s 2>&1",
                                 since, str(ENGINE_LOG_LINES), container)
            files, where = self._log_files(container, project, service, running)
        engine_log, file_logs = _text(done.stdout_bytes), _text(files.stdout_bytes) if files else ""
        if done.rc != 0:
            raise EngineError(f"`{self.command} logs {container}` failed: {' '.join(engine_log.split())[:200]}")
        if files is not None and files.rc != 0:
            raise EngineError(f"cannot read {where}: "
                              f"{' '.join((_text(files.stderr_bytes) or file_logs).split())[:200]}")
        engine_lines = []
        for line in engine_log.splitlines():
            stamp, _, text = line.partition(" ")
            when = parse_time(stamp)
            if when is not None:
                engine_lines.append(LogLine(when, text, f"{self.command} logs"))
        now = service_logs.container_now(file_logs)
        first = max(filter(None, (started, service_logs.cutoff(since, now) if now else None)), default=None)
        return [line for line in service_logs.from_files(file_logs) + engine_lines
                if first is None or line.when >= first]

    def python(self, container: str, script: str, deadline: float) -> transport.Result:
        """Run ``script`` with the container's own ``python3``, killed inside
        the container at ``deadline`` s (coreutils timeout) and here soon after.
        Python writes no bytecode there: the container is only read."""
        python, seconds = transport.python_killed_after(deadline)
        command = (f"{self.command} exec -i -e PYTHONDONTWRITEBYTECODE=1 {shlex.quote(container)} "
                   f"{shlex.join(python)}")
        return transport.run(self.host, command, script, timeout=seconds + 5)
