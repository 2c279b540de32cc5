"""Issue 20's figures, written into bench/README.md's own section:

1. time to LOCKS_NOT_EXCLUSIVE on the mixed-release lab (ctl1-2 on Kolla
   2026.1, ctl3 on 2026.2): the checklist's lock test alone, and the whole run;
2. the failover drill's recovery per release's clients (2024.2 ... 2026.2, one
   release per host: two labs), seconds from SENTINEL FAILOVER to each
   container's first working tooz lock against the new master;
3. the incident's whole live run against the healthy one on the 3-host lab
   (processes), ROUNDS rounds each, medians and their ratio.

Holds the Kolla container names' lock (as the tests do) while a containerised lab runs.

    python bench/locks.py [--rounds 5] [--parts locks,drill,ratio]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import statistics
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from common import PROJECT, checklist, write_section

from coordcheck.lab.deployment import LocalDeployment  # noqa: E402
from coordcheck.lab.network import runtime_dir  # noqa: E402

DRILL_LABS = ((("ctl1", "2024.2"), ("ctl2", "2025.1"), ("ctl3", "2025.2")), (("ctl1", "2026.1"), ("ctl2", "2026.2")))


def cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "coordcheck", *args], cwd=PROJECT, check=True, capture_output=True,
                   timeout=900)


@contextlib.contextmanager
def lab(root: Path, *up_args: str, containers: bool = False):
    folder = runtime_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "kolla-container-names.lock", "w") as names:
        if containers:
            fcntl.flock(names, fcntl.LOCK_EX)
        cli("up", "--dir", str(root), *up_args)
        try:
            yield LocalDeployment(root)
        finally:
            cli("down", "--dir", str(root))


def properties(junit: Path, name: str) -> list[str]:
    return [p.get("value") for p in ET.parse(junit).iter("property") if p.get("name") == name]


def time_to_locks_finding(work: Path) -> list[str]:
    with lab(work / "mixed", "--containers", "--release", "2026.1", "--release", "ctl3=2026.2", containers=True) as d:
        junit = work / "locks.xml"
        alone, rc = checklist(d, "-k", "locks", f"--junitxml={junit}")
        found = [v for v in properties(junit, "finding") if v.startswith("LOCKS_NOT_EXCLUSIVE")]
        whole, whole_rc = checklist(d)
    return ["| measure | seconds | exit |", "|---|---|---|",
            f"| the lock test alone (`-k locks`): {len(found)} LOCKS_NOT_EXCLUSIVE ({'; '.join(found)}) | "
            f"{alone:.1f} | {rc} |", f"| the whole checklist run | {whole:.1f} | {whole_rc} |"]


def drill_table(work: Path) -> list[str]:
    rows = ["| release | container | clients | recovery |", "|---|---|---|---|"]
    for index, hosts in enumerate(DRILL_LABS):
        release = [a for host, series in hosts for a in ("--release", f"{host}={series}")]
        with lab(work / f"drill{index}", "--containers", *release, containers=True) as d:
            junit = work / f"drill{index}.xml"
            checklist(d, "-m", "failover_drill", "--allow-failover", f"--junitxml={junit}")
            series = dict(hosts)
            for value in properties(junit, "recovery"):
                host, container, _, rest = value.split(" ", 3)
                versions, _, seconds = rest.rpartition(": ")
                rows.append(f"| {series.get(host, 'this venv')} | {host} {container} | {versions} | {seconds} |")
            rows += [f"| | master {m} | | |" for m in properties(junit, "master")]
    return rows


def incident_ratio(work: Path, rounds: int) -> list[str]:
    healthy, incident = [], []
    with lab(work / "plain") as d:
        for _ in range(rounds):        # interleaved: the machine's load drifts alike for both
            cli("fix", "--dir", str(d.root))
            healthy.append(checklist(d)[0])
            cli("repro", "--dir", str(d.root))
            incident.append(checklist(d)[0])
    h, i = statistics.median(healthy), statistics.median(incident)
    return ["| run | rounds (s) | median (s) |", "|---|---|---|",
            f"| healthy | {' '.join(f'{s:.1f}' for s in healthy)} | {h:.1f} |",
            f"| incident (`coordcheck repro`) | {' '.join(f'{s:.1f}' for s in incident)} | {i:.1f} |",
            "", f"incident / healthy = **{i / h:.2f}** (target <= 1.2; issue 20 measured 2.5 before: 8.9 s vs 3.5 s)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--parts", default="locks,drill,ratio",
                        help="which figures: locks, drill (two labs, minutes), ratio (default all three)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory(prefix="coordcheck-bench-locks-") as tmp:
        work = Path(tmp)
        if "locks" in parts:
            body = "\n".join(["ctl1-2 on Kolla 2026.1 (tooz 8.1.0), ctl3 on 2026.2 (tooz 9.0.1):", "",
                              *time_to_locks_finding(work)])
            write_section("locks", body)
            print(body)
        if "drill" in parts:
            body = "\n".join([
                "Seconds from SENTINEL FAILOVER to the first tooz lock taken on the new master, one release per host "
                "(two labs); the clients count only once the sentinels agree and the old master is a replica "
                "(Redis sentinels reconfigure it at their next INFO, about 10 s):", "", *drill_table(work)])
            write_section("drill", body)
            print(body)
        if "ratio" in parts:
            body = "\n".join([f"The whole live run, {args.rounds} rounds each, interleaved (3-host lab, processes):",
                              "", *incident_ratio(work, args.rounds)])
            write_section("first-failure", body)
            print(body)


if __name__ == "__main__":
    main()
