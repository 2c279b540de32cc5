"""The checklist's and the gate's options (`coordcheck.pytest_plugin.options`),
as an operator types them: each bad value is one clear line and exit 4,
before any work; the hosts they select, the times they take."""

import pytest

from tests.conftest import run_checklist
from tests.pytest_plugin.repos import assert_clean, assert_one_error_line, gate

# (id, set-up of the repo -> extra command-line arguments, what the one line says)
BAD_OPTIONS = [
    ("probe-timeout negative", lambda r: ["--probe-timeout=-1"], "--probe-timeout -1: must be between"),
    ("probe-timeout zero", lambda r: ["--probe-timeout=0"], "--probe-timeout 0: must be between"),
    ("probe-timeout nan", lambda r: ["--probe-timeout=nan"], "--probe-timeout nan: must be between"),
    ("probe-timeout inf", lambda r: ["--probe-timeout=inf"], "--probe-timeout inf: must be between"),
    ("probe-timeout text", lambda r: ["--probe-timeout=fast"], "--probe-timeout 'fast': not a number"),
    ("tooz-timeout zero", lambda r: ["--tooz-timeout=0"], "--tooz-timeout 0: must be between"),
    ("failover-wait negative", lambda r: ["--failover-wait=-5"], "--failover-wait -5: must be between"),
    ("logs-since vague", lambda r: ["--logs-since=yesterday-ish"], "--logs-since 'yesterday-ish': give a duration"),
    ("logs-since days", lambda r: ["--logs-since=2d"], "--logs-since '2d': give a duration"),
    ("hosts empty", lambda r: ["--hosts="], "--hosts is empty"),
    ("hosts commas", lambda r: ["--hosts=,,"], "--hosts is empty"),
    ("hosts unknown group", lambda r: ["--hosts=computes"], "no group or host 'computes'"),
    ("marker misspelled", lambda r: ["-m", "confg"], "unknown marker 'confg'"),
    ("marker expression", lambda r: ["-m", "config and not gates"], "unknown marker 'gates'"),
    ("junit into /proc", lambda r: ["--junitxml=/proc/x/junit.xml"], "--junitxml /proc/x/junit.xml"),
    ("junit onto a folder", lambda r: [f"--junitxml={r}"], "--junitxml must be a filename"),
]


@pytest.mark.parametrize("setup, says", [row[1:] for row in BAD_OPTIONS], ids=[row[0] for row in BAD_OPTIONS])
def test_bad_option_is_one_error_line(repo, tmp_path, setup, says):
    run = gate(repo, tmp_path, *setup(repo), timeout=60)
    assert_one_error_line(run, says)
    assert_clean(run)
    assert run.seconds < 10


def test_drill_is_refused_without_allow_failover(tmp_path):
    run = run_checklist("-m", "failover_drill", tmp_path=tmp_path, cwd=tmp_path, timeout=60)
    assert run.returncode == 4
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert lines == ["ERROR: -m failover_drill triggers SENTINEL FAILOVER on the live master: give --allow-failover "
                     "to run the drill"], run.stderr


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


@pytest.mark.parametrize("since", ["30m", "1h", "1h30m", "2026-11-25T10:00:00"])
def test_logs_since_takes_durations_and_iso_times(deployment, tmp_path, since):
    run = run_checklist(*deployment.checklist_args(), "-m", "config", f"--logs-since={since}", tmp_path=tmp_path,
                        cwd=tmp_path)
    assert run.returncode == 0 and "ERROR" not in run.stderr, run.stdout[-2000:] + run.stderr
