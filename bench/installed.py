"""The installed checklist against the checkout's: the card's healthy run on
the 3-host lab, from a wheel in a fresh venv (run from an empty folder) and
from the checkout, rounds alternating (target: within 10 %).

    python bench/installed.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import PROJECT, spread, table, timed, write_section

IGNORED = shutil.ignore_patterns(".git", ".venv", ".cache", "build", "*.egg-info", "__pycache__", ".hypothesis")


def installed_venv(root: Path) -> Path:
    source = root / "source"
    shutil.copytree(PROJECT, source, ignore=IGNORED)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "wheels"), str(source)],
                   check=True, capture_output=True)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-c", str(PROJECT / "requirements.txt"),
                    str(next((root / "wheels").glob("*.whl")))], check=True, capture_output=True)
    return venv


def card(pytest: str, lab: Path, cwd: Path) -> float:
    args = [pytest, "-q", "-p", "no:cacheprovider", "--hosts=controllers", f"--inventory={lab / 'multinode'}",
            f"--configdir={lab}"]
    env = {**os.environ, "PATH": f"{Path(pytest).parent}{os.pathsep}{os.environ['PATH']}"}
    seconds, done = timed(lambda: subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env))
    if done.returncode != 0:
        raise SystemExit(f"the healthy run failed ({done.returncode}): {done.stdout[-500:]}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    rounds = ap.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        venv = installed_venv(root)
        lab, empty = root / "lab" / "kolla", root / "empty"
        empty.mkdir()
        subprocess.run([str(venv / "bin" / "coordcheck"), "up", "--dir", str(lab)], check=True, capture_output=True)
        try:
            installed, checkout = [], []
            for _ in range(rounds):
                installed.append(card(str(venv / "bin" / "pytest"), lab, empty))
                checkout.append(card(str(Path(sys.executable).parent / "pytest"), lab, PROJECT))
        finally:
            subprocess.run([str(venv / "bin" / "coordcheck"), "down", "--dir", str(lab)], capture_output=True)
    ratio = statistics.median(i / c for i, c in zip(installed, checkout))
    body = table(["run (3-host lab, healthy)", "wall"],
                 [["installed wheel, from an empty folder", spread(installed, 2)],
                  ["checkout (editable), from the checkout", spread(checkout, 2)],
                  ["installed / checkout (median of pairs)", f"{ratio:.2f}"]])
    print(body)
    write_section("installed", body)


if __name__ == "__main__":
    main()
