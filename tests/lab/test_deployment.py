"""`coordcheck up | status | repro | fix | down`, run as an operator runs them."""

import os
import stat

import pytest
import redis

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.kolla import backend_url_of
from coordcheck.lab.deployment import DeploymentError, LocalDeployment
from tests.conftest import run_checklist, run_cli


def read_url(path):
    return urls.parse(backend_url_of(path.read_text(), str(path)))


def test_up_writes_a_kolla_deployment(deployment):
    root = deployment.root
    inventory = (root / "multinode").read_text()
    ips = deployment.hosts
    assert f"ctl1 ansible_connection=local api_interface_address={ips['ctl1']}" in inventory
    assert f"node_config_directory={root / 'ctl2'}" in inventory
    for group in ("[control]", "[redis:children]", "[cinder-volume:children]", "[designate-worker:children]",
                  "[masakari-api:children]", "[mistral-api:children]"):
        assert group in inventory
    assert "enable_redis" in (root / "globals.yml").read_text()
    conf = root / "ctl3" / "cinder-volume" / "cinder.conf"
    url = read_url(conf)
    assert url.sentinel_password == deployment.password == url.password
    assert url.sentinels == [(ips[h], 26379) for h in ("ctl1", "ctl2", "ctl3")]
    assert stat.S_IMODE(conf.stat().st_mode) & 0o007 == 0


def test_sentinels_require_the_password(deployment):
    sentinel = redis.Redis(deployment.address("ctl2"), 26379, socket_timeout=2, retry=None, protocol=2)
    try:
        sentinel.ping()
        raise AssertionError("sentinel answered without a password")
    except redis.AuthenticationError:
        pass
    authed = redis.Redis(deployment.address("ctl2"), 26379, password=deployment.password.reveal(), socket_timeout=2, protocol=2)
    assert authed.sentinel_master("kolla")["num-other-sentinels"] == 2


def test_status_lists_six_running_processes(deployment):
    *lines, faults = run_cli("status", "--dir", str(deployment.root)).stdout.splitlines()
    assert len(lines) == 6 and all(line.endswith("running") for line in lines)
    assert faults == "faults: none"


def test_repro_then_fix(deployment):
    conf = deployment.root / "ctl2" / "mistral-api" / "mistral.conf"
    run_cli("repro", "--dir", str(deployment.root))
    assert read_url(conf).sentinel_password is None
    run_cli("fix", "--dir", str(deployment.root))
    assert read_url(conf).sentinel_password == deployment.password


def test_second_up_on_a_claimed_range_is_one_clear_line(deployment, tmp_path):
    network = deployment.address("ctl1").rsplit(".", 1)[0] + ".0/24"
    done = run_cli("up", "--dir", str(tmp_path / "other"), "--network", network, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith(f"coordcheck up: error: no free address range for the lab: {network} is claimed "
                                  "by another lab"), done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "other").exists()


def test_down_without_deployment_is_one_line(tmp_path):
    done = run_cli("down", "--dir", str(tmp_path), check=False)
    assert done.returncode == 2
    assert done.stderr == f"coordcheck down: error: no coordcheck deployment in {tmp_path} (run `coordcheck up --dir {tmp_path}`)\n"


def test_pytest_without_options_beside_a_running_deployment(deployment, tmp_path):
    """The checklist's own lab takes another free range: both run."""
    run = run_checklist("-m", "network", tmp_path=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"{deployment.address('ctl1')}:26379" not in run.stdout


def test_down_removes_only_what_up_created(tmp_path):
    """A whole `up` / `down` cycle on a folder that holds files of its own."""
    root = tmp_path / "kolla"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    started = run_cli("up", "--dir", str(root), "--flavor", "valkey").stdout
    try:
        assert "(valkey: Valkey " in started, started   # real valkey-server processes (`make valkey`)
        assert "valkey_master_password" in (root / "passwords.yml").read_text()
        assert "[valkey:children]" in (root / "multinode").read_text()
        pids = [int(line.split()[3]) for line in run_cli("status", "--dir", str(root)).stdout.splitlines()
                if " pid " in line]
    finally:
        stopped = run_cli("down", "--dir", str(root)).stdout   # a failed check leaves no lab behind
    assert "stopped 6 processes" in stopped
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def test_a_folder_holding_a_lab_takes_no_second(written_lab):
    files = written_lab.state()["files"]
    with pytest.raises(DeploymentError, match="already holds a coordcheck deployment"):
        LocalDeployment(written_lab.root).write(kolla.FLAVORS["redis"], None, sentinel_auth=True)
    assert written_lab.state()["files"] == files and all(map(os.path.exists, files))   # the first one untouched
    assert os.path.exists(written_lab.layout().claim)
