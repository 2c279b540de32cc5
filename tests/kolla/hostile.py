"""Hostile config repositories, rendered in-process: what a case raised or returned within generous
bounds of time and memory, and the one line it must be.

    one_line(bounded(lambda: render(repo)), str(path), "is a FIFO")
"""
import time
import tracemalloc
from pathlib import Path

from coordcheck.kolla import KollaError
from coordcheck.kolla.render import render_repo

HEALTHY = Path(__file__).resolve().parents[2] / "examples" / "config-repos" / "healthy"
#: Generous bounds of one hostile case, in-process, on a loaded machine (bench/hostile.py measures the
#: whole gate against its targets); an unbounded case takes minutes and gigabytes.
SECONDS, PEAK_BYTES = 20.0, 80 * 1024 * 1024


def bounded(action):
    """What ``action`` raised or returned, within the time and memory bounds."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        try:
            result = action()
        except KollaError as exc:
            result = exc
        seconds, peak = time.monotonic() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < SECONDS and peak < PEAK_BYTES, (seconds, peak)
    return result


def render(repo: Path, *args):
    """The built-in gate's rendering of ``repo`` (etc/kolla + multinode)."""
    return render_repo(repo / "etc/kolla", repo / "multinode", *args)


def one_line(result, *says):
    """``result`` is a KollaError of one line, without the repo's password, saying each of ``says``."""
    assert isinstance(result, KollaError), result
    message = str(result)
    assert "\n" not in message and "s3cret" not in message and all(s in message for s in says), message
