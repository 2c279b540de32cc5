"""coordcheck's figures for every consumer live (issue 13): the lab with
gnocchi, octavia and horizon containers (`up --ssh --containers --consumers`).

    python bench/consumers.py [--rounds N]

Prints: `coordcheck up` to ready; the whole checklist over SSH, healthy;
each consumer's own client inside its container (healthy), as the checklist
runs it; for each consumer's break scenario, the checklist run that names
its cause; and the time from a coordination error written into a Kolla log
file (masakari-api.log in the host's kolla_logs) to the suite naming it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from datetime import datetime
from pathlib import Path

import testinfra
from common import checklist, spread, table, timed, write_section

from coordcheck import kolla  # noqa: E402
from coordcheck.lab import scenarios
from coordcheck.lab.containers import CONSUMER_PLACEMENT
from coordcheck.lab.deployment import LocalDeployment  # noqa: E402
from coordcheck.observe import tooz as tooz_probe
from coordcheck.observe.engine import Engine

CONSUMER_TEST = ("-m", "containers", "-k", "test_each_consumer_reaches_its_master_inside_its_container")
LOG_TEST = ("-m", "containers", "-k", "test_service_logs_free_of_coordination_errors")
#: an oslo.log line as tooz's failure leaves it in a service's log file
ERROR_LINE = ("{now} 7 ERROR masakari-api [-] Error starting coordination backend.: "
              "tooz.coordination.ToozConnectionError: No master found for 'kolla'\n")


def median(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ups, healthy, clients, causes, log_to_cause = [], [], {c.project: [] for c in CONSUMER_PLACEMENT.values()}, {}, []
    with tempfile.TemporaryDirectory(prefix="coordcheck-bench-") as tmp:
        d = LocalDeployment(Path(tmp) / "kolla")
        ups.append(d.up(kolla.FLAVORS["redis"], ssh=True, engine="docker", consumers=True))
        try:
            local = Engine(testinfra.get_host("local://"), "docker")
            for _ in range(args.rounds):
                seconds, code = checklist(d)
                assert code == 0, "the healthy lab failed the checklist"
                healthy.append(seconds)
                for consumer in CONSUMER_PLACEMENT.values():
                    took, result = timed(lambda: tooz_probe.handshake_in(
                        local, consumer.fake.container, consumer.path_inside, 10.0, 2.0, [d.password()], consumer))
                    assert result.ok, result
                    clients[consumer.project].append(took)
                log = d.root / "ctl3" / "kolla_logs" / "masakari" / "masakari-api.log"
                before = log.read_text()
                log.write_text(before + ERROR_LINE.format(now=datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]))
                try:
                    seconds, code = checklist(d, *LOG_TEST)
                finally:
                    log.write_text(before)
                assert code == 1, "the error line was not found"
                log_to_cause.append(seconds)
            for name in (c.fake.scenario for c in CONSUMER_PLACEMENT.values()):
                scenarios.apply(d, name)
                causes[name] = checklist(d, *CONSUMER_TEST)
                d.fix()
        finally:
            d.down()

    print("coordcheck consumers bench: gnocchi_metricd, octavia_worker, horizon beside 3 tooz services, over SSH")
    print(f"{'coordcheck up --ssh --containers --consumers: start to ready':66} {ups[0]:.1f} s")
    print(f"{'the whole checklist, healthy (pytest exit 0)':66} {median(healthy)}")
    for consumer, values in clients.items():
        print(f"{f'{consumer} own client inside its container (docker exec -i)':66} {median(values)}")
    for name, (seconds, code) in causes.items():
        print(f"{f'{name}: checklist run naming the cause (exit {code})':66} {seconds:.1f} s")
    print(f"{'an error line in masakari-api.log -> SERVICE_LOG_ERRORS named':66} {median(log_to_cause)}")
    write_section("consumers", table(["what", "figure"], [
        ["`coordcheck up --ssh --containers --consumers`, start to ready", f"{ups[0]:.1f} s"],
        ["the whole checklist over SSH, healthy", spread(healthy)],
        *[[f"{consumer}'s own client inside its container", spread(values, 2)] for consumer, values in clients.items()],
        *[[f"`{name}`: the run naming the cause", f"{seconds:.1f} s (exit {code})"]
          for name, (seconds, code) in causes.items()],
        ["an error line written into `masakari-api.log` (kolla_logs) -> `SERVICE_LOG_ERRORS` named",
         spread(log_to_cause)]]))


if __name__ == "__main__":
    main()
