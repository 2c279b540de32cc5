"""Hostile input costs seconds and megabytes, not minutes and gigabytes: the
gate, as an operator runs it, on each hostile case (alias bombs, template
bombs, files that are devices, FIFOs, folders or loops, a 40 MB file), its
wall time and peak RSS; and Ctrl-C against silent servers, the time from the
signal to the end. Prints the slowest case's wall time and the largest peak
RSS against the targets (<= 5 s, <= 200 MB; Ctrl-C <= 1 s).

    python bench/hostile.py [--runs 1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT, table, write_section  # noqa: E402  (puts the project on sys.path)
HEALTHY = PROJECT / "examples" / "config-repos" / "healthy"
TARGET_SECONDS, TARGET_MB, TARGET_CTRL_C = 5.0, 200.0, 1.0


def laughs(levels: int = 10) -> str:
    lines = ['lol0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def override(repo: Path, text: str) -> list[str]:
    (repo / "etc/kolla/config/cinder.conf").write_text(f"[coordination]\nbackend_url = {text}\n")
    return []


def big_passwords(repo: Path) -> list[str]:
    line = f"filler_password_{'x' * 60}: {'y' * 60}\n"
    (repo / "big.yml").write_text(line * (40 * 1024 * 1024 // len(line)))
    return ["--passwords", str(repo / "big.yml")]


CASES = {
    "healthy repo (baseline)": lambda r: [],
    "40 MB passwords.yml": big_passwords,
    "--passwords /dev/zero": lambda r: ["--passwords", "/dev/zero"],
    "alias bomb passwords.yml": lambda r: ((r / "etc/kolla/passwords.yml").write_text(
        laughs() + "redis_master_password: x\n"), [])[1],
    "alias bomb globals.yml": lambda r: ((r / "etc/kolla/globals.yml").write_text(
        (r / "etc/kolla/globals.yml").read_text() + laughs()), [])[1],
    "alias bomb globals.d": lambda r: ((r / "etc/kolla/globals.d").mkdir(), (r / "etc/kolla/globals.d/x.yml")
                                       .write_text(laughs()), [])[2],
    "config/ link to /dev/zero": lambda r: ((r / "etc/kolla/config/cinder.conf").symlink_to("/dev/zero"), [])[1],
    "config/ FIFO": lambda r: (os.mkfifo(r / "etc/kolla/config/cinder.conf"), [])[1],
    "config/ folder *.conf": lambda r: ((r / "etc/kolla/config/cinder.conf").mkdir(), [])[1],
    "config/ symlink loop": lambda r: ((r / "etc/kolla/config/cinder.conf").symlink_to(
        r / "etc/kolla/config/cinder.conf"), [])[1],
    "template ~ doubling": lambda r: override(r, "{% set ns = namespace(x='x') %}{% for i in range(60) %}"
                                                 "{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x }}"),
    "template join bomb": lambda r: override(r, "{{ (['x' * 900000] * 1000) | join }}"),
    "template replace bomb": lambda r: override(r, "{{ ('a' * 100000) | replace('a', 'a' * 1000) }}"),
    "template loop bomb": lambda r: override(r, "{% for a in range(99999) %}{% for b in range(99999) %}"
                                                "{% endfor %}{% endfor %}"),
}


def measured(argv: list[str], cwd: Path) -> tuple[float, float, int, str, float]:
    """Wall seconds, peak RSS (MB), exit code, last line and CPU seconds of one process."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    last = [line for line in out.splitlines() if line.strip()][-1:] or [""]
    return (time.monotonic() - started, usage.ru_maxrss / 1024, proc.returncode, last[0][:90],
            usage.ru_utime + usage.ru_stime)


def gate(repo: Path, extra: list[str]) -> tuple[float, float, int, str, float]:
    return measured([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "config",
                     "--configdir", str(repo / "etc/kolla"), "--inventory", str(repo / "multinode"), *extra], repo)


def ctrl_c(tmp: Path) -> float:
    """Seconds from SIGINT to the end of a checklist run whose probes wait on silent servers."""
    from coordcheck.lab.garbage import garbage_cloud

    with garbage_cloud(tmp / "kolla", "silent") as root:
        proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--hosts=controllers",
                                 "--inventory", str(root / "multinode"), "--configdir", str(root)],
                                cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        seen = ""
        while "tests_infra/" not in seen:   # the first module runs: probes in flight (no newline yet)
            char = proc.stdout.read(1)
            if not char:
                break
            seen += char
        time.sleep(0.3)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
        return time.monotonic() - started


def main() -> int:
    args = _parse()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, setup in CASES.items():
            runs = []
            for number in range(args.runs):
                repo = Path(tmp) / f"repo-{len(rows)}-{number}"
                shutil.copytree(HEALTHY, repo)
                runs.append(gate(repo, setup(repo)))
            rows.append((name, max(r[0] for r in runs), max(r[1] for r in runs), runs[-1][2], runs[-1][3],
                         max(r[4] for r in runs)))
        interrupt = [ctrl_c(Path(tmp) / f"ctrl-c-{n}") for n in range(args.runs)]
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (wall times grow with it; CPU seconds less so)")
    print(f"{'case':28} {'wall s':>7} {'CPU s':>6} {'peak MB':>8} exit  last line")
    for name, seconds, mb, code, line, cpu in rows:
        print(f"{name:28} {seconds:7.2f} {cpu:6.2f} {mb:8.1f} {code:4}  {line}")
    hostile = rows[1:]
    slowest = max(hostile, key=lambda r: r[1])
    largest = max(hostile, key=lambda r: r[2])
    print(f"slowest hostile case: {slowest[0]}, {slowest[1]:.2f} s wall, {slowest[5]:.2f} s CPU "
          f"(the healthy repo: {rows[0][1]:.2f} s wall, {rows[0][5]:.2f} s CPU; target <= {TARGET_SECONDS:.0f} s)")
    print(f"largest peak RSS: {largest[0]}, {largest[2]:.1f} MB (target <= {TARGET_MB:.0f} MB)")
    print(f"Ctrl-C against silent servers: {max(interrupt):.2f} s to the end (target <= {TARGET_CTRL_C:.0f} s)")
    met = slowest[1] <= TARGET_SECONDS and largest[2] <= TARGET_MB and max(interrupt) <= TARGET_CTRL_C
    print(f"targets: {'met' if met else 'MISSED'}")
    write_section("hostile", table(["case", "wall", "CPU", "peak RSS", "exit", "last line"],
                                   [[name, f"{seconds:.2f} s", f"{cpu:.2f} s", f"{mb:.1f} MB", code, f"`{line}`"]
                                    for name, seconds, mb, code, line, cpu in rows])
                  + f"\n\nSlowest hostile case: {slowest[0]}, {slowest[1]:.2f} s wall (target ≤ {TARGET_SECONDS:.0f} s); "
                  f"largest peak RSS: {largest[0]}, {largest[2]:.1f} MB (target ≤ {TARGET_MB:.0f} MB); Ctrl-C against "
                  f"silent servers: {max(interrupt):.2f} s (target ≤ {TARGET_CTRL_C:.0f} s); load {load:.1f}.")
    return 0 if met else 1


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="hostile input to the gate: wall time and peak RSS per case")
    parser.add_argument("--runs", type=int, default=1)
    return parser.parse_args()


if __name__ == "__main__":
    raise SystemExit(main())
