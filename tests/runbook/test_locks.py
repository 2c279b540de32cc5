"""LOCKS_NOT_EXCLUSIVE on a cloud mid-upgrade: ctl1-2's service containers on
Kolla 2026.1's tooz 8.1.0 / redis-py 7.2.0, ctl3's on 2026.2's 9.0.1 / 8.1.0
(`coordcheck up --containers --release 2026.1 --release ctl3=2026.2`). The
checklist holds one probe lock with each client class inside the containers
and tries it with the others: ctl3 takes the lock ctl1 holds. A cloud on one
release excludes; no probe key is left on the data nodes either way."""

import redis

from tests.conftest import CONTAINER_NAMES, Deployment, kolla_container_names, reported, run_checklist, run_cli

pytestmark = CONTAINER_NAMES


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


def test_mixed_release_cloud_does_not_exclude(tmp_path):
    run, left = checked_lab(tmp_path / "kolla", tmp_path, "--release", "2026.1", "--release", "ctl3=2026.2")
    found = reported(run)
    assert any("host ctl3, container masakari_api" in w for w in found.get("LOCKS_NOT_EXCLUSIVE", [])), run.stdout[-3000:]
    assert run.returncode == 1
    text = run.stdout
    for side in ("ctl1 cinder_volume (tooz 8.1.0, redis-py 7.2.0; Kolla 2026.1)",
                 "ctl3 masakari_api (tooz 9.0.1, redis-py 8.1.0; Kolla 2026.2)",
                 "Kolla 2026.1 on ctl1 and Kolla 2026.2 on ctl3"):
        assert side in text, text[-3000:]
    assert set(found) == {"LOCKS_NOT_EXCLUSIVE"}, sorted(found)
    assert left == []


def test_single_release_cloud_excludes(tmp_path):
    run, left = checked_lab(tmp_path / "kolla", tmp_path, "--release", "2026.1")
    assert "LOCKS_NOT_EXCLUSIVE" not in reported(run), run.stdout[-3000:]
    assert run.returncode == 0, run.stdout[-3000:]
    assert "test_locks_exclude_across_containers PASSED" in run.stdout or \
        run.outcomes()["test_container_config::test_locks_exclude_across_containers"] == "passed"
    assert left == []
