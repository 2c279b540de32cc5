"""The checklist's wall time when servers do not speak RESP (issue 10, item 5).

    python bench/garbage.py [--rounds N] [--modes junk,close,...]

Every sentinel and data node of a Kolla config dir is a garbage server
(`coordcheck.lab.scenarios.garbage_cloud`, on a free 127.77.X.1-3 range: no
`coordcheck up`, no containers, no farm tools): junk bytes at once, a
connection closed at once, bytes trickled one every 0.5 s, an endless line,
+PONG then junk. Prints, per kind, the median wall time of the whole checklist
(`pytest --hosts=controllers --inventory ... --configdir ...`, default probe
timeout 2 s), its exit code, output lines, redis-py tracebacks and whether the
summary names NOT_A_REDIS_SERVER. Target: junk bytes <= 10 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import table, write_section  # the project on sys.path

from coordcheck.lab.scenarios import garbage_cloud  # noqa: E402

MODES = {
    "junk": "every node answers junk bytes",
    "close": "every node closes the connection at once",
    "trickle": "every node trickles a byte every 0.5 s",
    "huge": "every node sends an endless line",
    "resp-then-junk": "every node answers PING, then junk",
}
TARGET = 10.0


def run_once(mode: str, folder: Path) -> dict:
    with garbage_cloud(folder / "kolla", mode) as root:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--hosts=controllers",
                               "--inventory", str(root / "multinode"), "--configdir", str(root)],
                              cwd=folder, capture_output=True, text=True, timeout=600)
        seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    summary = done.stdout.partition("coordcheck summary")[2]
    return {"seconds": seconds, "rc": done.returncode, "lines": len(output.splitlines()),
            "tracebacks": output.count("Traceback") + output.count("site-packages/redis"),
            "named": "NOT_A_REDIS_SERVER" in summary}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default=",".join(MODES), help=f"some of {', '.join(MODES)}")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise SystemExit(f"unknown mode {unknown[0]!r} (known: {', '.join(MODES)})")
    rows = {}
    with tempfile.TemporaryDirectory(prefix="coordcheck-bench-garbage-") as tmp:
        for mode in modes:
            rows[mode] = [run_once(mode, Path(tmp) / f"{mode}-{i}") for i in range(args.rounds)]

    print(f"coordcheck garbage-server bench: the whole checklist (3 hosts, 3 sentinels, 3 data nodes, "
          f"probe timeout 2 s), {args.rounds} rounds")
    print(f"  {'servers':44} {'median':>8} {'max':>7}  exit  lines  tracebacks  summary names NOT_A_REDIS_SERVER")
    for mode, runs in rows.items():
        seconds = [r["seconds"] for r in runs]
        print(f"  {MODES[mode]:44} {statistics.median(seconds):6.1f} s {max(seconds):5.1f} s  "
              f"{','.join(sorted({str(r['rc']) for r in runs})):>4}  {max(r['lines'] for r in runs):5}  "
              f"{max(r['tracebacks'] for r in runs):10}  {'yes' if all(r['named'] for r in runs) else 'NO'}")
    write_section("garbage", table(
        ["servers", "checklist wall time (median)", "max", "exit", "output lines", "tracebacks",
         "summary names NOT_A_REDIS_SERVER"],
        [[MODES[mode], f"{statistics.median(r['seconds'] for r in runs):.1f} s",
          f"{max(r['seconds'] for r in runs):.1f} s", ",".join(sorted({str(r["rc"]) for r in runs})),
          max(r["lines"] for r in runs), max(r["tracebacks"] for r in runs),
          "yes" if all(r["named"] for r in runs) else "NO"] for mode, runs in rows.items()]))
    if "junk" in rows:
        median = statistics.median(r["seconds"] for r in rows["junk"])
        print(f"every node answering junk bytes: {median:.1f} s (target <= {TARGET:g} s: "
              f"{'met' if median <= TARGET else 'MISSED'})")


if __name__ == "__main__":
    main()
