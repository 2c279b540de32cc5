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
import time
from pathlib import Path

import pytest

DEFAULT_FORKS = 10
#: progress lines start once observing hosts has taken this long
PROGRESS_AFTER = 3.0

SSH_REUSE = """# written by coordcheck: one SSH connection per host, reused by every command;
# no command reads this process's stdin (under pytest-xdist it is the worker's channel)
ControlMaster auto
ControlPath {directory}/%C
ControlPersist 60s
StdinNull yes
{include}
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("coordcheck").addoption(
        "--forks", type=int, default=DEFAULT_FORKS,
        help=f"observe at most this many hosts at once (default {DEFAULT_FORKS})")


def ssh_config(user_config: str | None) -> str:
    """An ssh_config that reuses connections and then reads the user's own
    (``--ssh-config``, else ~/.ssh/config and the system's)."""
    directory = tempfile.mkdtemp(prefix="coordcheck-ssh-")
    includes = [user_config] if user_config else [os.path.expanduser("~/.ssh/config"), "/etc/ssh/ssh_config"]
    include = "\n".join(f"Include {path}" for path in includes if Path(path).is_file())
    path = Path(directory) / "ssh_config"
    path.write_text(SSH_REUSE.format(directory=directory, include=include), encoding="utf-8")
    return str(path)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("inventory") is None and not hasattr(config.option, "ssh_config"):
        return
    if config.getoption("forks") < 1:
        raise pytest.UsageError("--forks must be at least 1")
    if hasattr(config.option, "ssh_config") and config.getoption("inventory"):
        config.option.ssh_config = ssh_config(config.option.ssh_config)
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"   # a host's tests on one worker: it observes that host once


def pytest_unconfigure(config: pytest.Config) -> None:
    path = getattr(config.option, "ssh_config", None)
    if path and Path(path).parent.name.startswith("coordcheck-ssh-") and Path(path).name == "ssh_config":
        shutil.rmtree(Path(path).parent, ignore_errors=True)   # its control sockets go with it


def host_of(item: pytest.Item) -> str | None:
    spec = getattr(getattr(item, "callspec", None), "params", {}).get("_testinfra_host")
    return str(spec).rpartition("://")[2] if spec else None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return   # its marker is registered by pytest-xdist only (--strict-markers would refuse it)
    for item in items:
        host = host_of(item)
        if host is not None:
            item.add_marker(pytest.mark.xdist_group(host))


def prefetch(config: pytest.Config, observer) -> None:
    """Observe every host at once (``--forks`` at a time) before the first
    test; under xdist each worker observes its own hosts as their tests come."""
    if hasattr(config, "workerinput"):
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    quiet = config.getoption("verbose") < 0 or reporter is None
    started, done = time.monotonic(), []
    total = len(observer.target.hosts)

    def progress(host: str, seconds: float) -> None:
        done.append(host)
        if not quiet and time.monotonic() - started > PROGRESS_AFTER:
            reporter.write_line(f"coordcheck: {host} observed in {seconds:.1f} s ({len(done)}/{total}, "
                                f"{time.monotonic() - started:.1f} s so far)")

    observer.prefetch(config.getoption("forks"), progress)
