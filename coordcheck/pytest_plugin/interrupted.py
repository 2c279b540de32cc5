"""Ctrl-C (or SIGTERM) during a run: the local lab cleaned up, a junit file
saying the run did not complete (no report that looks like a completed run:
outputs.py writes none), and the process ended at once — without waiting for
probes in flight, nor for pytest's rendering of the interrupted frame
(seconds of source parsing). A second Ctrl-C ends it at once too
(`coordcheck.interrupt`)."""

from __future__ import annotations

import pytest

from coordcheck import interrupt
from coordcheck.pytest_plugin.target import clean_up, write_stopped_junit

INTERRUPTED = "interrupted (Ctrl-C or SIGTERM): the run did not complete"
_SESSION: list[pytest.Session] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    _SESSION[:] = [session]
    interrupt.raising()  # the first signal raises KeyboardInterrupt (handled below); a second ends the process


@pytest.hookimpl(tryfirst=True)
def pytest_keyboard_interrupt(excinfo) -> None:
    if not (_SESSION and interrupt.interrupted()) or hasattr(_SESSION[0].config, "workerinput"):
        return  # pytest.exit, -x / --maxfail: pytest's own ending
    config = _SESSION[0].config
    interrupt.kill_children()
    write_stopped_junit(getattr(config.option, "xmlpath", None), INTERRUPTED)
    clean_up(config)
    interrupt.quit_now()
