"""``coordcheck watch`` against a real lab (`coordcheck up`): the textfile
across rounds shows the incident appear (`repro`) and clear (`fix`), the
watch's memory stays flat, SIGTERM ends it within about a second, ``--once``
exits with the round's status, a round that overruns or fails is reported
and the loop goes on; bad check options end it with their line."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from coordcheck.watch.loop import resident_bytes
from tests.conftest import PROJECT, assert_no_secret, run_cli

SERVICES = {"cinder-volume", "designate-worker", "masakari-api", "mistral-api"}
pytestmark = pytest.mark.xdist_group("watch-loop")   # watched_lab: one lab, on one worker


def read_textfile(path: Path) -> dict:
    """family name -> [(labels, value)], as prometheus_client parses the file."""
    return {f.name: [(s.labels, s.value) for s in f.samples] for f in text_string_to_metric_families(path.read_text())}


def value(families: dict, name: str) -> float:
    [(_, found)] = families[name]
    return found


def findings(families: dict) -> set[tuple[str, str, str]]:
    return {(labels["id"], labels["host"], labels["service"]) for labels, _ in families.get("coordcheck_finding", [])}


def start_watch(textfile: Path, deployment, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "coordcheck", "watch", "--textfile", str(textfile), *args,
                             *deployment.checklist_args()], cwd=PROJECT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def next_round(textfile: Path, after: int, watch: subprocess.Popen, timeout: float = 240) -> dict:
    """The textfile of the first round numbered above ``after``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert watch.poll() is None, f"watch ended: {watch.communicate()}"
        if textfile.is_file():
            families = read_textfile(textfile)
            if value(families, "coordcheck_watch_rounds") > after:   # the parser drops a counter's _total
                return families
        time.sleep(0.2)
    raise AssertionError(f"no round after {after} in {timeout} s")


def round_number(families: dict) -> int:
    return int(value(families, "coordcheck_watch_rounds"))


def round_started_after_now(textfile: Path, watch: subprocess.Popen) -> dict:
    """The first round that started after this call: the latest written is
    round r, r + 1 may be running since before, r + 2 starts after it."""
    return next_round(textfile, round_number(read_textfile(textfile)) + 1, watch)


def test_watch_sees_the_incident_appear_and_clear(watched_lab, tmp_path):
    textfile = tmp_path / "coordcheck.prom"
    watch = start_watch(textfile, watched_lab, "--every", "1s", "--round-deadline", "180s", "-m", "config")
    try:
        healthy = next_round(textfile, 0, watch)
        assert findings(healthy) == set() and value(healthy, "coordcheck_run_ok") == 1
        memory = [resident_bytes(watch.pid)]
        run_cli("repro", "--dir", str(watched_lab.root))
        seen = round_started_after_now(textfile, watch)
        memory.append(resident_bytes(watch.pid))
        hosts = set(watched_lab.hosts)
        assert findings(seen) == {("SENTINEL_AUTH_MISSING", h, s) for h in hosts for s in SERVICES}
        assert value(seen, "coordcheck_run_ok") == 0 and value(seen, "coordcheck_watch_last_round_ok") == 1
        run_cli("fix", "--dir", str(watched_lab.root))
        cleared = round_started_after_now(textfile, watch)
        memory.append(resident_bytes(watch.pid))
        assert findings(cleared) == set() and value(cleared, "coordcheck_run_ok") == 1
        assert value(cleared, "coordcheck_watch_round_overruns") == 0
        assert value(cleared, "coordcheck_watch_round_failures") == 0
        assert abs(value(cleared, "coordcheck_last_run_timestamp_seconds") - time.time()) < 180
        # flat: the rounds' memory goes with their processes (a generous bound; bench/watch.py has the figure)
        assert max(memory) - memory[0] < 16 * 2 ** 20, memory
        assert [p.name for p in tmp_path.iterdir()] == ["coordcheck.prom"]   # no temporary file left
    finally:
        began = time.monotonic()
        watch.send_signal(signal.SIGTERM)
        out, err = watch.communicate(timeout=10)
    assert time.monotonic() - began < 1.5, "SIGTERM took longer than about a second"
    assert watch.returncode == 0, err
    assert "Traceback" not in err
    assert_no_secret(out + err, watched_lab.password)


def test_sigterm_mid_round_ends_it_and_its_round(watched_lab, tmp_path):
    textfile = tmp_path / "coordcheck.prom"
    watch = start_watch(textfile, watched_lab, "--every", "60s")
    time.sleep(3)   # inside the first round: its pytest runs
    children = [int(p) for p in Path(f"/proc/{watch.pid}/task/{watch.pid}/children").read_text().split()]
    assert children, "the round's process did not start"
    began = time.monotonic()
    watch.send_signal(signal.SIGTERM)
    watch.communicate(timeout=10)
    assert time.monotonic() - began < 1.5 and watch.returncode == 0
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], "the round's process outlived the watch"


def test_once_exits_with_the_rounds_status_and_an_overrun_is_reported(watched_lab, tmp_path):
    textfile = tmp_path / "coordcheck.prom"
    done = subprocess.run([sys.executable, "-m", "coordcheck", "watch", "--once", "--every", "30s",
                           "--round-deadline", "0.3s", "--textfile", str(textfile), *watched_lab.checklist_args()],
                          cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "coordcheck watch: round 1 overran its deadline of 0.3 s: stopped" in done.stderr
    families = read_textfile(textfile)
    assert value(families, "coordcheck_watch_round_overruns") == 1
    assert value(families, "coordcheck_watch_last_round_ok") == 0
    assert "coordcheck_run_ok" not in families   # no verdict was reached: none is claimed

    done = subprocess.run([sys.executable, "-m", "coordcheck", "watch", "--once", "--every", "300s",
                           "--textfile", str(textfile), "-m", "auth", *watched_lab.checklist_args()],
                          cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    families = read_textfile(textfile)
    assert value(families, "coordcheck_run_ok") == 1 and value(families, "coordcheck_watch_last_round_ok") == 1
    assert {labels["step"] for labels, _ in families["coordcheck_step_ok"]} == {"auth"}


def test_check_options_it_refuses_end_the_watch_with_their_line(watched_lab, tmp_path):
    done = subprocess.run([sys.executable, "-m", "coordcheck", "watch", "--every", "100s", "--textfile",
                           str(tmp_path / "c.prom"), "-m", "nosuchstep", *watched_lab.checklist_args()],
                          cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "unknown marker 'nosuchstep'" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_failing_round_never_ends_the_loop(watched_lab, tmp_path):
    """Rounds that reach no verdict (here: no test selected, pytest exit 5) are
    counted and reported, one line each, and the next round still starts."""
    textfile = tmp_path / "coordcheck.prom"
    watch = start_watch(textfile, watched_lab, "--every", "0.1s", "--round-deadline", "120s",
                        "-m", "network and not network")
    try:
        families = next_round(textfile, 1, watch)
        assert value(families, "coordcheck_watch_round_failures") == round_number(families) >= 2
        assert value(families, "coordcheck_watch_last_round_ok") == 0 and watch.poll() is None
    finally:
        watch.send_signal(signal.SIGTERM)
        _, err = watch.communicate(timeout=10)
    assert "coordcheck watch: round 1 failed (pytest exit 5)" in err and "round 2 failed" in err, err
    assert watch.returncode == 0
