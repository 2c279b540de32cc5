"""The checklist end to end, against a deployment made by `coordcheck up`:
healthy, then the incident (`coordcheck repro`), then bad command lines."""

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import assert_no_secret, reported, run_checklist, run_cli

RUNBOOK_MODULES = {"test_network", "test_sentinel", "test_auth", "test_master", "test_python_client",
                   "test_container_config"}
HOSTS = ("ctl1", "ctl2", "ctl3")
SENTINEL_AUTH_CHECKS = {
    f"{module}::{test}[ansible://{host}]"
    for host in HOSTS
    for module, test in (("test_python_client", "test_redis_py_discovers_master_with_service_url"),
                         ("test_python_client", "test_tooz_takes_a_lock_with_service_url"),
                         ("test_container_config", "test_backend_url_carries_sentinel_password"))
} | {"test_python_client::test_redis_py_discovers_master_from_runner",
     "test_python_client::test_tooz_takes_a_lock_from_runner"}


@pytest.fixture
def incident(deployment):
    run_cli("repro", "--dir", str(deployment.root))
    yield deployment
    run_cli("fix", "--dir", str(deployment.root))


def test_healthy_deployment_passes_every_check(deployment, tmp_path):
    run = run_checklist(*deployment.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
    outcomes = run.outcomes()
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(outcomes.values()) == {"passed"}
    assert {test.split("::")[0] for test in outcomes} == RUNBOOK_MODULES
    assert all(any(f"[ansible://{h}]" in t for t in outcomes) for h in HOSTS)


def test_incident_fails_exactly_the_sentinel_auth_checks(incident, tmp_path):
    run = run_checklist(*incident.checklist_args(), "-vv", "-o", "log_cli=true", "--log-cli-level=DEBUG",
                        tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 1
    failures = run.failures()
    assert set(failures) == SENTINEL_AUTH_CHECKS
    for test, message in failures.items():
        assert "see cause SENTINEL_AUTH_MISSING under 'causes (each once)'" in message
        assert "sentinel_password" in message or message.startswith("Failed: TOOZ_HANDSHAKE_FAILED")
        if "ansible://" in test:
            host = test.split("ansible://")[1].rstrip("]")
            assert f"host {host}" in message
            assert str(incident.root / host / "cinder-volume" / "cinder.conf") in message
    tooz = failures["test_python_client::test_tooz_takes_a_lock_with_service_url[ansible://ctl2]"]
    assert tooz.startswith("Failed: TOOZ_HANDSHAKE_FAILED") and "cause: SENTINEL_AUTH_MISSING" in tooz
    # testinfra logs every command it runs on a host at DEBUG: they are in the output, password-free
    assert "RUN CommandResult(" in run.stdout and re.search(r"/dev/tcp/.* 127\.\d+\.\d+\.\d+/26379", run.stdout)
    assert "cinder.conf (output withheld: it holds passwords)" in run.stdout
    assert_no_secret(run.output, incident.password)


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


def test_incident_fix_names_both_kolla_ways(incident, tmp_path):
    run = run_checklist(*incident.checklist_args(), "-m", "config", tmp_path=tmp_path, cwd=tmp_path)
    short = run.failures()["test_container_config::test_backend_url_carries_sentinel_password[ansible://ctl1]"]
    assert "see cause SENTINEL_AUTH_MISSING under 'causes (each once)'" in short
    message = run.stdout.split("causes (each once):", 1)[1].split("short test summary info", 1)[0]
    assert message.count("SENTINEL_AUTH_MISSING") == 1
    assert 'redis_connection_string_extras: "&db=0&socket_timeout=60&retry_on_timeout=yes' \
           '&sentinel_password={{ redis_master_password }}"' in message
    assert "config/cinder.conf" in message
    assert f"kolla-ansible -i {incident.inventory} reconfigure --tags cinder,designate,masakari,mistral" in message
    assert "&sentinel_password=***" in message


def test_markers_select_one_runbook_step(deployment, tmp_path):
    run = run_checklist(*deployment.checklist_args(), "-m", "network", tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 0
    assert {t.split("::")[0] for t in run.outcomes()} == {"test_network"}


@pytest.mark.parametrize("args, says", [
    (["--hosts=nope"], "ERROR: --hosts: no group or host 'nope' in inventory"),
    (["--hosts=redis,"], None),
    (["--hosts=empty"], "ERROR: --hosts 'empty' matches no host in inventory"),
])
def test_host_selection(deployment, tmp_path, args, says):
    inventory = tmp_path / "multinode"
    inventory.write_text(deployment.inventory.read_text() + "\n[empty]\n")
    run = run_checklist("--inventory", str(inventory), "--configdir", str(deployment.root), *args, "-m", "network",
                        tmp_path=tmp_path, cwd=tmp_path)
    if says is None:
        assert run.returncode == 0
    else:
        assert run.returncode == 4 and says in run.stderr
        assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args, says", [
    (["--inventory", "/nonexistent/multinode"], "ERROR: inventory /nonexistent/multinode does not exist"),
    (["--configdir", "/tmp"], "ERROR: --configdir and --passwords need --inventory"),
    (["--inventory", "{inv}", "--configdir", "{root}", "--passwords", "/nonexistent.yml"],
     "ERROR: passwords file /nonexistent.yml does not exist"),
])
def test_bad_command_lines_are_one_line(deployment, tmp_path, args, says):
    args = [a.format(inv=deployment.inventory, root=deployment.root) for a in args]
    run = run_checklist(*args, tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 4
    assert run.stderr.strip() == says


def test_host_without_service_configs_is_a_finding_not_a_traceback(deployment, tmp_path):
    inventory = tmp_path / "multinode"
    text = deployment.inventory.read_text()
    inventory.write_text(text.replace(f"node_config_directory={deployment.root / 'ctl3'}",
                                      "node_config_directory=/nonexistent/kolla"))
    run = run_checklist("--hosts=controllers", "--inventory", str(inventory), "--configdir", str(deployment.root),
                        "-m", "config", tmp_path=tmp_path, cwd=tmp_path)
    failures = run.failures()
    assert set(failures) == {"test_container_config::test_service_configs_found[ansible://ctl3]"}
    message = failures["test_container_config::test_service_configs_found[ansible://ctl3]"]
    assert "CONFIG_MISSING" in message and "node_config_directory /nonexistent/kolla does not exist on host ctl3" in message
    assert "Traceback" not in run.stdout


def test_host_whose_address_does_not_resolve_is_host_unreachable(deployment, tmp_path):
    inventory = tmp_path / "multinode"
    inventory.write_text(deployment.inventory.read_text().replace(
        "[control]\n", "[control]\nctl9 ansible_host=no-such-host.invalid ansible_connection=ssh\n", 1))
    run = run_checklist("--hosts=ctl9", "--inventory", str(inventory), "--configdir", str(deployment.root),
                        "-m", "network or config", tmp_path=tmp_path, cwd=tmp_path, timeout=60)
    assert run.returncode == 1
    failures = run.failures()
    assert failures and all("HOST_UNREACHABLE" in text and "no-such-host.invalid" in text for text in failures.values())
    assert "Traceback" not in run.output and "CommandResult" not in run.output


@pytest.mark.parametrize("content, says", [
    (b"\x00\xff\xfe junk \x9c", "is not text"),
    (b"[DEFAULT]\ndebug = true\n[coordination]\n", "[coordination] section without backend_url"),
    (b"[coordination]\nbackend_url =\n", "backend_url is empty"),
], ids=["binary", "no backend_url", "empty backend_url"])
def test_service_config_the_service_cannot_use_is_config_unreadable(deployment, tmp_path, content, says):
    """No silent pass: a config replaced by junk, or whose [coordination]
    lost its backend_url, is named on its host."""
    path = next((deployment.root / "ctl2").glob("*/*.conf"))
    original = path.read_bytes()
    try:
        path.write_bytes(content)
        run = run_checklist(*deployment.checklist_args(), "-m", "config", tmp_path=tmp_path, cwd=tmp_path)
    finally:
        path.write_bytes(original)
    assert run.returncode == 1
    found = reported(run)
    assert "CONFIG_UNREADABLE" in found and all("host ctl2" in where for where in found["CONFIG_UNREADABLE"])
    assert says in " ".join(run.failures().values())


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


@pytest.mark.parametrize("broken, status, code", [(False, "OK", 0), (True, "CRITICAL", 2)])
def test_nagios_line(deployment, tmp_path, broken, status, code):
    if broken:
        run_cli("repro", "--dir", str(deployment.root))
    try:
        run = run_checklist(*deployment.checklist_args(), "--nagios", tmp_path=tmp_path, cwd=tmp_path)
    finally:
        run_cli("fix", "--dir", str(deployment.root))
    assert run.returncode == code
    first = run.stdout.splitlines()[0]
    assert first.startswith(f"COORDCHECK {status} - ") and " | hosts=3 failed=" in first and " warnings=0 duration=" in first
    assert ("SENTINEL_AUTH_MISSING" in first) is broken
    assert_no_secret(run.output, deployment.password)


@pytest.mark.parametrize("since", ["30m", "1h", "1h30m", "2026-11-25T10:00:00"])
def test_logs_since_takes_durations_and_iso_times(deployment, tmp_path, since):
    run = run_checklist(*deployment.checklist_args(), "-m", "config", f"--logs-since={since}", tmp_path=tmp_path,
                        cwd=tmp_path)
    assert run.returncode == 0 and "ERROR" not in run.stderr, run.stdout[-2000:] + run.stderr


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
