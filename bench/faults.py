"""coordcheck's figures under faults (issue 6), on processes and on
docker-compose.sentinel.yml, measured in one run.

    python bench/faults.py [--rounds N]

Prints, per engine: the failover time seen from outside (master killed ->
every sentinel announces the same new master), the time until tooz with the
fixed URL takes a lock again (same start), and the checklist's wall time
under each fault: master killed mid-run, one sentinel down, two down, a
replica restarted without masterauth, one sentinel partitioned (SIGSTOP).
"""

from __future__ import annotations

import argparse
import signal
import statistics
import tempfile
import time
from pathlib import Path

from common import PROJECT, checklist, table, write_section

from coordcheck import kolla  # noqa: E402
from coordcheck.observe import tooz as tooz_probe
from coordcheck.lab import images
from coordcheck.observe import probe
from coordcheck.lab import scenarios
from coordcheck import url as urls  # noqa: E402
from coordcheck.observe.failover import agreed_master  # noqa: E402
from coordcheck.lab.deployment import LocalDeployment  # noqa: E402

ENGINES = {"processes": {}, "compose": {"servers": "compose", "image": images.SERVER}}
FAULTS = ["SENTINEL_UNREACHABLE", "SENTINEL_UNREACHABLE_NO_QUORUM", "REPLICATION_BROKEN", "SENTINEL_PARTITIONED"]


def failover_figures(deployment: LocalDeployment) -> tuple[float, float]:
    """Kill the master; seconds until the sentinels agree on another, and
    until a tooz lock through the fixed URL succeeds again."""
    password = deployment.password()
    url = urls.parse(deployment.fixed_url(deployment.flavor(), password).reveal())
    sentinels = [probe.Address(ip, kolla.SENTINEL_PORT) for ip in deployment.sentinel_addresses()]
    old_master = probe.Address(deployment.address("ctl1"), kolla.DATA_PORT)
    deployment.signal("ctl1", "server", signal.SIGKILL)
    killed = time.monotonic()
    agreed = locked = None
    while time.monotonic() - killed < 60 and (agreed is None or locked is None):
        if agreed is None:
            seen = [probe.observe_sentinel(s, kolla.MASTER_NAME, password, 1.0) for s in sentinels]
            new = agreed_master(seen)
            if new is not None and new != old_master and all(o.master_addr == new for o in seen):
                agreed = time.monotonic() - killed
        if locked is None and tooz_probe.handshake(url, deadline=3.0, timeout=1.0).ok:
            locked = time.monotonic() - killed
        time.sleep(0.1)
    if agreed is None or locked is None:
        raise SystemExit(f"no failover within 60 s (agreed={agreed}, locked={locked})")
    return agreed, locked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    images.build("docker")
    results: dict[str, dict[str, list]] = {}
    with tempfile.TemporaryDirectory(prefix="coordcheck-bench-") as tmp:
        def fresh(engine: str, tag: str) -> LocalDeployment:
            deployment = LocalDeployment(Path(tmp) / f"{engine}-{tag}")
            deployment.up(kolla.FLAVORS["redis"], **ENGINES[engine])
            return deployment

        for engine in ENGINES:
            rows = results[engine] = {}
            for round_ in range(args.rounds):
                deployment = fresh(engine, f"failover{round_}")
                try:
                    agreed, locked = failover_figures(deployment)
                finally:
                    deployment.down()
                rows.setdefault("failover: master killed -> sentinels agree on a new one", []).append(agreed)
                rows.setdefault("failover: master killed -> tooz (fixed URL) takes a lock", []).append(locked)
                deployment = fresh(engine, f"midrun{round_}")
                try:
                    rows.setdefault("checklist, master killed mid-run (exit 0)", []).append(checklist(
                        deployment, "-p", "kill_master_mid_run",
                        env={"COORDCHECK_KILL_DIR": str(deployment.root),
                             "PYTHONPATH": str(PROJECT / "tests" / "plugins")}))
                finally:
                    deployment.down()
            for fault in FAULTS:
                deployment = fresh(engine, fault.lower())
                try:
                    scenarios.apply(deployment, fault)
                    rows[f"checklist, {fault}"] = [checklist(deployment)]
                finally:
                    deployment.down()

    print(f"coordcheck faults bench, {args.rounds} rounds for the failover, sentinels down-after 5 s")
    for engine, rows in results.items():
        print(f"[{engine}]")
        for name, values in rows.items():
            if isinstance(values[0], tuple):
                seconds = [s for s, _ in values]
                codes = sorted({rc for _, rc in values})
                print(f"  {name:58} median {statistics.median(seconds):6.1f} s  (exit {codes}, n={len(values)})")
            else:
                print(f"  {name:58} median {statistics.median(values):6.1f} s  "
                      f"(min {min(values):.1f}, max {max(values):.1f}, n={len(values)})")
    write_section("faults", table(["what", *ENGINES], [
        [name, *(figure(results[engine][name]) for engine in ENGINES)] for name in results["processes"]]))


def figure(values: list) -> str:
    """A row's cell: median seconds, with the exit codes of checklist runs."""
    if isinstance(values[0], tuple):
        return f"{statistics.median(s for s, _ in values):.1f} s (exit {','.join(sorted({str(rc) for _, rc in values}))})"
    return f"{statistics.median(values):.1f} s"


if __name__ == "__main__":
    main()
