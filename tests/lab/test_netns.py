"""Per-host network namespaces (`coordcheck up --netns`, root): each host
has its own namespace, address and sshd; "one controller cannot reach one
sentinel" is then a real fault of that host alone, and the checklist reports
it on that controller only. `down` leaves no namespace, veth or bridge."""

import xml.etree.ElementTree as ET

import pytest

from coordcheck.lab import netns
from coordcheck.lab.deployment import LocalDeployment
from coordcheck.lab.scenarios import SCENARIOS
from tests.conftest import Deployment, reported, run_checklist, run_cli

@pytest.fixture(scope="module")
def isolated(tmp_path_factory):
    assert netns.available() is None, netns.available()  # make test runs as root, with iproute2 (make packages)
    root = tmp_path_factory.mktemp("netns") / "kolla"
    run_cli("up", "--dir", str(root), "--netns", timeout=120)
    lab_id = LocalDeployment(root).lab_id
    yield Deployment(root)
    run_cli("down", "--dir", str(root))
    assert netns.leftovers(lab_id) == []


def test_each_host_has_its_own_namespace(isolated):
    names = LocalDeployment(isolated.root).state()["netns"]
    assert sorted(names["namespaces"]) == ["ctl1", "ctl2", "ctl3"]
    assert len(set(netns.leftovers(LocalDeployment(isolated.root).lab_id))) == 3 + 3 + 1  # namespaces, veths, bridge
    inventory = isolated.inventory.read_text()
    assert all(f"ansible_host={ip} ansible_port=2222" in inventory for ip in isolated.hosts.values())


def test_one_controller_cut_from_one_sentinel_is_reported_on_it_only(isolated, tmp_path):
    scenario = SCENARIOS["PARTITION_ONE_HOST"]
    assert "SENTINEL_UNREACHABLE" in run_cli("break", scenario.name, "--dir", str(isolated.root)).stdout
    run = run_checklist(*isolated.checklist_args(), tmp_path=tmp_path, cwd=tmp_path, timeout=600)
    cut = f"{isolated.address('ctl3')}:26379"
    found = reported(run)
    assert found.get("SENTINEL_UNREACHABLE (warning)") == [f"host ctl2, address {cut}"], found
    ids = {f.replace(" (warning)", "") for f in found}
    assert ids - {scenario.finding} - scenario.related == set(), found
    assert run.returncode == 0, run.stdout[-3000:]
    # the network step, per host: only ctl2's sentinel check names the sentinel it cannot reach
    per_host = {}
    for case in ET.fromstring(run.junit).iter("testcase"):
        if case.get("name", "").startswith("test_sentinel_ports_reachable["):
            host = case.get("name").split("//")[-1].rstrip("]")
            per_host[host] = [p.get("value") for p in case.iter("property") if p.get("name") == "finding"]
    assert per_host == {"ctl1": [], "ctl2": [f"SENTINEL_UNREACHABLE (warning) at host ctl2, address {cut}"],
                        "ctl3": []}, per_host
    summary = run.stdout[run.stdout.index("coordcheck summary"):]
    rows = {line.split()[0]: line.split()[1] for line in summary.splitlines()[1:5] if line.startswith("ctl")}
    assert rows == {"ctl1": "pass", "ctl2": "warn", "ctl3": "pass"}, summary[:600]
    # `reset` lifts the rule in ctl2's namespace: nothing reported on any host
    assert "reset: PARTITION_ONE_HOST undone" in run_cli("reset", "--dir", str(isolated.root), timeout=300).stdout
    after = run_checklist(*isolated.checklist_args(), tmp_path=tmp_path / "reset", cwd=tmp_path, timeout=600)
    assert after.returncode == 0 and not reported(after), after.stdout[-3000:]
