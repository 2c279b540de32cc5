"""Ctrl-C (or SIGTERM) during a run: the local lab cleaned up, a junit file
saying the run did not complete (no report that looks like a completed run),
and the process ended at once, from the signal handler — not through a
KeyboardInterrupt, which would wait for probes in flight, land in whatever
runs (an import, a hook) and have pytest render the interrupted frames
(seconds of source parsing). A second Ctrl-C ends it at once too
(`coordcheck.interrupt`)."""

from __future__ import annotations

import pytest

from coordcheck import interrupt
from coordcheck.pytest_plugin.target import clean_up, write_stopped_junit

INTERRUPTED = "interrupted (Ctrl-C or SIGTERM): the run did not complete"


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        interrupt.install(lambda: _stopped(session.config))


def _stopped(config: pytest.Config) -> None:
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is not None:  # the one line reaches the terminal, not a running test's captured output
        capture.suspend_global_capture(in_=True)
    interrupt.kill_children()
    write_stopped_junit(getattr(config.option, "xmlpath", None), INTERRUPTED)
    clean_up(config)
