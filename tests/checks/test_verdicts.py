"""The gate's last word (coordcheck/checks/verdicts.py): comparisons on synthesized addresses are notes,
every repairable finding carries its repair and its printed fix says the same."""
from coordcheck.checks.consumers import consumer_findings, expected_for, sentinel_auth
from coordcheck.checks.verdicts import settle, synthesized
from coordcheck.findings import Finding, Where
from coordcheck.kolla.render import render_repo
from coordcheck.kolla.repairs import Edit, Repair
from tests.checks import repos


def _rendered(repo):
    return render_repo(repo / "etc/kolla", repo / "multinode")


def test_a_fallback_compared_with_made_up_addresses_is_a_note(tmp_path):
    repo = repos.consumers_repo(tmp_path, valkey=False, overrides={"config/cinder.conf": (
        "[coordination]\nbackend_url = redis://default:{{ redis_master_password }}@127.0.2.110:26379?sentinel=kolla"
        "&sentinel_fallback=127.0.2.111:26379&sentinel_fallback=127.0.2.113:26379&db=0&sentinel_password="
        "{{ redis_master_password }}\n")})
    rendered = _rendered(repo)
    assert synthesized(rendered, ["ctl1"]) == ["ctl1 (synthesized from api_interface_address)"]
    found = {f.id: f for f in consumer_findings(rendered, sentinel_auth(rendered))}
    assert "FALLBACK_MISMATCH" not in found and found["ADDRESSES_UNVERIFIED"].severity == "warn"
    assert "cannot compare without facts" in found["ADDRESSES_UNVERIFIED"].evidence


def test_a_findings_own_repair_is_kept_and_printed(tmp_path):
    rendered = _rendered(repos.consumers_repo(tmp_path, valkey=False))
    expected = expected_for(rendered, sentinel_auth(rendered))
    edit = Edit(str(tmp_path / "octavia.conf"), 2, "remove", "jobboard_backend_port", section="task_flow")
    own = Finding("URL_NOT_LOADABLE", Where(host="ctl1"), "e", fix="remove it",
                  repair=Repair((edit,), "kolla-ansible -i INVENTORY reconfigure --tags octavia"))
    none = Finding("URL_BLANK", Where(host="ctl1", file="ctl1: octavia-api/octavia.conf [task_flow] jobboard_enabled, "
                                                        "set by Kolla default"), "e", repair=Repair((), None))
    kept, empty = settle([own, none], rendered, expected)
    assert kept.repair == own.repair and "octavia.conf:2: remove [task_flow] jobboard_backend_port" in kept.fix
    assert kept.fix.startswith("remove it") and "then: kolla-ansible -i INVENTORY reconfigure --tags octavia" in kept.fix
    assert empty.repair is None and "in the repository" not in empty.fix  # never a URL repair for a jobboard
    assert "reconfigure" not in empty.fix
