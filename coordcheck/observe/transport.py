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
import signal
import subprocess
import threading
from dataclasses import dataclass

from testinfra.backend.ansible import AnsibleBackend
from testinfra.backend.local import LocalBackend
from testinfra.backend.ssh import SshBackend

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


def command_line(host, command: str) -> str:
    """The local shell line that runs ``command`` on ``host``."""
    return _line(*native(host, command))


def _line(backend, remote: str) -> str:
    if isinstance(backend, SshBackend):
        ssh, args = backend._build_ssh_command(remote)  # testinfra's own ssh line, options and all
        return backend.quote(" ".join(ssh), *args)
    if isinstance(backend, LocalBackend):
        return remote
    raise TransportError(f"testinfra's {backend.NAME} connection cannot pass stdin to a command; "
                         "use ansible_connection=ssh or local")


def last_json(stdout: str) -> dict | None:
    """The last line that is a JSON object: a shipped script's result."""
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def run(host, command: str, stdin: str, timeout: float) -> Result:
    """Run ``command`` on ``host`` with ``stdin``; at ``timeout`` s the local
    end (ssh and all) is killed and ``rc`` is None."""
    backend, remote = native(host, command)
    line = _line(backend, remote)
    password = getattr(getattr(backend, "host", None), "password", None)  # sshpass puts it on the line
    LOG.debug("RUN %s (stdin withheld)", redact(line, [Secret(password)] if password else []))
    proc = subprocess.Popen(line, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        return Result(None, stdout, stderr)
    return Result(proc.returncode, stdout, stderr)


class _Withheld(logging.Filter):
    """Drops testinfra's records from the threads reading a secret-bearing
    output (a per-thread filter: hosts are observed in parallel)."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        return threading.get_ident() not in self.threads


_WITHHELD = _Withheld()


@contextlib.contextmanager
def output_withheld(what: str):
    """testinfra logs every command's output at DEBUG; a service config's
    output holds passwords, so its reading is logged without it."""
    log = logging.getLogger("testinfra")
    if _WITHHELD not in log.filters:
        log.addFilter(_WITHHELD)
    _WITHHELD.threads.add(threading.get_ident())
    try:
        yield
    finally:
        _WITHHELD.threads.discard(threading.get_ident())
    log.debug("RUN read %s (output withheld: it holds passwords)", what)
