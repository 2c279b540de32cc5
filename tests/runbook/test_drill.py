"""The failover drill (`coordcheck.runbook.drill`, tests_infra/test_failover_drill.py):
no failover is triggered while the sentinels do not agree on a master; on a
healthy containerised lab every service container's own tooz client works
against the new master (a recovery time each) and the run says where the
master ended; a container whose backend_url names the master data node
itself (`break URL_BYPASSES_SENTINEL`) is FAILOVER_NOT_FOLLOWED after
--failover-wait. (Without --allow-failover the drill is refused:
tests/pytest_plugin/test_options.py.)"""

import re
import time
import xml.etree.ElementTree as ET

from coordcheck.lab.deployment import LocalDeployment
from coordcheck.observe import failover
from coordcheck.observe.probe import Address
from coordcheck.runbook.drill import Drill, Recovery, run_drill
from tests.conftest import CONTAINER_NAMES, Deployment, kolla_container_names, lab, reported, run_checklist, run_cli
from tests.runbook.conftest import observer_of

DRILL = ("-m", "failover_drill", "--allow-failover", "--failover-wait", "30")


def properties(run, name: str) -> list[str]:
    return [p.get("value") for p in ET.fromstring(run.junit).iter("property") if p.get("name") == name]


def test_no_failover_is_triggered_while_the_sentinels_do_not_agree(observer):
    """A lab written and never started: no sentinel answers, so none is asked to fail over."""
    drill = run_drill(observer)
    assert drill.refused == "the sentinels do not agree on a master: no failover was triggered"
    assert (drill.old, drill.new, drill.recoveries) == (None, None, [])


def test_no_failover_is_triggered_while_no_sentinel_may_promote_a_replica(tmp_path):
    """Every replica at replica-priority 0: no sentinel would promote one, so none is asked (a SENTINEL
    FAILOVER then is aborted, and the drill would only wait) and the master stays where it was."""
    with lab(tmp_path / "kolla") as made:
        deployment = LocalDeployment(made.root)
        layout = deployment.layout()
        for host in layout.backends:
            if host != layout.master:
                deployment.client(host, "server").config_set("replica-priority", 0)
        observer = observer_of(made.inventory, made.root)
        observer.failover_wait = 2.0
        seen = observer.at(None).fresh_sentinels
        deadline = time.monotonic() + 30   # the sentinels read a replica's priority from its INFO, every 10 s
        while any(failover.promotable(o) for o in seen()) and time.monotonic() < deadline:
            time.sleep(0.5)
        drill = run_drill(observer)
        assert drill.refused and drill.refused.startswith("no sentinel saw a replica it may promote within 2 s"), drill
        assert (drill.new, drill.recoveries) == (None, [])
        master = Address(made.address(layout.master), 6379)
        assert failover.agreed_master(observer.at(None).fresh_sentinels()) == master


def test_the_table_gives_each_clients_recovery_or_its_finding():
    old, new = Address("127.0.2.110", 6379), Address("127.0.2.111", 6379)
    drill = Drill(old, new=new, settled_seconds=4.3, recoveries=[
        Recovery("ctl1", "cinder_volume", "cinder-volume", "tooz", "tooz 9.0.1, redis-py 8.1.0", seconds=5.5),
        Recovery("ctl2", "designate_worker", "designate-worker", "tooz")])
    first, followed, lost = drill.table().splitlines()
    assert first.startswith(f"master {old} -> {new}: the sentinels agreed") and "4.3 s after the trigger" in first
    assert followed.split()[:2] == ["ctl1", "cinder_volume"] and followed.endswith("5.5 s")
    assert lost.split()[:3] == ["ctl2", "designate_worker", "tooz"] and lost.endswith("FAILOVER_NOT_FOLLOWED")
    assert Drill(old).table() == f"the sentinels did not agree on a master after the failover from {old}"


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
