"""The lab's processes: the server binary found (or the package named),
a process started in a session of its own, known as ours by its folder,
stopped for good."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from coordcheck import kolla
from coordcheck.lab import processes
from coordcheck.lab.errors import DeploymentError
from tests.conftest import PROJECT


def test_missing_server_binary_names_the_package(tmp_path):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable))  # python, but no redis-server
    done = subprocess.run([sys.executable, "-m", "coordcheck", "up", "--dir", str(tmp_path / "k")],
                          capture_output=True, text=True, env=env, cwd=PROJECT, timeout=60)
    assert done.returncode == 2
    assert done.stderr == ("coordcheck up: error: redis-server not found on PATH: "
                           "install it with `apt-get install redis-server redis-sentinel`\n")


def test_the_server_binary_says_what_it_is():
    binary = processes.server_binary(kolla.FLAVORS["redis"])
    assert Path(binary).name == "redis-server" and os.access(binary, os.X_OK)
    assert processes.binary_version(binary) >= (5, 0)
    name = processes.server_name(binary)
    assert name.split()[0] in ("Redis", "Valkey") and name.split()[1].startswith(
        ".".join(map(str, processes.binary_version(binary))))


def test_a_missing_openssh_program_names_its_packages():
    assert os.access(processes.ssh_tool("sshd"), os.X_OK)
    with pytest.raises(DeploymentError, match="no-such-sshd not found: install it with `apt-get install openssh"):
        processes.ssh_tool("no-such-sshd")


def test_a_spawned_process_is_ours_until_stopped(tmp_path):
    config = tmp_path / "sleeper.conf"
    pid = processes.spawn(["sleep", "60"], cwd=tmp_path)
    assert processes.alive(pid) and processes.is_ours(pid, str(config))
    assert not processes.is_ours(pid, str(tmp_path / "elsewhere" / "sleeper.conf"))  # another folder: not ours
    assert os.getsid(pid) == pid                     # a session of its own: `down` ends it, not a Ctrl-C
    assert processes.stop([{"name": "sleeper", "pid": pid, "config": str(config)}]) == ["sleeper"]
    assert not processes.alive(pid) and not processes.is_ours(pid, str(config))
    assert processes.stop([{"name": "sleeper", "pid": pid, "config": str(config)}]) == []   # gone: nothing to stop


def test_a_paused_process_is_stopped_too(tmp_path):
    pid = processes.spawn(["sleep", "60"], cwd=tmp_path)
    os.kill(pid, signal.SIGSTOP)   # as `coordcheck break SENTINELS_SILENT` pauses a sentinel
    assert processes.stop([{"name": "paused", "pid": pid, "config": str(tmp_path / "x.conf")}]) == ["paused"]
    assert not processes.alive(pid)


def test_accepts_tells_a_listening_port_from_a_closed_one():
    with socket.socket() as listening, socket.socket() as closed:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        closed.bind(("127.0.0.1", 0))
        assert processes.accepts(*listening.getsockname())
        assert not processes.accepts(*closed.getsockname())


def test_rmdir_if_empty_leaves_a_folder_with_files(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine").write_text("x")
    (tmp_path / "empty").mkdir()
    processes.rmdir_if_empty(tmp_path / "full")
    processes.rmdir_if_empty(tmp_path / "empty")
    processes.rmdir_if_empty(tmp_path / "never-was")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]
