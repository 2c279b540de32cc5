"""The runbook's steps, named once: each step's pytest marker, the checklist
module that holds its tests, and what it checks. The markers, the run's
order, the report's matrix and the README's table all read this.

    >>> [s.marker for s in STEPS]
    ['network', 'sentinel', 'auth', 'master', 'client', 'config']
    >>> step_of_module("test_python_client").number
    '6'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    number: str       # the manual runbook's step(s): "3-4"
    marker: str       # -m network
    module: str       # its checklist module (tests_infra/<module>.py, installed as coordcheck.checklist)
    checks: str


STEPS = (
    Step("1", "network", "test_network", "TCP to every sentinel and data node from every controller"),
    Step("2", "sentinel", "test_sentinel", "the sentinels answer and agree"),
    Step("3-4", "auth", "test_auth", "who requires a password and whether passwords.yml opens them"),
    Step("5", "master", "test_master", "the master the sentinels announce answers and replicates"),
    Step("6", "client", "test_python_client", "redis-py discovery and a tooz lock with each service's own URL"),
    Step("7", "config", "test_container_config", "every service's [coordination] backend_url"),
)

#: markers that select checks across steps
OTHER_MARKERS = {
    "containers": "checks inside the service containers (engine, config copy, logs, in-container tooz)",
    "gate": "config-repository checks that only the gate runs (e.g. passwords.yml encrypted)",
    "failover_drill": "the failover drill (SENTINEL FAILOVER on the live master): runs only with --allow-failover",
}


def markers() -> list[str]:
    """Every marker the checklist uses, as an ini ``markers`` line."""
    steps = [f"{s.marker}: runbook step{'s' * ('-' in s.number)} {s.number}, {s.checks}" for s in STEPS]
    return steps + [f"{name}: {text}" for name, text in OTHER_MARKERS.items()]


def step_of_module(module: str) -> Step | None:
    return next((s for s in STEPS if s.module == module), None)


def order(module: str) -> int:
    """A checklist module's place in the run: runbook order, the rest after."""
    return next((i for i, s in enumerate(STEPS) if s.module == module), len(STEPS))
