"""coordcheck watch (issue 21) on the 3-host SSH lab (`coordcheck up --ssh`):
a round's wall and CPU time cold (new SSH connections) and warm (the watch's
SSH masters kept open), each round a child process as the watch runs them,
and the same rounds in one process (pytest.main repeated) for comparison;
the watch process's RSS over N rounds; the time from the incident
(`coordcheck repro`) to CoordcheckCauseFailing firing in a real Prometheus
scraping a real node_exporter, and from `coordcheck fix` to it resolving.
Writes its figures into bench/README.md's "watch" section.

    python bench/watch.py [--cold 3] [--warm 5] [--rss-rounds 100] [--no-alert]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT

SECTION = "watch"
IN_PROCESS = '''import json, resource, sys, time, pytest
rounds, args = int(sys.argv[1]), sys.argv[2:]
def rss():
    return next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmRSS:"))
for n in range(rounds):
    t, u = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
    code = pytest.main(args)
    v = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"wall": time.monotonic() - t, "cpu": v.ru_utime - u.ru_utime + v.ru_stime - u.ru_stime,
                      "rss": rss(), "rc": int(code), "modules": len(sys.modules)}), file=sys.stderr, flush=True)
'''


def coordcheck(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "coordcheck", *args], cwd=PROJECT, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise SystemExit(f"coordcheck {args[0]} failed: {done.stderr.strip()[-500:]}")
    return done


def write_section(readme: Path, name: str, body: str) -> None:
    """bench/README.md's section ``name`` replaced by ``body`` (added if missing)."""
    begin, end = f"<!-- {name}: written by bench/{name}.py -->", f"<!-- /{name} -->"
    text = readme.read_text() if readme.exists() else "# Benchmarks\n"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    readme.write_text(text)


def rounds_in_child(check_args: list[str], textfile: Path, cold: int, warm: int) -> tuple[list, list]:
    from coordcheck.watch.loop import Settings, Watch

    cold_rounds = []
    for _ in range(cold):    # a new watch each time: its SSH control folder is new
        watch = Watch(Settings(check_args, textfile, every=600))
        cold_rounds.append(watch.round())
        watch.close()
    watch = Watch(Settings(check_args, textfile, every=600))
    try:
        watch.round()        # opens the masters
        warm_rounds = [watch.round() for _ in range(warm)]
    finally:
        watch.close()
    return cold_rounds, warm_rounds


def rounds_in_process(check_args: list[str], rounds: int) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="cc-bench-") as control:
        args = ["-p", "no:cacheprovider", "-q", "--checklist", f"--ssh-control-dir={control}",
                "--ssh-control-persist=600", *check_args]
        done = subprocess.run([sys.executable, "-c", IN_PROCESS, str(rounds), *args], cwd=PROJECT,
                              capture_output=True, text=True, timeout=3600)
        subprocess.run(["bash", "-c", f'for s in {control}/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x; done'],
                       capture_output=True, timeout=30)
    return [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]


def watch_rss(check_args: list[str], rounds: int, folder: Path) -> list[tuple[int, int]]:
    """(round, the watch's RSS) as its textfile says, up to ``rounds`` rounds."""
    sys.path.insert(0, str(PROJECT))
    from prometheus_client.parser import text_string_to_metric_families

    textfile = folder / "rss.prom"
    watch = subprocess.Popen([sys.executable, "-m", "coordcheck", "watch", "--every", "0.1s", "--round-deadline",
                              "600s", "--textfile", str(textfile), *check_args], cwd=PROJECT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict[int, int] = {}
    try:
        while len(seen) < rounds and watch.poll() is None:
            time.sleep(0.2)
            if textfile.exists():
                values = {s.name: s.value for f in text_string_to_metric_families(textfile.read_text())
                          for s in f.samples}
                seen[int(values["coordcheck_watch_rounds_total"])] = int(values["coordcheck_watch_resident_memory_bytes"])
    finally:
        watch.terminate()
        watch.wait(timeout=30)
    return sorted(seen.items())


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


def summary(rounds, key_wall, key_cpu) -> str:
    walls = [key_wall(r) for r in rounds]
    cpus = [key_cpu(r) for r in rounds]
    return f"{statistics.median(walls):.1f} s | {statistics.median(cpus):.2f} s | {len(rounds)}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--rss-rounds", type=int, default=100)
    parser.add_argument("--rss-steps", default="network", help="-m for the RSS rounds (their cost is the child's)")
    parser.add_argument("--no-alert", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cc-bench-watch-") as tmp:
        folder, root = Path(tmp), Path(tmp) / "kolla"
        coordcheck("up", "--dir", str(root), "--ssh")
        check_args = ["--hosts=controllers", "--inventory", str(root / "multinode"), "--configdir", str(root)]
        try:
            cold, warm = rounds_in_child(check_args, folder / "bench.prom", args.cold, args.warm)
            print("child cold:", [(round(r.wall, 1), round(r.cpu, 2)) for r in cold], flush=True)
            print("child warm:", [(round(r.wall, 1), round(r.cpu, 2)) for r in warm], flush=True)
            inproc = rounds_in_process(check_args, args.warm + 1)
            print("in process:", [(round(r["wall"], 1), round(r["cpu"], 2), r["rss"] >> 20) for r in inproc], flush=True)
            rss = watch_rss([*check_args, "-m", args.rss_steps], args.rss_rounds, folder)
            print("watch RSS:", rss[:3], "...", rss[-3:], flush=True)
            alert = None if args.no_alert else alert_times(root, check_args, folder / "prometheus")
            print("alert:", alert, flush=True)
        finally:
            coordcheck("down", "--dir", str(root), check=False)
    load = os.getloadavg()[0]
    lines = [f"## watch (bench/watch.py: 3-host SSH lab, {os.cpu_count()} cores, load average {load:.1f})", "",
             "A round of the whole live checklist (`coordcheck watch`'s rounds are child processes; medians):", "",
             "| round | wall | CPU | rounds |", "|---|---|---|---|",
             f"| child process, cold SSH (a new watch) | {summary(cold, lambda r: r.wall, lambda r: r.cpu)} |",
             f"| child process, warm SSH (masters kept) | {summary(warm, lambda r: r.wall, lambda r: r.cpu)} |"]
    if inproc:
        lines.append(f"| in process (pytest.main repeated), warm SSH | "
                     f"{summary(inproc[1:] or inproc, lambda r: r['wall'], lambda r: r['cpu'])} |")
        lines += ["", f"In process, the RSS grows from {inproc[0]['rss'] / 2**20:.0f} MB after round 1 to "
                      f"{inproc[-1]['rss'] / 2**20:.0f} MB after round {len(inproc)} "
                      f"({inproc[-1]['modules']} modules stay imported)."]
    if rss:
        first, last = rss[0], rss[-1]
        lines += ["", f"The watch process's RSS (`-m {args.rss_steps}` rounds): {first[1] / 2**20:.1f} MB after round "
                      f"{first[0]}, {last[1] / 2**20:.1f} MB after round {last[0]} "
                      f"(largest {max(v for _, v in rss) / 2**20:.1f} MB)."]
    if alert:
        fired, resolved, round_wall = alert
        lines += ["", f"Incident to alert (real Prometheus, 1 s scrape and evaluation, `--every 1s -m config`, a "
                      f"round {round_wall:.1f} s): `coordcheck repro` to CoordcheckCauseFailing firing on every host "
                      f"{fired:.1f} s; `coordcheck fix` to resolved {resolved:.1f} s. At most: the round in progress "
                      "+ one round + a scrape + an evaluation (with `--every 60s`: up to a minute more)."]
    write_section(PROJECT / "bench" / "README.md", SECTION, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
