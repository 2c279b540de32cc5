"""What a run reports (`coordcheck.pytest_plugin.report`): stable ids wherever
pytest runs, one screen by default, the summary's matrix of hosts × steps and
where each ran, each cause once; each test's record travels on its report,
so under pytest-xdist the controller's summary and files are whole."""

import json
import re
import subprocess
import sys

from coordcheck.findings import CATALOGUE, Finding, Place, Where
from coordcheck.pytest_plugin.report import STEPS, finding_record
from coordcheck.runbook.steps import STEPS as RUNBOOK
from tests.conftest import assert_no_secret, run_checklist
from tests.pytest_plugin.checklist_ids import SENTINEL_AUTH_CHECKS


def test_a_finding_record_is_plain_json_with_every_place():
    places = (Place("ctl1", "cinder-volume", "/etc/kolla/cinder-volume/cinder.conf"),
              Place("ctl2", "masakari-api", "/etc/kolla/masakari-api/masakari.conf", option="[coordination] backend_url"))
    found = finding_record(Finding("SENTINEL_AUTH_MISSING", Where(host="ctl1", places=places), evidence="NOAUTH"))
    assert json.loads(json.dumps(found)) == found
    assert found["cause"] == CATALOGUE["SENTINEL_AUTH_MISSING"].cause and found["severity"] == "fail"
    assert [(p["host"], p["service"], p["option"]) for p in found["where"]["places"]] == [
        ("ctl1", "cinder-volume", None), ("ctl2", "masakari-api", "[coordination] backend_url")]
    assert STEPS == [step.marker for step in RUNBOOK]


def test_ids_are_the_checklists_wherever_pytest_runs(incident, tmp_path):
    """junit's classnames come from the ids whatever the working directory; with
    ``--inventory=PATH`` the terminal prints them whole too."""
    spaced = run_checklist(*incident.checklist_args(), "-m", "config", tmp_path=tmp_path, cwd=tmp_path)
    assert {c.split("::")[0] for c in spaced.failures()} == {"test_container_config"}
    assert 'classname="tests_infra.test_container_config"' in spaced.junit
    assert "pytest's rootdir is" in spaced.stdout
    joined = ["--hosts=controllers", f"--inventory={incident.inventory}", f"--configdir={incident.root}"]
    whole = run_checklist(*joined, "-m", "config", "-rf", tmp_path=tmp_path, cwd=tmp_path)
    assert "FAILED tests_infra/test_container_config.py::test_backend_url_carries_sentinel_password" \
           "[ansible://ctl1]" in whole.stdout
    assert "pytest's rootdir is" not in whole.stdout
    # `coordcheck check` (pytest with --rootdir where it runs): whole ids with the spaced spelling too
    checked = subprocess.run([sys.executable, "-m", "coordcheck", "check", *incident.checklist_args(), "-m", "config",
                              "-p", "no:cacheprovider"], capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert "FAILED tests_infra/test_container_config.py::test_backend_url_carries_sentinel_password" \
           "[ansible://ctl2]" in checked.stdout and "../" not in checked.stdout, checked.stdout[-2000:]


def test_summary_matrix_and_findings_by_id(incident, tmp_path):
    run = run_checklist(*incident.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
    summary = run.stdout.split("coordcheck summary", 1)[1]
    lines = [line.split() for line in summary.splitlines()]
    assert ["network", "sentinel", "auth", "master", "client", "config"] in lines
    assert ["ctl2", "pass", "pass", "pass", "pass", "fail", "fail"] in lines
    assert ["runner", "-", "-", "-", "-", "fail", "pass"] in lines
    assert ["SENTINEL_AUTH_MISSING", "fail", "11", "tests", "ctl1,", "ctl2,", "ctl3"] in lines
    assert "(cluster)" not in summary
    where = summary.split("where each ran:", 1)[1]
    # the lab's hosts are local connections: their probes run here, and the summary says so
    assert "ctl2: from this machine (ctl2 is a local connection); on ctl2 (testinfra)" in where
    assert "runner: from this machine" in where


def test_xdist_keeps_summary_causes_and_junit_whole(incident, tmp_path):
    """`pytest -n 2`: each test's cell and findings reach the controller on its report."""
    report = tmp_path / "report.json"
    run = run_checklist(*incident.checklist_args(), "-n", "2", "--report-json", str(report),
                        tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 1
    assert set(run.failures()) == SENTINEL_AUTH_CHECKS
    summary = run.stdout.split("coordcheck summary", 1)[1]
    lines = [line.split() for line in summary.splitlines()]
    assert ["ctl3", "pass", "pass", "pass", "pass", "fail", "fail"] in lines
    causes = summary.split("causes (each once):", 1)[1].split("short test summary info", 1)[0]
    assert causes.count("SENTINEL_AUTH_MISSING ") == 1
    data = json.loads(report.read_text())
    assert data["verdict"] == "fail" and data["hosts"] == ["ctl1", "ctl2", "ctl3"]
    [missing] = [c for c in data["causes"] if c["id"] == "SENTINEL_AUTH_MISSING"]
    assert {p["host"] for p in missing["places"]} == {"ctl1", "ctl2", "ctl3"}
    assert all(t.startswith("tests_infra/test_") for t in missing["tests"])
    assert_no_secret(run.output + report.read_text(), incident.password)


def test_incident_default_output_is_one_screen_with_every_fact(incident, tmp_path):
    """Issue 19: one cause, one block, one screen; `-v` brings each test's failure block back."""
    joined = ["--hosts=controllers", f"--inventory={incident.inventory}", f"--configdir={incident.root}"]
    run = run_checklist(*joined, tmp_path=tmp_path, cwd=tmp_path)
    lines = run.stdout.splitlines()
    assert run.returncode == 1 and len(lines) <= 60, f"{len(lines)} lines:\n{run.stdout}"
    # and no line a screen on its own (tooz's error once quoted ~1000 characters per sentinel client)
    assert max(map(len, lines)) <= 400, max(lines, key=len)
    causes = run.stdout.split("causes (each once):", 1)[1].split("short test summary info", 1)[0]
    assert [line.split()[0] for line in causes.splitlines() if re.match(r"  [A-Z_]+ ", line)] == \
        ["SENTINEL_AUTH_MISSING"]
    assert "follows:  TOOZ_HANDSHAKE_FAILED (4 tests, its places above)" in causes
    assert "hosts ctl1, ctl2, ctl3 (alike; <host> in a path is each host's name)" in causes
    for service, project in (("cinder-volume", "cinder"), ("designate-worker", "designate"),
                             ("masakari-api", "masakari"), ("mistral-api", "mistral")):
        assert re.search(rf"{service} +{incident.root}/<host>/{service}/{project}\.conf", causes), service
    corrected = next(line for line in causes.splitlines() if "corrected URL:" in line)
    assert corrected.count("socket_timeout=") == 1 and corrected.endswith("&sentinel_password=***")
    assert causes.count("once for every service") == 1 and causes.count("reconfigure --tags") == 1
    assert set(run.failures()) == SENTINEL_AUTH_CHECKS   # junit keeps every failure whole
    for test in SENTINEL_AUTH_CHECKS:
        assert f"FAILED tests_infra/{test.replace('::', '.py::', 1)}" in run.stdout
    assert "= FAILURES =" not in run.stdout
    verbose = run_checklist(*joined, "-v", tmp_path=tmp_path, cwd=tmp_path)
    assert "= FAILURES =" in verbose.stdout and "_ test_tooz_takes_a_lock_from_runner _" in verbose.stdout
    assert_no_secret(run.output + verbose.output, incident.password)
