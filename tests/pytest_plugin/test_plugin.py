"""The plugin end to end (`coordcheck.pytest_plugin.plugin`): the checklist
collected and run against a deployment made by `coordcheck up` (healthy,
then the incident), what it cannot use named as a finding, input it cannot
read refused in one line before any work, a run that stops early or is
interrupted (Ctrl-C) ended at once, with junit saying so."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from coordcheck.lab.garbage import garbage_cloud
from coordcheck.pytest_plugin.plugin import checklist_folder
from tests.conftest import PROJECT, assert_no_secret, reported, run_checklist
from tests.pytest_plugin.checklist_ids import HOSTS, RUNBOOK_MODULES, SENTINEL_AUTH_CHECKS
from tests.pytest_plugin.repos import (PASSWORD, assert_clean, assert_one_error_line, big_passwords, gate,
                                       inline_vault, script, vaulted, write)

#: Generous on a loaded test machine; bench/hostile.py measures it against its 1 s target.
CTRL_C_SECONDS = 5.0


def test_the_checklist_is_the_shipped_package():
    """Installed, the checklist is ``coordcheck.checklist``: the checkout's tests_infra/, one module per step."""
    assert checklist_folder() == (PROJECT / "tests_infra").resolve()
    assert RUNBOOK_MODULES <= {path.stem for path in checklist_folder().glob("test_*.py")}


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


def test_markers_select_one_runbook_step(deployment, tmp_path):
    run = run_checklist(*deployment.checklist_args(), "-m", "network", tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 0
    assert {t.split("::")[0] for t in run.outcomes()} == {"test_network"}


# -- what the checklist cannot use is a finding, never a traceback or a silent pass ----------
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


# -- input files it cannot read: one ERROR line, before any work ------------------------------
# (id, set-up of the repo -> extra command-line arguments, what the one line says)
BAD_FILES = [
    ("passwords /dev/zero", lambda r: ["--passwords", "/dev/zero"], "is a character device, not a regular file"),
    ("passwords 40 MB", lambda r: ["--passwords", big_passwords(r)], "is larger than 4 MB"),
    ("passwords a folder", lambda r: ["--passwords", str(r)], "is a directory"),
    ("passwords missing", lambda r: ["--passwords", str(r / "nope.yml")], "does not exist"),
    ("passwords binary", lambda r: (write(r, "etc/kolla/passwords.yml", b"\xff\xfe\x00junk"), [])[1],
     "is binary, not text"),
    ("passwords latin-1", lambda r: (write(r, "etc/kolla/passwords.yml", b"redis_master_password: caf\xe9\n"), [])[1],
     "is not UTF-8 text"),
    ("passwords bad YAML", lambda r: (write(r, "etc/kolla/passwords.yml", "a: b: c\n"), [])[1],
     "line 1 is not valid YAML"),
    ("passwords a list", lambda r: (write(r, "etc/kolla/passwords.yml", "- x\n"), [])[1],
     "must hold a YAML mapping, not list"),
    ("passwords vaulted, no vault password", lambda r: (write(r, "etc/kolla/passwords.yml", vaulted(
        f"redis_master_password: {PASSWORD}\n")), [])[1], "ansible-vault encrypted: give --vault-password-file"),
    ("passwords vaulted, wrong vault password", lambda r: (
        write(r, "etc/kolla/passwords.yml", vaulted(f"redis_master_password: {PASSWORD}\n")),
        write(r, "wrong.txt", "not-it\n"), ["--vault-password-file", str(r / "wrong.txt")])[2],
     "the vault password does not decrypt it"),
    ("inline !vault without vault password", lambda r: (write(r, "etc/kolla/passwords.yml",
        "redis_master_password: " + inline_vault(PASSWORD)), [])[1], "is ansible-vault encrypted (!vault)"),
    ("vault password file empty", lambda r: (write(r, "empty.txt", "\n"), ["--vault-password-file", str(r / "empty.txt")])[1],
     "is empty"),
    ("vault password file /dev/zero", lambda r: ["--vault-password-file", "/dev/zero"], "is a character device"),
    ("vault password script fails", lambda r: ["--vault-password-file", script(r, "exit 3")], "a script that exited 3"),
    ("globals binary", lambda r: (write(r, "etc/kolla/globals.yml", b"\x00\x01\x02"), [])[1], "is binary, not text"),
    ("globals bad YAML", lambda r: (write(r, "etc/kolla/globals.yml", "enable_redis: [\n"), [])[1],
     "globals file"),
    ("inventory INI broken", lambda r: (write(r, "multinode", "[control\nctl1 a b c=\n"), [])[1],
     "cannot be parsed as INI"),
    ("inventory YAML broken", lambda r: (write(r, "multinode", "all:\n  hosts: [\n"), [])[1],
     "cannot be parsed as YAML"),
    ("inventory without sentinels", lambda r: (write(r, "multinode", "[control]\nctl1\n"), [])[1],
     "has no hosts in group 'redis'"),
    ("inventory without hosts", lambda r: (write(r, "multinode", "# nothing\n"), [])[1], "defines no hosts"),
    ("configdir missing", lambda r: ["--configdir", str(r / "nope")], "is not a directory"),
]


@pytest.mark.parametrize("setup, says", [row[1:] for row in BAD_FILES], ids=[row[0] for row in BAD_FILES])
def test_bad_input_file_is_one_error_line(repo, tmp_path, setup, says):
    extra = setup(repo)
    if "--configdir" in extra:  # replaces the repository's
        run = run_checklist("-m", "config", "--inventory", str(repo / "multinode"), *extra, tmp_path=tmp_path,
                            cwd=tmp_path)
        run.seconds = 0
    else:
        run = gate(repo, tmp_path, *extra, timeout=60)
    assert_one_error_line(run, says)
    assert_clean(run)
    assert run.seconds < 10


def test_corpus_is_large_enough():
    from tests.cli.test_lab import CASES
    from tests.kolla.bad_input import BAD_CONFIG_FILES, BAD_DEPLOYMENTS, BAD_URLS
    from tests.pytest_plugin.test_gate import PAYLOADS
    from tests.pytest_plugin.test_options import BAD_OPTIONS

    total = len(BAD_OPTIONS) + len(BAD_FILES) + len(PAYLOADS) + len(BAD_URLS) + len(BAD_CONFIG_FILES) + \
        len(BAD_DEPLOYMENTS) + len(CASES)
    assert total >= 80, total


def test_a_run_that_stops_early_leaves_junit_with_one_failing_case(repo, tmp_path):
    (repo / "etc" / "kolla" / "passwords.yml").write_text("a: b: c\n")
    run = gate(repo, tmp_path, timeout=60)
    assert run.returncode == 4
    assert 'tests="1"' in run.junit and 'failures="1"' in run.junit and "is not valid YAML" in run.junit


# -- Ctrl-C ends a run at once -----------------------------------------------------------
@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_against_silent_servers_ends_the_run_at_once_without_a_report(tmp_path, presses):
    with garbage_cloud(tmp_path / "kolla", "silent") as root:
        proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--hosts=controllers",
                                 "--inventory", str(root / "multinode"), "--configdir", str(root),
                                 f"--junitxml={tmp_path}/junit.xml", f"--report-json={tmp_path}/report.json"],
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seen = ""
        while "tests_infra/" not in seen:   # the probes are in flight once the first module starts (no newline yet)
            char = proc.stdout.read(1)
            assert char, seen[-2000:]
            seen += char
        time.sleep(0.3)
        started = time.monotonic()
        for _ in range(presses):
            proc.send_signal(signal.SIGINT)
            time.sleep(0.05)
        rest, _ = proc.communicate(timeout=30)
        seconds = time.monotonic() - started
    output = seen + rest
    assert proc.returncode == 130, output[-2000:]
    assert seconds < CTRL_C_SECONDS, seconds
    assert "Traceback" not in output and "coordcheck: interrupted" in output
    assert not (tmp_path / "report.json").exists()
    junit = (tmp_path / "junit.xml").read_text()
    assert 'tests="1"' in junit and "the run did not complete" in junit


@pytest.mark.parametrize("moment", ["while it starts", "as it ends"])
def test_ctrl_c_on_the_gate_is_one_line_or_changes_nothing(repo, tmp_path, moment):
    """While it starts (importing, rendering): one line, exit 130. Once its last line is out: its exit code."""
    proc = subprocess.Popen([sys.executable, "-m", "coordcheck", "gate", "--configdir", str(repo / "etc/kolla"),
                             "--inventory", str(repo / "multinode"), "-p", "no:cacheprovider"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    seen = ""
    if moment == "while it starts":
        time.sleep(0.3)
    else:
        while not re.search(r"=+ \d+ passed.* in [\d.]+s", seen):
            line = proc.stdout.readline()
            assert line, seen[-2000:]
            seen += line
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=30)
    output = seen + rest
    assert time.monotonic() - started < CTRL_C_SECONDS
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    if moment == "while it starts":
        assert (proc.returncode, output) == (130, "coordcheck: interrupted\n")
    else:   # warnings, no failure: exit 0 (or the one line, had the signal come before the process ended)
        assert proc.returncode == 0 or (proc.returncode, rest) == (130, "coordcheck: interrupted\n"), output[-2000:]


LATE_SIGNAL = """import atexit, os, signal
def pytest_sessionstart(session):   # registered after coordcheck's atexit function: run at exit before it
    atexit.register(os.kill, os.getpid(), signal.SIGINT)
"""


def test_ctrl_c_after_the_session_ends_the_process_and_rewrites_no_output(repo, tmp_path):
    (tmp_path / "late_signal.py").write_text(LATE_SIGNAL)
    junit = tmp_path / "junit.xml"
    done = subprocess.run([sys.executable, "-m", "coordcheck", "gate", "--configdir", str(repo / "etc/kolla"),
                           "--inventory", str(repo / "multinode"), "-p", "no:cacheprovider", "-p", "late_signal",
                           f"--junitxml={junit}"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PROJECT)])})
    assert (done.returncode, done.stderr) == (130, "coordcheck: interrupted\n"), done.stdout[-2000:]
    assert "the run did not complete" not in junit.read_text() and 'failures="0"' in junit.read_text()
