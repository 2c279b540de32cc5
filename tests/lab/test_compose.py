"""docker-compose.sentinel.yml: generated from the templates the processes
use, valid for Compose, usable on its own (no coordcheck involved), and
checked by the checklist through `coordcheck up --engine compose` (a lab's
own copy of it: its container names carry the lab's Compose project)."""

import subprocess
import time

from coordcheck import kolla
from coordcheck.lab import compose
from coordcheck.lab import images
from coordcheck.lab.deployment import HOSTS
from coordcheck.lab import network
from coordcheck.lab.compose_engine import command, project
from coordcheck.lab.scenarios import SCENARIOS
from coordcheck.observe.probe import Address, observe_sentinel
from coordcheck.secrets import Secret
from tests.conftest import PROJECT, Deployment, reported, run_checklist, run_cli

FILE = PROJECT / compose.FILE_NAME


def test_repository_file_is_the_generated_one():
    assert FILE.read_text() == compose.text(), "regenerate: python -m coordcheck compose > docker-compose.sentinel.yml"


def test_file_holds_no_password():
    assert "requirepass $${COORDCHECK_PASSWORD}" in FILE.read_text()
    assert compose.PASSWORD_DEFAULT in FILE.read_text()  # the demo default, and only it


def test_usable_on_its_own_with_the_demo_password(tmp_path):
    env = {"SENTINEL_IMAGE": images.SERVER, "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"}
    base = [*command(), "-f", str(FILE), "-p", "coordcheck-standalone"]
    # the file's fixed range, which the run's other labs leave free (tests/conftest.py)
    layout = network.claim(tmp_path, network=network.DEFAULT_NETWORK, wait=600)
    try:
        subprocess.run([*base, "up", "-d"], check=True, capture_output=True, timeout=180, env=env)
        password, deadline, seen = Secret(compose.PASSWORD_DEFAULT), time.monotonic() + 20, []
        while time.monotonic() < deadline:
            seen = [observe_sentinel(Address(ip, kolla.SENTINEL_PORT), kolla.MASTER_NAME, password, 1.0)
                    for ip in HOSTS.values()]
            if all(o.master and o.master["num-other-sentinels"] == 2 and o.master["num-slaves"] == 2 for o in seen):
                break
            time.sleep(0.2)
        assert all(o.login.requires_password and o.login.password_ok for o in seen), seen
        assert {o.master_addr for o in seen} == {Address(HOSTS["ctl1"], kolla.DATA_PORT)}
        assert all(o.master["num-other-sentinels"] == 2 and o.master["num-slaves"] == 2 for o in seen)
    finally:
        subprocess.run([*base, "down", "-t", "3"], capture_output=True, timeout=180, env=env)
        network.release(layout, tmp_path)


def test_checklist_passes_on_coordcheck_up_engine_compose(tmp_path):
    root, faults = tmp_path / "kolla", ("SENTINEL_PARTITIONED", "SENTINEL_AUTH_MISSING")  # a container paused, a file
    run_cli("up", "--dir", str(root), "--engine", "compose", "--image", images.SERVER, timeout=300)
    try:
        run = run_checklist(*Deployment(root).checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
        running = subprocess.run(["docker", "ps", "--format", "{{.Names}}"], capture_output=True, text=True).stdout
        for fault in faults:
            run_cli("break", fault, "--dir", str(root))
        broken = run_checklist(*Deployment(root).checklist_args(), tmp_path=tmp_path / "broken", cwd=tmp_path)
        assert "reset: SENTINEL_PARTITIONED, SENTINEL_AUTH_MISSING undone" in run_cli(
            "reset", "--dir", str(root), timeout=300).stdout
        after = run_checklist(*Deployment(root).checklist_args(), tmp_path=tmp_path / "reset", cwd=tmp_path)
    finally:
        run_cli("down", "--dir", str(root))
    assert run.returncode == 0 and not reported(run), run.stdout[-3000:]
    assert {SCENARIOS[f].finding for f in faults} <= {f.replace(" (warning)", "") for f in reported(broken)}, \
        broken.stdout[-3000:]
    assert after.returncode == 0 and not reported(after), after.stdout[-3000:]
    prefix = project(root.resolve())  # the lab's own container names: labs never clash
    assert {compose.container(h, k, prefix) for h in HOSTS for k in ("server", "sentinel")} <= set(running.split())
