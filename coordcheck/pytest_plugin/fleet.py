"""Many hosts at once: ``--forks N`` hosts observed concurrently (as
Ansible's forks), one SSH connection per host reused by every command
(ControlMaster/ControlPersist with a ControlPath, through testinfra's
``--ssh-config``), a progress line per host when a run takes a while, and
under pytest-xdist each host's tests on one worker (``--dist loadgroup``).

    pytest --hosts=controllers --inventory multinode --forks 20 [-n 2]
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest


SSH_REUSE = """# written by coordcheck: one SSH connection per host, reused by every command;
# no command reads this process's stdin (under pytest-xdist it is the worker's channel)
ControlMaster auto
ControlPath {directory}/%C
ControlPersist 60s
StdinNull yes
{include}
"""


def ssh_config(user_config: str | None, directory: str | None = None) -> str:
    """An ssh_config that reuses connections and then reads the user's own
    (``--ssh-config``, else ~/.ssh/config and the system's). In ``directory``
    (``--ssh-control-dir``: kept across runs, e.g. by ``coordcheck watch``)
    a master outlives the run by ControlPersist (testinfra's 60 s); else in a
    temporary folder, removed with its sockets."""
    if directory:
        Path(directory).mkdir(mode=0o700, parents=True, exist_ok=True)
    else:
        directory = tempfile.mkdtemp(prefix="coordcheck-ssh-")
    includes = [user_config] if user_config else [os.path.expanduser("~/.ssh/config"), "/etc/ssh/ssh_config"]
    include = "\n".join(f"Include {path}" for path in includes if Path(path).is_file())
    path = Path(directory) / "ssh_config"
    path.write_text(SSH_REUSE.format(directory=directory, include=include), encoding="utf-8")
    return str(path)


def reuse_ssh(config: pytest.Config) -> None:
    """testinfra's hosts, and a host's tests on one xdist worker (it observes that host once)."""
    if hasattr(config.option, "ssh_config") and config.getoption("inventory"):
        config.option.ssh_config = ssh_config(config.option.ssh_config, config.getoption("ssh_control_dir"))
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"


def remove_ssh_config(config: pytest.Config) -> None:
    path = getattr(config.option, "ssh_config", None)
    if path and Path(path).parent.name.startswith("coordcheck-ssh-") and Path(path).name == "ssh_config":
        shutil.rmtree(Path(path).parent, ignore_errors=True)   # its control sockets go with it


def host_of(item: pytest.Item) -> str | None:
    """The inventory name of the testinfra host a test is parametrized with (testinfra's Host)."""
    spec = getattr(getattr(item, "callspec", None), "params", {}).get("_testinfra_host")
    return spec.backend.get_hostname() if spec is not None else None


def group_by_host(items: list[pytest.Item]) -> None:
    for item in items:
        host = host_of(item)
        if host is not None:
            item.add_marker(pytest.mark.xdist_group(host))
