"""What the benchmarks share: the project on sys.path, a timer, one checklist
run against a local deployment as a user would start it, and the figures
written into bench/README.md (each bench its own sections, between markers)."""

from __future__ import annotations

import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

#: where the benches write their figures
FIGURES = PROJECT / "bench" / "README.md"


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


def spread(values: list[float], digits: int = 1) -> str:
    """``2.3 s (median of 3; 2.1-3.1)``, or ``2.3 s`` for one value."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f} s"
    return (f"{statistics.median(values):.{digits}f} s (median of {len(values)}; "
            f"{min(values):.{digits}f}-{max(values):.{digits}f})")


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table; a cell's `|` escaped so that it stays one cell."""
    def line(cells) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    return "\n".join([line(header), "|" + "---|" * len(header), *map(line, rows)])


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def measured_by() -> str:
    """The line a section starts with: when, by which command, on what."""
    command = shlex.join(["python", f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    return (f"_Measured {date.today().isoformat()} by `{command}` on {os.cpu_count()} cores "
            f"(load {os.getloadavg()[0]:.1f} at the end), Python {platform.python_version()}._")


def write_section(name: str, body: str, figures: Path = FIGURES) -> None:
    """Replace section ``name`` of bench/README.md (between its markers) with
    ``body`` under a line saying when and how it was measured; a section that
    is not there yet is appended. The file is replaced in one rename."""
    begin, end = markers(name)
    text = figures.read_text() if figures.exists() else "# Figures\n"
    section = f"{begin}\n{measured_by()}\n\n{body.strip()}\n{end}"
    if begin in text:
        head, _, rest = text.partition(begin)
        if end not in rest:
            raise SystemExit(f"{figures}: section {name!r} has no end marker {end}")
        text = head + section + rest.partition(end)[2]
    else:
        text = text.rstrip("\n") + f"\n\n{section}\n"
    fd, tmp = tempfile.mkstemp(prefix=".README.md.", dir=figures.parent)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, figures)
    print(f"figures written: {figures} (section {name})")
