"""A controller's container engine through its testinfra host: the
containers by name and state, a file inside one (None when absent), when it
started, and a Python script run inside it on stdin."""

import json
import subprocess
import time
import uuid
from datetime import datetime, timezone

import pytest
import testinfra

from coordcheck.lab import images
from coordcheck.observe import engine
from coordcheck.observe.engine import Container, Engine, EngineError


@pytest.fixture(scope="module")
def sleeper():
    """A throwaway container of the lab's service image, named for this test alone."""
    name = f"coordcheck-engine-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "run", "-d", "--rm", "--name", name, "--network", "none", images.CURRENT,
                    "sh", "-c", "sleep 0.5; echo the service started; exec sleep 120"], check=True, capture_output=True, timeout=120)
    yield name
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def docker():
    return Engine(testinfra.get_host("local://"), "docker")


def test_the_container_is_listed_running_with_its_image(docker, sleeper):
    listed = docker.containers()[sleeper]
    assert listed == Container(sleeper, "running", images.CURRENT) and listed.running


def test_a_file_inside_is_read_and_an_absent_one_is_none(docker, sleeper):
    assert docker.read(sleeper, "/etc/os-release").startswith("PRETTY_NAME=\"Debian GNU/Linux 12")
    assert docker.read(sleeper, "/etc/cinder/cinder.conf") is None


def test_it_started_moments_ago(docker, sleeper):
    started = docker.started_at(sleeper)
    assert started is not None and abs((datetime.now(timezone.utc) - started).total_seconds()) < 600


def test_what_it_logged_since_its_start(docker, sleeper):
    deadline, logged = time.monotonic() + 10, []
    while not logged and time.monotonic() < deadline:   # it logs half a second after its start
        logged = docker.logs(sleeper, "cinder", "cinder-volume", since="1h")   # no /var/log/kolla: the engine's log
        time.sleep(0.1)
    assert [(line.text, line.source) for line in logged] == [("the service started", "docker logs")]


def test_a_script_runs_with_the_containers_python_and_writes_no_bytecode(docker, sleeper):
    done = docker.python(sleeper, "import sys; print(sys.flags.dont_write_bytecode, sys.prefix)", deadline=30)
    assert (done.rc, done.stdout.split()) == (0, ["1", "/var/lib/kolla/venv"]), done.stderr


def test_an_engine_kolla_does_not_know_is_refused():
    with pytest.raises(EngineError, match="kolla_container_engine is 'lxc'; coordcheck knows docker, podman"):
        Engine(testinfra.get_host("local://"), "lxc")


def test_docker_and_podman_listings_are_read_alike():
    docker_listing = "cinder_volume\trunning\tkolla/cinder:2025.1\nold_one\texited\n"
    podman_listing = json.dumps([{"Names": ["cinder_volume"], "State": "Running", "Image": "kolla/cinder:2025.1"}])
    assert engine.parse_ps("docker", docker_listing) == {
        "cinder_volume": Container("cinder_volume", "running", "kolla/cinder:2025.1"),
        "old_one": Container("old_one", "exited", "")}
    assert engine.parse_ps("podman", podman_listing)["cinder_volume"].running
    assert engine.parse_ps("podman", "") == {}


def test_kollas_names_and_places():
    assert engine.container_name("designate-worker") == "designate_worker"
    assert engine.config_in_container("cinder") == "/etc/cinder/cinder.conf"
    assert engine.parse_time("2026-11-24 23:17:42.1 +0000 UTC") == datetime(2026, 11, 24, 23, 17, 42, 100000,
                                                                            tzinfo=timezone.utc)
    assert engine.parse_time("not a time") is None
