"""coordcheck on fleets (issue 11): the healthy checklist's wall time and
peak memory for N controllers, over SSH (into service containers with
--containers), with --forks, and under pytest-xdist.

    python bench/fleet.py [--sizes 3,12,24,48] [--modes ssh,ssh-n2,containers] [--forks 10]

Each size gets its own lab (`coordcheck up --controllers N --ssh [--containers]`
on a free address range). Peak memory is the largest resident set of any
process of the run (pytest, or an xdist worker), from getrusage.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import PROJECT, table, write_section

MODES = {"ssh": (["--ssh"], []), "ssh-n2": (["--ssh"], ["-n", "2"]), "local": ([], []),
         "containers": (["--ssh", "--containers"], []), "containers-n2": (["--ssh", "--containers"], ["-n", "2"])}
MODE_NAMES = {"ssh": "over SSH", "ssh-n2": "over SSH, `pytest -n 2`", "local": "local connection",
              "containers": "over SSH into service containers", "containers-n2": "into containers, `pytest -n 2`"}
MEASURE = '''import json, resource, subprocess, sys, time
t = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"seconds": time.monotonic() - t, "rc": done.returncode, "tail": done.stdout[-1500:],
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
'''


def coordcheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coordcheck", *args], cwd=PROJECT, capture_output=True, text=True)


def supports_controllers() -> bool:
    return "--controllers" in coordcheck("up", "--help").stdout


def measure(root: Path, forks: int, extra: list[str]) -> dict:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hosts=controllers",
               "--inventory", str(root / "multinode"), "--configdir", str(root), "--forks", str(forks), *extra]
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=PROJECT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="3,12,24,48")
    parser.add_argument("--modes", default="ssh,ssh-n2")
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    many = supports_controllers()
    rows = []
    for mode in args.modes.split(","):
        up_args, run_args = MODES[mode]
        for n in sizes:
            if n != 3 and not many:
                rows.append((mode, n, None, None, "coordcheck up has no --controllers yet"))
                continue
            with tempfile.TemporaryDirectory(prefix="coordcheck-fleet-") as tmp:
                root = Path(tmp) / "kolla"
                size = ["--controllers", str(n)] if many else []
                up = coordcheck("up", "--dir", str(root), *size, *up_args)
                if up.returncode != 0:
                    rows.append((mode, n, None, None, f"up failed: {' '.join(up.stderr.split()[-12:])}"))
                    continue
                try:
                    for _ in range(args.rounds):
                        seen = measure(root, args.forks, run_args)
                        note = "" if seen["rc"] == 0 else f"exit {seen['rc']}: {' '.join(seen['tail'].split()[-15:])}"
                        rows.append((mode, n, seen["seconds"], seen["peak_mb"], note))
                        print(f"{mode:14} {n:3} hosts  {seen['seconds']:6.1f} s  {seen['peak_mb']:6.0f} MB  {note}",
                              flush=True)
                finally:
                    coordcheck("down", "--dir", str(root))
    modes = list(dict.fromkeys(mode for mode, *_ in rows))
    cells = {}
    for mode, n, seconds, peak, note in rows:   # several rounds: one cell each, side by side
        shown = (f"{seconds:.1f} s ({peak:.0f} MB)" if seconds is not None else "-") + (f"; {note}" if note else "")
        cells[mode, n] = f"{cells[mode, n]} / {shown}" if (mode, n) in cells else shown
    write_section("fleet", table(["controllers", *(f"{MODE_NAMES.get(m, m)}, wall (peak RSS)" for m in modes)],
                                 [[n, *(cells.get((m, n), "-") for m in modes)] for n in sizes]))


if __name__ == "__main__":
    main()
