"""Hostile input costs seconds, not minutes: the gate on a 40 MB
passwords.yml, on /dev/zero, and on a template loop bomb (each target <= 10 s),
as an operator would run it.

    python bench/hostile.py [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT, table, write_section
HEALTHY = PROJECT / "examples" / "config-repos" / "healthy"
TARGET_SECONDS = 10.0


def big_passwords(path: Path, size: int = 40 * 1024 * 1024) -> Path:
    line = f"filler_password_{'x' * 60}: {'y' * 60}\n"
    path.write_text(line * (size // len(line)))
    return path


def loop_bomb(repo: Path) -> None:
    (repo / "etc" / "kolla" / "config" / "cinder.conf").write_text(
        "[coordination]\nbackend_url = {% for a in range(99999) %}{% for b in range(99999) %}"
        "{% endfor %}{% endfor %}\n")


def gate(repo: Path, *extra: str) -> tuple[float, int, str]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "config",
                           "--configdir", str(repo / "etc" / "kolla"), "--inventory", str(repo / "multinode"),
                           *extra], capture_output=True, text=True, cwd=repo)
    last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or [""]
    return time.monotonic() - started, done.returncode, last[0][:110]


def main() -> int:
    args = _parse()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(HEALTHY, repo)
        cases = {"40 MB passwords.yml": lambda: ["--passwords", str(big_passwords(Path(tmp) / "big.yml"))],
                 "--passwords /dev/zero": lambda: ["--passwords", "/dev/zero"],
                 "template loop bomb": lambda: (loop_bomb(repo), [])[1]}
        for name, setup in cases.items():
            extra = setup()
            runs = [gate(repo, *extra) for _ in range(args.runs)]
            seconds = [r[0] for r in runs]
            rows.append((name, min(seconds), statistics.median(seconds), max(seconds), runs[-1][1], runs[-1][2]))
    print(f"{'case':24} {'min s':>6} {'median':>7} {'max s':>6} exit  last line")
    for name, low, mid, high, code, line in rows:
        print(f"{name:24} {low:6.2f} {mid:7.2f} {high:6.2f} {code:4}  {line}")
    slow = [r[0] for r in rows if r[2] > TARGET_SECONDS]
    write_section("hostile", table(["case", "min", "median", "max", "exit", "last line"],
                                   [[name, f"{low:.2f} s", f"{mid:.2f} s", f"{high:.2f} s", code, f"`{line}`"]
                                    for name, low, mid, high, code, line in rows]))
    print(f"target <= {TARGET_SECONDS:.0f} s each: {'met' if not slow else 'MISSED by ' + ', '.join(slow)}")
    return 1 if slow else 0


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="hostile input to the gate: wall time per case")
    parser.add_argument("--runs", type=int, default=3)
    return parser.parse_args()


if __name__ == "__main__":
    raise SystemExit(main())
