"""Run a command on a testinfra host with text on its stdin, killed at a
deadline. testinfra's ``host.run`` has no stdin; scripts and passwords
travel this way so that they never appear on a command line, here or on
the host. The command goes through the host's own backend (its SSH
options, its sudo), so it takes the same path as every other check.

    run(host, "docker exec -i cinder_volume python3 -", script, timeout=10).stdout
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shlex
import subprocess
import threading
from dataclasses import dataclass

from testinfra.backend.ansible import AnsibleBackend
from testinfra.backend.local import LocalBackend
from testinfra.backend.ssh import SshBackend

from coordcheck import interrupt
from coordcheck.secrets import Secret, redact

LOG = logging.getLogger("coordcheck.observe.transport")


class TransportError(Exception):
    """The host's connection cannot carry stdin."""


@dataclass
class Result:
    rc: int | None          # None: killed at the deadline
    stdout: str
    stderr: str

    @property
    def timed_out(self) -> bool:
        return self.rc is None


def native(host, command: str):
    """(testinfra backend, command as it runs there, sudo included). An
    ``ansible://`` host runs, as testinfra does, through the backend its
    inventory variables name (ssh, local, ...)."""
    backend = host.backend
    remote = backend.get_command(command)
    if isinstance(backend, AnsibleBackend) and not backend.force_ansible:
        inner = backend.ansible_runner.get_host(backend.host, ssh_config=backend.ssh_config,
                                                ssh_identity_file=backend.ssh_identity_file)
        if inner is not None:
            return native(inner, remote)
    return backend, remote


def ssh_argv(backend: SshBackend, remote: str) -> list[str]:
    """The ssh command line for ``remote``, built from the ssh backend's
    public settings (its host spec, ssh_config, identity file, extra args,
    timeout and ControlMaster/ControlPersist/ControlPath): the same
    connection, reused, as every other command of the host."""
    spec, extra = backend.host, backend.ssh_extra_args or ""
    argv = ["sshpass", "-e", "ssh"] if spec.password else ["ssh"]
    argv += shlex.split(extra)
    if backend.ssh_config:
        argv += ["-F", backend.ssh_config, "-o", "StdinNull=no"]   # coordcheck's ssh_config says yes
    if spec.user:
        argv += ["-o", f"User={spec.user}"]
    if spec.port:
        argv += ["-o", f"Port={spec.port}"]
    if backend.ssh_identity_file:
        argv += ["-i", backend.ssh_identity_file]
    if "connecttimeout" not in extra.lower():
        argv += ["-o", f"ConnectTimeout={backend.timeout}"]
    if backend.controlpersist and "controlmaster" not in extra.lower():
        argv += ["-o", "ControlMaster=auto", "-o", f"ControlPersist={backend.controlpersist}s"]
        if backend.controlpath and "controlpath" not in extra.lower():
            argv += ["-o", f"ControlPath={backend.controlpath}"]
    return argv + [spec.name, remote]


def open_master(host, timeout: float = 30.0) -> None:
    """Start the host's SSH master connection now, with no pipe of ours (a
    master holds its first command's stdio open for ControlPersist seconds,
    and a caller reading it would wait that long): every later command
    (testinfra's, ours) rides on it, and it ends ControlPersist seconds
    after the last. (``ssh -fN`` would make a master that never ends.)"""
    backend, _ = native(host, "true")
    if not isinstance(backend, SshBackend):
        return
    argv = ssh_argv(backend, "true")
    env = {**os.environ, "SSHPASS": backend.host.password} if backend.host.password else None
    try:
        subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pass   # the host's own check (HOST_UNREACHABLE) says why


def _argv(backend, remote: str) -> list[str]:
    if isinstance(backend, SshBackend):
        return ssh_argv(backend, remote)
    if isinstance(backend, LocalBackend):
        return ["/bin/sh", "-c", remote]
    raise TransportError(f"testinfra's {backend.NAME} connection cannot pass stdin to a command; "
                         "use ansible_connection=ssh or local")


def command_line(host, command: str) -> str:
    """The local shell line that runs ``command`` on ``host`` (for logs)."""
    return shlex.join(_argv(*native(host, command)))


def python_killed_after(deadline: float) -> tuple[list[str], int]:
    """The command that runs a script on stdin with the far side's ``python3``,
    killed there (coreutils timeout) after ``seconds``, ``deadline`` rounded up.

    >>> python_killed_after(4.2)
    (['timeout', '-s', 'KILL', '5', 'python3', '-'], 5)
    """
    seconds = max(1, int(deadline + 0.999))
    return ["timeout", "-s", "KILL", str(seconds), "python3", "-"], seconds


def last_json(stdout: str) -> dict | None:
    """The last line that is a JSON object: a shipped script's result."""
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def run(host, command: str, stdin: str, timeout: float) -> Result:
    """Run ``command`` on ``host`` with ``stdin``; at ``timeout`` s the local
    end (ssh and all) is killed and ``rc`` is None."""
    backend, remote = native(host, command)
    argv = _argv(backend, remote)
    password = getattr(getattr(backend, "host", None), "password", None)  # sshpass -e: in its environment only
    LOG.debug("RUN %s (stdin withheld)", redact(shlex.join(argv), [Secret(password)] if password else []))
    env = {**os.environ, "SSHPASS": password} if password else None
    try:
        return Result(*interrupt.run_bounded(argv, timeout, stdin, env=env))
    except FileNotFoundError:
        return Result(127, "", f"{argv[0]}: command not found")


_WITHHELD = threading.local()


def _not_withheld(record: logging.LogRecord) -> bool:
    return not getattr(_WITHHELD, "depth", 0)


logging.getLogger("testinfra").addFilter(_not_withheld)


@contextlib.contextmanager
def output_withheld(what: str):
    """testinfra logs every command's output at DEBUG; a service config's
    output holds passwords, so its reading is logged without it. Per
    thread: hosts are observed at once."""
    _WITHHELD.depth = getattr(_WITHHELD, "depth", 0) + 1
    try:
        yield
    finally:
        _WITHHELD.depth -= 1
    logging.getLogger("testinfra").debug("RUN read %s (output withheld: it holds passwords)", what)
