"""The watch loop: one round of the checklist every ``every`` seconds, run
by a long-lived worker process (`coordcheck.watch.worker`: ``pytest.main``
per round, the plugin imported once) whose SSH master connections stay open
between rounds in the watch's own control directory, so that a round after
the first pays neither start-up nor SSH handshake. The worker is killed,
whole process group, at a round's deadline, and replaced every so many
rounds (its memory stays bounded); the watch process itself stays small.
After every round the textfile is rewritten atomically: the last completed
round's metrics (`coordcheck.pytest_plugin.outputs.as_prometheus`) and the
watch's own.

    watch = Watch(Settings(["--hosts=controllers", "--inventory=multinode"], Path("coordcheck.prom"), every=60))
    watch.run()      # until SIGTERM / SIGINT (or one round: Settings(once=True))

A round that overruns its deadline is stopped and reported (a line and
``coordcheck_watch_round_overruns_total``); the next round starts on
schedule, never stacked. A failing round never ends the loop.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from coordcheck.textfile import sample_value, write_atomically
from coordcheck.watch.worker import Worker, resident_bytes
from coordcheck.secrets import KNOWN

#: pytest's exit codes of a round that ran: every check passed (or warned), some failed
RAN = (0, 1)
USAGE_ERROR = 4


@dataclass
class Settings:
    check_args: list[str]
    textfile: Path
    every: float = 60.0
    deadline: float | None = None     # a round's bound; default ``every``
    once: bool = False
    python: str = field(default_factory=lambda: sys.executable)

    @property
    def round_deadline(self) -> float:
        return self.deadline or self.every


@dataclass
class Round:
    number: int
    outcome: str          # ran | overrun | failed | stopped
    exit_status: int | None
    wall: float
    cpu: float
    output_tail: str = ""


class Watch:
    def __init__(self, settings: Settings, log=None) -> None:
        self.settings, self.log = settings, log or sys.stderr
        self.stop = threading.Event()
        self.state = Path(tempfile.mkdtemp(prefix="coordcheck-watch-"))   # short: SSH's ControlPath limit
        self.counts = {"rounds": 0, "overruns": 0, "failures": 0}
        self.checked = ""            # the last completed round's textfile
        self.last: Round | None = None
        self.worker: Worker | None = None

    # -- the loop -------------------------------------------------------------------
    def run(self) -> int:
        """Rounds until stopped; the exit status: 0, or with ``once`` the round's."""
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            start = time.monotonic()
            while not self.stop.is_set():
                done = self.round()
                if done.outcome == "failed" and done.exit_status == USAGE_ERROR and done.number == 1:
                    self._say(f"error: {done.output_tail or 'the check options were refused'}")
                    return 2
                if self.settings.once or self.stop.is_set():
                    break
                start = self._next_start(start)
                self.stop.wait(max(0.0, start - time.monotonic()))
            if self.settings.once and self.last is not None:
                return self.last.exit_status if self.last.outcome == "ran" else 2
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.close()

    def _stop(self, signum, frame) -> None:
        self.stop.set()

    def _next_start(self, start: float) -> float:
        """The next slot on the schedule: slots a long round ran into are skipped."""
        every, now = self.settings.every, time.monotonic()
        start += every
        if start < now:
            start += every * ((now - start) // every + 1)
        return start

    def round(self) -> Round:
        """One round, bounded by its deadline; the textfile rewritten after it."""
        self.counts["rounds"] += 1
        number = self.counts["rounds"]
        result = self.state / "round.prom"
        result.unlink(missing_ok=True)
        if self.worker is not None and self.worker.worn():
            self._retire()
        if self.worker is None:
            self.worker = Worker(self.settings.python, self.state / "round.log")
        cpu, began = self.worker.cpu_seconds(), time.monotonic()
        outcome, status = self.worker.run(self.pytest_args(result), began + self.settings.round_deadline, self.stop)
        cpu, wall = self.worker.cpu_seconds() - cpu, time.monotonic() - began
        if outcome != "ran":
            self._retire()   # overran, stopped or died: a new worker for the next round
        if outcome == "died" or (outcome == "ran" and (status not in RAN or not result.is_file())):
            outcome = "failed"
        done = Round(number, outcome, status, wall, cpu, self._tail())
        self.last = done
        if outcome == "ran":
            self.checked = result.read_text(encoding="utf-8")
        elif outcome == "overrun":
            self.counts["overruns"] += 1
            self._say(f"round {number} overran its deadline of {self.settings.round_deadline:g} s: stopped; "
                      "the next round starts on schedule")
        elif outcome == "failed":
            self.counts["failures"] += 1
            if status != USAGE_ERROR or number > 1:
                shown = "the worker ended" if status is None else f"pytest exit {status}"
                self._say(f"round {number} failed ({shown}): {done.output_tail or 'no output'}")
        if outcome != "stopped":
            try:
                write_atomically(self.settings.textfile, self.checked + self.metrics())
            except OSError as exc:   # the folder went away, the disk is full: said, and the loop goes on
                self._say(f"round {number}: the textfile {self.settings.textfile} cannot be written "
                          f"({exc.strerror or exc})")
        return done

    def pytest_args(self, result: Path) -> list[str]:
        return ["-p", "no:cacheprovider", "-q", "--checklist", f"--prometheus={result}",
                f"--ssh-control-dir={self.state / 'ssh'}", *self.settings.check_args]

    def _retire(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker = None

    def _tail(self) -> str:
        """The round's last meaningful output line, masked (for its report line)."""
        try:
            lines = (self.state / "round.log").read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        lines = [line.strip() for line in lines if line.strip() and not set(line.strip()) <= set("=-_. ")]
        return KNOWN.mask(lines[-1])[:300] if lines else ""

    def _say(self, text: str) -> None:
        print(KNOWN.mask(f"coordcheck watch: {text}"), file=self.log, flush=True)

    # -- the watch's own metrics ----------------------------------------------------
    def metrics(self) -> str:
        last = self.last
        families = [
            ("coordcheck_watch_rounds_total", "counter", "rounds the watch started", self.counts["rounds"]),
            ("coordcheck_watch_round_overruns_total", "counter", "rounds stopped at their deadline",
             self.counts["overruns"]),
            ("coordcheck_watch_round_failures_total", "counter", "rounds that ended without a verdict",
             self.counts["failures"]),
            ("coordcheck_watch_last_round_ok", "gauge",
             "1 when the last round ran to its verdict (the coordcheck_* metrics above are its)",
             1 if last and last.outcome == "ran" else 0),
            ("coordcheck_watch_last_round_duration_seconds", "gauge", "wall time of the last round",
             round(last.wall, 3) if last else 0),
            ("coordcheck_watch_last_round_cpu_seconds", "gauge", "CPU time of the last round's processes",
             round(last.cpu, 3) if last else 0),
            ("coordcheck_watch_round_deadline_seconds", "gauge", "a round's deadline",
             self.settings.round_deadline),
            ("coordcheck_watch_interval_seconds", "gauge", "time between two rounds' starts", self.settings.every),
            ("coordcheck_watch_resident_memory_bytes", "gauge", "the watch process's resident memory",
             resident_bytes(os.getpid())),
            ("coordcheck_watch_worker_resident_memory_bytes", "gauge",
             "the worker's resident memory (0 between workers)", resident_bytes(self.worker.pid) if self.worker else 0),
            ("coordcheck_watch_last_round_timestamp_seconds", "gauge", "when the last round ended (unix time)",
             round(time.time(), 3)),
        ]
        lines = []
        for name, kind, help_text, value in families:
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", f"{name} {sample_value(float(value))}"]
        return "\n".join(lines) + "\n"

    # -- the end --------------------------------------------------------------------
    def close(self) -> None:
        """End the worker, close the SSH masters the rounds left open, remove the state folder."""
        self._retire()
        control = self.state / "ssh"
        sockets = [p for p in control.iterdir() if p.is_socket()] if control.is_dir() else []
        for socket in sockets:
            try:
                subprocess.run(["ssh", "-o", f"ControlPath={socket}", "-O", "exit", "coordcheck-watch"],
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=2, check=False)
            except (OSError, subprocess.TimeoutExpired):
                pass   # it ends by itself after ControlPersist
        shutil.rmtree(self.state, ignore_errors=True)
