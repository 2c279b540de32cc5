"""The watch's worker: one long-lived process that runs round after round
of the checklist with ``pytest.main``, so that a round pays neither Python's
and the plugin's start-up (ansible-core, tooz, redis-py imported once) nor
SSH's (the masters in the watch's control folder stay open). The watch
kills it, whole process group, when a round overruns or the watch stops,
and replaces it after `RECYCLE_ROUNDS` rounds or when it has grown by
`RECYCLE_GROWTH` bytes: its memory stays bounded whatever a round leaves.

Protocol: one JSON line per round on the ``orders`` descriptor (the pytest
arguments), one JSON line back on ``replies`` (pytest's exit status);
stdin is /dev/null, stdout and stderr the round's log.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

RECYCLE_ROUNDS = 50
RECYCLE_GROWTH = 256 * 2 ** 20
GRACE = 0.5
POLL = 0.05
TICK = os.sysconf("SC_CLK_TCK")


class Worker:
    """The parent's side: start, give a round, wait for it (bounded), kill."""

    def __init__(self, python: str, log: Path) -> None:
        orders_read, self._orders = os.pipe()
        self._replies, replies_write = os.pipe()
        self.log = log
        with open(log, "ab") as output:
            self.process = subprocess.Popen(
                [python, "-m", "coordcheck.watch.worker", str(orders_read), str(replies_write)],
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                pass_fds=(orders_read, replies_write))
        os.close(orders_read)
        os.close(replies_write)
        self.rounds, self.first_rss, self._buffer = 0, 0, b""

    @property
    def pid(self) -> int:
        return self.process.pid

    def worn(self) -> bool:
        """Time for a new worker: enough rounds, or grown too much."""
        rss = resident_bytes(self.pid)
        return self.rounds >= RECYCLE_ROUNDS or bool(self.first_rss and rss - self.first_rss > RECYCLE_GROWTH)

    def run(self, args: list[str], deadline: float, stop) -> tuple[str, int | None]:
        """(ran | overrun | stopped | died, pytest's exit status) of one round."""
        os.truncate(self.log, 0)
        self.rounds += 1
        try:
            os.write(self._orders, (json.dumps({"args": args}) + "\n").encode())
        except BrokenPipeError:
            return "died", None
        while True:
            ready, _, _ = select.select([self._replies], [], [], POLL)
            if ready:
                chunk = os.read(self._replies, 65536)
                if not chunk:
                    return "died", None
                self._buffer += chunk
                if b"\n" in self._buffer:
                    line, _, self._buffer = self._buffer.partition(b"\n")
                    if not self.first_rss:
                        self.first_rss = resident_bytes(self.pid)
                    return "ran", int(json.loads(line)["status"])
            if stop.is_set():
                return "stopped", None
            if time.monotonic() >= deadline:
                return "overrun", None

    def cpu_seconds(self) -> float:
        """CPU time of the worker and the children it waited for (ssh, local commands)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK   # utime stime cutime cstime

    def kill(self) -> None:
        """The worker's whole process group: SIGINT (pytest ends its session), then SIGKILL."""
        for fd in (self._orders, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        for sig, wait in ((signal.SIGINT, GRACE), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def resident_bytes(pid: int) -> int:
    """VmRSS of a process, from /proc (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def serve(orders: int, replies: int) -> None:
    """The worker's side: a round per order, until the orders end."""
    import pytest

    with os.fdopen(orders, "rb") as inbox, os.fdopen(replies, "wb", buffering=0) as outbox:
        for line in inbox:
            status = pytest.main(json.loads(line)["args"])
            sys.stdout.flush()
            sys.stderr.flush()
            outbox.write((json.dumps({"status": int(status)}) + "\n").encode())


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    serve(int(sys.argv[1]), int(sys.argv[2]))
