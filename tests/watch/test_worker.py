"""The watch's worker (`coordcheck.watch.worker`): one long-lived process
that runs round after round of pytest (``pytest.main``), each round's
status back on its pipe and only its output in the log, a round past its
deadline or asked to stop left at once, the whole process group killed;
replaced every so many rounds on a real lab, so its memory stays bounded."""

import os
import subprocess
import sys
import threading
import time

import pytest

from coordcheck.watch import worker
from coordcheck.watch.loop import Settings, Watch
from coordcheck.watch.worker import Worker, resident_bytes

ROUNDS = '''
import pathlib, time

HERE = pathlib.Path(__file__).parent

def test_round():
    assert not (HERE / "fail").exists()
    if (HERE / "slow").exists():
        time.sleep(30)
'''


@pytest.fixture
def rounds(tmp_path):
    """A worker, and a test file whose round fails while a file ``fail`` is beside it, lasts 30 s while ``slow`` is."""
    (tmp_path / "test_round.py").write_text(ROUNDS)
    started = Worker(sys.executable, tmp_path / "round.log")
    yield started, ["-q", "-p", "no:cacheprovider", f"--rootdir={tmp_path}", "-s", str(tmp_path / "test_round.py")]
    started.kill()


def test_resident_bytes_of_a_process_and_of_none():
    assert resident_bytes(os.getpid()) > 2 ** 20
    gone = subprocess.Popen(["true"])
    gone.wait()
    assert resident_bytes(gone.pid) == 0


def test_rounds_run_in_one_process_each_with_its_own_status_and_log(rounds, tmp_path):
    running, args = rounds
    never = threading.Event()
    assert running.run(args, time.monotonic() + 120, never) == ("ran", 0)
    (tmp_path / "fail").write_text("")
    assert running.run(args, time.monotonic() + 120, never) == ("ran", 1)
    log = running.log.read_text()
    assert "1 failed" in log and "1 passed" not in log   # the log holds the last round only
    assert running.rounds == 2 and running.process.poll() is None and running.cpu_seconds() > 0
    assert not running.worn()


def test_a_round_past_its_deadline_or_asked_to_stop_is_left_at_once(rounds, tmp_path):
    running, args = rounds
    (tmp_path / "slow").write_text("")   # no round replies: the first one sleeps on
    stop = threading.Event()
    assert running.run(args, time.monotonic() - 1, stop)[0] == "overrun"
    stop.set()
    began = time.monotonic()
    assert running.run(args, time.monotonic() + 120, stop)[0] == "stopped"
    assert time.monotonic() - began < 1
    running.kill()
    assert running.process.poll() is not None and resident_bytes(running.pid) == 0   # SIGINT ended its round


@pytest.mark.xdist_group("watch-loop")   # watched_lab: one lab, on one worker
def test_the_worker_is_replaced_every_so_many_rounds(watched_lab, tmp_path, monkeypatch):
    """Rounds run in one worker (the plugin imported once); after
    RECYCLE_ROUNDS a new worker takes over, so its memory stays bounded."""
    monkeypatch.setattr(worker, "RECYCLE_ROUNDS", 2)
    watch = Watch(Settings([*watched_lab.checklist_args(), "-m", "auth"], tmp_path / "c.prom", every=60))
    pids = []
    try:
        for _ in range(5):
            assert watch.round().outcome == "ran"
            pids.append(watch.worker.pid)
    finally:
        watch.close()
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4], pids
    assert not watch.state.exists()
