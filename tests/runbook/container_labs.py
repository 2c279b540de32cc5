"""Labs whose services run in containers, for the container observer's tests:
made with ``coordcheck up --containers`` (and faults broken in), the checklist
run over them, and what is left on their data nodes and engines."""

import subprocess

import redis

from coordcheck.lab.scenarios import LOG_TIMEOUT
from tests.conftest import Deployment, kolla_container_names, run_checklist, run_cli

DEBUG = ("-vv", "-o", "log_cli=true", "--log-cli-level=DEBUG")
CONSUMER_TEST = "test_each_consumer_reaches_its_master_inside_its_container"


def up(root, engine, *faults, release=()):
    run_cli("up", "--ssh", "--containers", engine, *release, "--dir", str(root), timeout=900)  # builds images once
    for fault in faults:
        run_cli("break", fault, "--dir", str(root), timeout=LOG_TIMEOUT + 60)
    return Deployment(root)


def engine_logs(name: str) -> str:
    done = subprocess.run(["docker", "logs", name], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def messages(run, test_name: str) -> str:
    return "\n".join(text for test, text in run.failures().items() if test_name in test)


def consumer_run(cloud, tmp_path):
    tmp_path.mkdir(parents=True, exist_ok=True)  # its working directory
    return run_checklist(*cloud.checklist_args(), "-m", "containers", "-k", CONSUMER_TEST, tmp_path=tmp_path,
                         cwd=tmp_path)


def checked_lab(root, tmp_path, *release):
    """``up`` with ``release``, the checklist's lock test run, ``down``: (run, leftover probe keys)."""
    with kolla_container_names():
        run_cli("up", "--containers", *release, "--dir", str(root), timeout=900)
        try:
            lab = Deployment(root)
            run = run_checklist(*lab.checklist_args(), "-k", "locks or python_client", tmp_path=tmp_path, cwd=tmp_path)
            return run, probe_keys(lab)
        finally:
            run_cli("down", "--dir", str(root), timeout=120)


def probe_keys(lab) -> list:
    """Every key of any data node that a probe lock could have left (SCAN for its name)."""
    left = []
    for address in lab.hosts.values():
        client = redis.Redis(address, 6379, password=lab.password.reveal(), socket_timeout=5, retry=None)
        try:
            left += client.keys("*coordcheck-probe-*")
        finally:
            client.close()
    return left
