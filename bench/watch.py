"""coordcheck watch (issue 21) on the 3-host SSH lab (`coordcheck up --ssh`):
a round's wall and CPU time as the watch runs it, cold (a new worker, new
SSH connections) and warm (the same worker, its SSH masters kept open), and
as a new pytest process per round (SSH warm) for comparison; the watch's and
its worker's RSS over N rounds; the time from the incident
(`coordcheck repro`) to CoordcheckCauseFailing firing in a real Prometheus
scraping a real node_exporter, and from `coordcheck fix` to it resolving.
Writes its figures into bench/README.md's "watch" section.

    python bench/watch.py [--cold 3] [--warm 5] [--rss-rounds 100] [--no-alert]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT, write_section



def coordcheck(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "coordcheck", *args], cwd=PROJECT, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"coordcheck {args[0]} failed: {done.stderr.strip()[-500:]}")
    return done


def rounds_as_watch(check_args: list[str], textfile: Path, cold: int, warm: int) -> tuple[list, list]:
    from coordcheck.watch.loop import Settings, Watch

    cold_rounds = []
    for _ in range(cold):    # a new watch each time: a new worker, a new SSH control folder
        watch = Watch(Settings(check_args, textfile, every=600))
        cold_rounds.append(watch.round())
        watch.close()
    watch = Watch(Settings(check_args, textfile, every=600))
    try:
        watch.round()        # starts the worker, opens the masters
        warm_rounds = [watch.round() for _ in range(warm)]
    finally:
        watch.close()
    return cold_rounds, warm_rounds


def process_per_round(check_args: list[str], rounds: int) -> list[tuple[float, float]]:
    """(wall, CPU) of ``python -m pytest --checklist`` started anew each round, SSH kept warm."""
    results = []
    with tempfile.TemporaryDirectory(prefix="cc-bench-") as control:
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--checklist",
                   f"--ssh-control-dir={control}", *check_args]
        for _ in range(rounds + 1):
            before, began = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
            subprocess.run(command, cwd=PROJECT, capture_output=True, timeout=900)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            results.append((time.monotonic() - began, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
        for socket in Path(control).iterdir():
            if socket.is_socket():
                subprocess.run(["ssh", "-o", f"ControlPath={socket}", "-O", "exit", "x"], capture_output=True,
                               timeout=10)
    return results[1:]   # the first opened the masters


def watch_rss(check_args: list[str], rounds: int, folder: Path) -> list[tuple[int, int, int]]:
    """(round, the watch's RSS, its worker's) as its textfile says, up to ``rounds`` rounds."""
    sys.path.insert(0, str(PROJECT))
    from prometheus_client.parser import text_string_to_metric_families

    textfile = folder / "rss.prom"
    watch = subprocess.Popen([sys.executable, "-m", "coordcheck", "watch", "--every", "0.1s", "--round-deadline",
                              "600s", "--textfile", str(textfile), *check_args], cwd=PROJECT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict[int, tuple[int, int]] = {}
    try:
        while len(seen) < rounds and watch.poll() is None:
            time.sleep(0.2)
            if textfile.exists():
                values = {s.name: s.value for f in text_string_to_metric_families(textfile.read_text())
                          for s in f.samples}
                seen[int(values["coordcheck_watch_rounds_total"])] = (
                    int(values["coordcheck_watch_resident_memory_bytes"]),
                    int(values["coordcheck_watch_worker_resident_memory_bytes"]))
    finally:
        watch.terminate()
        watch.wait(timeout=30)
    return [(n, *seen[n]) for n in sorted(seen)]


def alert_times(deployment_root: Path, check_args: list[str], folder: Path) -> tuple[float, float, float]:
    sys.path.insert(0, str(PROJECT))
    from tests.watch.monitoring import firing, monitoring, query, wait_for

    hosts = json.loads((deployment_root / ".coordcheck" / "state.json").read_text())["layout"]["hosts"]
    with monitoring(folder, coordcheck("prometheus-rules").stdout) as (textfile, api, processes):
        watch = subprocess.Popen([sys.executable, "-m", "coordcheck", "watch", "--every", "1s", "--round-deadline",
                                  "600s", "--textfile", str(textfile), "-m", "config", *check_args], cwd=PROJECT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for("healthy", lambda: query(api, "coordcheck_run_ok == 1"), 600, watch)
            begun = time.monotonic()
            coordcheck("repro", "--dir", str(deployment_root))
            wait_for("firing", lambda: {h for _, h, _ in firing(api)} == set(hosts), 600, watch)
            fired = time.monotonic() - begun
            begun = time.monotonic()
            coordcheck("fix", "--dir", str(deployment_root))
            wait_for("resolved", lambda: not firing(api), 600, watch)
            resolved = time.monotonic() - begun
            rounds = float(query(api, "coordcheck_watch_last_round_duration_seconds")[0]["value"][1])
        finally:
            watch.terminate()
            watch.wait(timeout=30)
    return fired, resolved, rounds


def summary(rounds: list[tuple[float, float]]) -> str:
    return (f"{statistics.median(w for w, _ in rounds):.1f} s | {statistics.median(c for _, c in rounds):.2f} s | "
            f"{len(rounds)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--rss-rounds", type=int, default=100)
    parser.add_argument("--rss-steps", help="-m for the RSS rounds (default: the whole checklist)")
    parser.add_argument("--no-alert", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cc-bench-watch-") as tmp:
        folder, root = Path(tmp), Path(tmp) / "kolla"
        coordcheck("up", "--dir", str(root), "--ssh")
        check_args = ["--hosts=controllers", "--inventory", str(root / "multinode"), "--configdir", str(root)]
        try:
            cold, warm = rounds_as_watch(check_args, folder / "bench.prom", args.cold, args.warm)
            cold, warm = [(r.wall, r.cpu) for r in cold], [(r.wall, r.cpu) for r in warm]
            print("watch cold:", cold, "\nwatch warm:", warm, flush=True)
            anew = process_per_round(check_args, args.warm)
            print("a process per round:", anew, flush=True)
            steps = ["-m", args.rss_steps] if args.rss_steps else []
            rss = watch_rss([*check_args, *steps], args.rss_rounds, folder)
            print("RSS:", rss[:2], "...", rss[-2:], flush=True)
            alert = None if args.no_alert else alert_times(root, check_args, folder / "prometheus")
            print("alert:", alert, flush=True)
        finally:
            coordcheck("down", "--dir", str(root), check=False)
    load = os.getloadavg()[0]
    lines = [f"## watch (bench/watch.py: 3-host SSH lab, {os.cpu_count()} cores, load average {load:.1f})", "",
             "A round of the whole live checklist (medians):", "",
             "| round | wall | CPU | rounds |", "|---|---|---|---|",
             f"| watch, cold (a new worker, new SSH connections) | {summary(cold)} |",
             f"| watch, warm (its worker and SSH masters kept) | {summary(warm)} |",
             f"| a new pytest process per round, SSH warm | {summary(anew)} |"]
    if rss:
        first, last = rss[0], rss[-1]
        what = f"`-m {args.rss_steps}`" if args.rss_steps else "whole-checklist"
        lines += ["", f"Memory over {last[0]} {what} rounds: the watch process {first[1] / 2**20:.1f} MB after round "
                      f"{first[0]}, {last[1] / 2**20:.1f} MB after round {last[0]}; its worker "
                      f"{first[2] / 2**20:.0f} MB after round {first[0]}, {last[2] / 2**20:.0f} MB after round "
                      f"{last[0]} (largest {max(r[2] for r in rss) / 2**20:.0f} MB; a worker is replaced every 50 "
                      "rounds)."]
    if alert:
        fired, resolved, round_wall = alert
        lines += ["", f"Incident to alert (real Prometheus, 1 s scrape and evaluation, `--every 1s -m config`, a "
                      f"round {round_wall:.1f} s): `coordcheck repro` to CoordcheckCauseFailing firing on every host "
                      f"{fired:.1f} s; `coordcheck fix` to resolved {resolved:.1f} s. At most: the round in progress "
                      "+ one round + a scrape + an evaluation (with `--every 60s`: up to a minute more)."]
    write_section("watch", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
