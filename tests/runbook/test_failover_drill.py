"""The failover drill (tests_infra/test_failover_drill.py): refused without
--allow-failover; on a healthy containerised lab every service container's
own tooz client works against the new master (a recovery time each) and the
run says where the master ended; a container whose backend_url names the
master data node itself (`break URL_BYPASSES_SENTINEL`) is
FAILOVER_NOT_FOLLOWED after --failover-wait."""

import re
import xml.etree.ElementTree as ET

from tests.conftest import CONTAINER_NAMES, Deployment, kolla_container_names, reported, run_checklist, run_cli

DRILL = ("-m", "failover_drill", "--allow-failover", "--failover-wait", "30")


def properties(run, name: str) -> list[str]:
    return [p.get("value") for p in ET.fromstring(run.junit).iter("property") if p.get("name") == name]


def test_drill_is_refused_without_allow_failover(tmp_path):
    run = run_checklist("-m", "failover_drill", tmp_path=tmp_path, cwd=tmp_path, timeout=60)
    assert run.returncode == 4
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert lines == ["ERROR: -m failover_drill triggers SENTINEL FAILOVER on the live master: give --allow-failover "
                     "to run the drill"], run.stderr


@CONTAINER_NAMES
def test_drill_on_a_healthy_lab_then_with_a_url_that_bypasses_sentinel(tmp_path):
    root = tmp_path / "kolla"
    with kolla_container_names():
        run_cli("up", "--containers", "--dir", str(root), timeout=900)
        try:
            lab = Deployment(root)
            (tmp_path / "1").mkdir()
            healthy = run_checklist(*lab.checklist_args(), *DRILL, tmp_path=tmp_path / "1", cwd=tmp_path, timeout=300)
            assert healthy.returncode == 0, healthy.stdout[-3000:]
            recovered = properties(healthy, "recovery")
            assert len(recovered) == 3, recovered
            assert all(re.search(r": \d+\.\d s$", r) for r in recovered), recovered
            assert {r.split()[1] for r in recovered} == {"cinder_volume", "designate_worker", "masakari_api"}
            old, new = properties(healthy, "master")[0].split(" -> ")
            assert old != new and new != "None"

            run_cli("break", "URL_BYPASSES_SENTINEL", "--dir", str(root), timeout=120)
            (tmp_path / "2").mkdir()
            bypassed = run_checklist(*lab.checklist_args(), *DRILL, tmp_path=tmp_path / "2", cwd=tmp_path, timeout=300)
            found = reported(bypassed)
            assert bypassed.returncode == 1
            assert [w for w in found["FAILOVER_NOT_FOLLOWED"] if "host ctl1" in w and "cinder_volume" in w], found
            assert set(found) == {"FAILOVER_NOT_FOLLOWED"}, found
            others = [r for r in properties(bypassed, "recovery") if "cinder_volume" not in r]
            assert len(others) == 2 and all(re.search(r": \d+\.\d s$", r) for r in others), others
        finally:
            run_cli("down", "--dir", str(root), timeout=120)
