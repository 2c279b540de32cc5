"""What a run found: the finding ids of each test in the junit XML
(``<property name="finding" value="ID at WHERE"/>``), and at the end of the
terminal output a matrix of hosts × runbook steps (and where each ran),
then each cause once (`coordcheck.pytest_plugin.run`).

Each test's cell and findings travel on its report (``report.coordcheck``,
plain JSON, masked): under pytest-xdist they reach the controller with the
report, and the summary is built there, in ``pytest_runtest_logreport``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coordcheck.findings import FAIL, WARN, Finding
from coordcheck.fixtures.observer import OBSERVER
from coordcheck.fixtures.verdict import recorded
from coordcheck.runbook.steps import STEPS as RUNBOOK
from coordcheck.secrets import KNOWN
from coordcheck.pytest_plugin.run import Run

STEPS = [s.marker for s in RUNBOOK]
RUNNER = "runner"
RUN = pytest.StashKey[Run]()
REASON_WIDTH = 160


def _row(item: pytest.Item) -> str:
    """The host a test ran for, or ``runner`` for the runner's own checks."""
    return (getattr(item, "funcargs", {}) or {}).get("host_name") or RUNNER


def _step(item: pytest.Item) -> str | None:
    return next((m.name for m in item.iter_markers() if m.name in STEPS), None)


def _where(item: pytest.Item, row: str, step: str) -> str:
    """Where the test's probes ran."""
    observer = item.config.stash.get(OBSERVER, None)
    if row == RUNNER and step in ("network", "config"):
        return "from this machine (every host's configs)"
    if step in ("network", "config"):
        return f"on {row} (testinfra)"
    view = observer.known_view(None if row == RUNNER else row) if observer is not None else None
    return view.note if view is not None else ("from this machine" if row == RUNNER else f"on {row}")


def finding_record(finding: Finding) -> dict:
    w = finding.where
    return {"id": finding.id, "severity": finding.severity, "cause": finding.entry.cause,
            "where": {"host": w.host, "service": w.service, "file": w.file, "address": w.address,
                      "container": w.container, "more_files": [list(p) for p in w.more_files],
                      "places": [p.as_dict() for p in w.all_places()]},
            "place": str(w), "evidence": finding.evidence, "fix": finding.advice,
            "repair": finding.repair.as_dict() if finding.repair is not None else None}


def _masked(value):
    """A JSON-able value with every known secret masked."""
    return json.loads(KNOWN.mask(json.dumps(value)))


def header(config: pytest.Config) -> list[str]:
    """Say when the terminal shows ids relative to the working directory."""
    if not config.getoption("inventory", None) or config.rootpath == config.invocation_params.dir:
        return []
    return [f"coordcheck: ids are tests_infra/...; pytest's rootdir is {config.rootpath}, so this terminal shows them "
            "relative to the working directory (write --inventory=PATH --configdir=DIR, add --rootdir=., or run "
            "`coordcheck check`, to see them whole)"]


def brief(config: pytest.Config) -> None:
    """One screen by default: each failure is a line of pytest's short summary and
    its cause is told once, in the coordcheck summary (pytest's own ``--tb=no``);
    ``-v`` or an explicit ``--tb`` brings each test's failure block back (junit
    keeps them whole either way). Called for a run of the checklist only."""
    if config.option.tbstyle == "auto" and config.option.verbose < 1:
        config.option.tbstyle = "no"


def checklist_module(module_path: Path, parent: pytest.Collector, checklist: Path) -> pytest.Module | None:
    """Stable ids: ``tests_infra/test_auth.py::test_x[ctl1]`` whatever the
    working directory, the first path argument (pytest derives a module's
    id from its rootdir, which an option like ``--inventory /etc/kolla/x``
    moves) and where the checklist is installed; junit, JSON and ``--lf``
    all use it."""
    if module_path.parent != checklist:
        return None
    return pytest.Module.from_parent(parent, path=module_path, nodeid=f"tests_infra/{module_path.name}")


def record_test(item: pytest.Item, report: pytest.TestReport) -> None:
    """Put the test's cell and findings on its report (``report.coordcheck``)."""
    step = _step(item)
    if step is None:
        return
    taken = item.stash.get(TAKEN, 0)  # each phase's report carries the findings of that phase
    findings: list[Finding] = recorded(item)[taken:]
    item.stash[TAKEN] = taken + len(findings)
    for finding in findings:
        item.user_properties.append(("finding", KNOWN.mask(
            f"{finding.id}{' (warning)' if finding.severity == WARN else ''} at {finding.where.one_line()}")))
    if report.when == "call" or report.failed:
        row = _row(item)
        status = "fail" if report.failed else ("warn" if any(f.severity == WARN for f in findings) else "pass")
        unexplained = report.failed and not any(f.severity == FAIL for f in findings)
        report.coordcheck = _masked({
            "row": row, "step": step, "status": status, "where": _where(item, row, step),
            "test": report.nodeid, "findings": [finding_record(f) for f in findings],
            "reason": _reason(report) if unexplained else None})


TAKEN = pytest.StashKey[int]()


def _reason(report: pytest.TestReport) -> str:
    """The first line of a failure, e.g. ``AssertionError: no sentinel answered``."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr or "")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "failed")
    where = "" if report.when == "call" else f"(in {report.when}) "
    return where + (first if len(first) <= REASON_WIDTH else first[:REASON_WIDTH] + "...")


def summary(terminalreporter, config: pytest.Config) -> None:
    run = config.stash.get(RUN, None)
    if run is None or not run.matrix:
        return
    observer = config.stash.get(OBSERVER, None)
    if observer is not None and observer.failover is not None:
        run.notes.append(str(observer.failover))
    terminalreporter.section("coordcheck summary")
    for line in run.summary_lines():
        terminalreporter.write_line(KNOWN.mask(line))
