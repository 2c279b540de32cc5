"""coordcheck.interrupt: Ctrl-C and SIGTERM end a run within a second in one line (exit 130) — at once
while it starts, after the session's cleanup while it runs, at once on a second signal — with the child
processes in flight killed. Signals go to real Python processes (the test's own is never touched)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coordcheck import interrupt
from tests.conftest import PROJECT

# The children wait in 50 ms slices, not one long sleep: CPython handles a signal that lands between its last
# check and the sleep's system call only when that sleep ends (1 in a few hundred here, under load).
PRELUDE = ("import os, subprocess, sys, time\nfrom coordcheck import interrupt\n"
           "def work(seconds=30):\n    for _ in range(int(seconds / 0.05)):\n        time.sleep(0.05)\n")


def started(tmp_path, body: str) -> subprocess.Popen:
    """A Python running ``body``, once it printed ``ready``."""
    proc = subprocess.Popen([sys.executable, "-c", PRELUDE + body], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(PROJECT)})
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return proc


def ended(proc: subprocess.Popen, *signals: int, between=lambda: None) -> tuple[int, str, float]:
    """(exit code, stderr, seconds) after sending ``signals``, ``between()`` waited for after each."""
    begun = time.monotonic()
    for number in signals:
        proc.send_signal(number)
        between()
    _, err = proc.communicate(timeout=20)
    return proc.returncode, err, time.monotonic() - begun


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_starting_ends_the_process_in_one_line(tmp_path, number):
    code, err, seconds = ended(started(tmp_path, "interrupt.install()\nprint('ready', flush=True)\nwork()"),
                               number)
    assert (code, err) == (interrupt.EXIT, "coordcheck: interrupted\n") and seconds < 5


def test_a_signal_while_running_runs_the_cleanup_first(tmp_path):
    body = ("interrupt.install(lambda: open('cleaned', 'w').write('lab stopped'))\n"
            "print('ready', flush=True)\nwork()")
    code, err, _ = ended(started(tmp_path, body), signal.SIGINT)
    assert (code, err) == (interrupt.EXIT, "coordcheck: interrupted\n")
    assert (tmp_path / "cleaned").read_text() == "lab stopped"


def test_a_second_signal_stops_a_slow_cleanup_at_once(tmp_path):
    body = ("interrupt.install(lambda: (open('began', 'w').close(), work()))\n"
            "print('ready', flush=True)\nwork()")
    def cleanup_began():
        deadline = time.monotonic() + 10
        while not (tmp_path / "began").exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    code, err, seconds = ended(started(tmp_path, body), signal.SIGINT, signal.SIGINT, between=cleanup_began)
    assert (code, err) == (interrupt.EXIT, "coordcheck: interrupted again: stopped at once\n")
    assert (tmp_path / "began").exists() and seconds < 5


def test_a_signal_after_the_program_ended_changes_nothing(tmp_path):
    """Not even in CPython's finalisation, which dies of a SIGINT with no line (exit -2): the exit code stands."""
    body = ("import atexit, signal\n"   # registered first, so run after interrupt's own atexit function
            "atexit.register(lambda: (os.kill(os.getpid(), signal.SIGINT), time.sleep(0.2), print('ended')))\n"
            "interrupt.install(lambda: print('cleanup ran'))\nprint('ready', flush=True)\nsys.exit(3)")
    proc = started(tmp_path, body)
    out, err = proc.communicate(timeout=20)
    assert (proc.returncode, out, err) == (3, "ended\n", "")


def test_the_children_in_flight_are_killed(tmp_path):
    body = ("child = subprocess.Popen(['sleep', '60'], start_new_session=True)\ninterrupt.install()\n"
            "interrupt.track(child.pid)\nopen('child', 'w').write(str(child.pid))\nprint('ready', flush=True)\n"
            "work()")
    proc = started(tmp_path, body)
    child = int((tmp_path / "child").read_text())
    assert alive(child) and ended(proc, signal.SIGTERM)[0] == interrupt.EXIT
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)


def alive(pid: int) -> bool:
    """The process runs (a zombie, killed and not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def test_an_interrupted_pool_cancels_what_has_not_started():
    assert not interrupt.interrupted()
    with pytest.raises(KeyboardInterrupt):
        with interrupt.thread_pool(1) as pool:
            running = pool.submit(time.sleep, 0.3)
            queued = [pool.submit(time.sleep, 5) for _ in range(3)]
            raise KeyboardInterrupt
    assert running.done() and all(f.cancelled() for f in queued)


def test_a_pool_that_is_not_interrupted_finishes_its_work():
    with interrupt.thread_pool(0) as pool:  # at least one worker
        futures = [pool.submit(pow, 2, n) for n in range(5)]
    assert [f.result() for f in futures] == [1, 2, 4, 8, 16]
