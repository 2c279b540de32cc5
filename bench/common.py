"""What the benchmarks share: the project on sys.path, a timer, and one
checklist run against a local deployment as a user would start it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))


def timed(action) -> tuple[float, object]:
    started = time.monotonic()
    result = action()
    return time.monotonic() - started, result


def checklist(deployment, *extra: str, env: dict | None = None) -> tuple[float, int]:
    """Wall time and exit code of `pytest --hosts=controllers --inventory ... --configdir ...`."""
    seconds, done = timed(lambda: subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hosts=controllers",
         "--inventory", str(deployment.inventory), "--configdir", str(deployment.root), *extra],
        cwd=PROJECT, capture_output=True, text=True, env={**os.environ, **(env or {})}))
    return seconds, done.returncode
