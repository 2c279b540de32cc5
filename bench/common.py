"""What the benchmarks share: the project on sys.path, a timer, and one
checklist run against a local deployment as a user would start it."""

from __future__ import annotations

import os
import re
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


README = PROJECT / "bench" / "README.md"
README_HEAD = ("# Benchmarks\n\nFigures measured by the scripts in bench/ (`make bench`); each script writes "
               "its own section here and leaves the others as they are.\n")


def write_section(title: str, body: str) -> None:
    """Put ``## title`` with ``body`` into bench/README.md: in its place if it is there, else at the end."""
    text = README.read_text(encoding="utf-8") if README.exists() else README_HEAD
    parts = re.split(r"(?m)^(?=## )", text)            # the head, then one part per section
    section = f"## {title}\n\n{body.strip()}\n\n"
    mine = [i for i, part in enumerate(parts) if part.splitlines()[0].strip() == f"## {title}"]
    if mine:
        parts[mine[0]] = section
    else:
        parts[-1] = parts[-1].rstrip("\n") + "\n\n"
        parts.append(section)
    README.write_text("".join(parts).rstrip("\n") + "\n", encoding="utf-8")
