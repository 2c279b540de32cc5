"""The lab's service containers as Kolla lays them out: config.json copying
the config in and running the service's loop, a consumer's files copied to
its place, and a Python run in a throwaway container of an image."""

import json
import resource

from coordcheck.consumers import FAKED
from coordcheck.lab import containers, images


def test_a_service_config_json_copies_its_config_and_runs_its_loop():
    svc = containers.service("designate-worker")
    assert (svc.service, svc.project) == ("designate-worker", "designate")
    config = json.loads(containers.config_json(svc))
    assert config["command"] == f"python3 {containers.SERVICE_LOOP} /etc/designate/designate.conf designate-worker"
    assert config["config_files"] == [{"source": "/var/lib/kolla/config_files/designate.conf",
                                       "dest": "/etc/designate/designate.conf", "owner": "designate", "perm": "0600"}]


def test_a_consumer_config_json_copies_every_file_to_its_folder():
    horizon = next(c for c in FAKED.values() if c.name == "horizon")
    config = json.loads(containers.consumer_config_json(horizon, list(horizon.files)))
    folder = horizon.path_inside.rsplit("/", 1)[0]
    assert [f["dest"] for f in config["config_files"]] == [f"{folder}/{name}" for name in horizon.files]
    assert config["command"].split()[:4] == ["python3", containers.CONSUMER_LOOP, "horizon", horizon.client]


def test_podman_asks_for_no_more_than_this_process_has():
    assert containers.limits("docker") == []
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    assert containers.limits("podman")[:2] == ["--ulimit", f"nofile={files}:{files}"]


def test_a_lab_that_ran_no_container_has_none(tmp_path):
    assert containers.states("docker", tmp_path) == {} and containers.remove("docker", tmp_path) == []


def test_a_python_in_a_throwaway_container_of_an_image():
    done = containers.python_in("docker", images.CURRENT, "import tooz, sys; print(sys.prefix)", 60)
    assert (done.rc, done.stdout.strip()) == (0, "/var/lib/kolla/venv"), done.stderr
    killed = containers.python_in("docker", images.CURRENT, "import time; time.sleep(30)", 1)
    assert killed.rc == 137   # coreutils timeout -s KILL, inside the container
