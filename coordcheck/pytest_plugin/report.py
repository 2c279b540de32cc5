"""What a run found, three ways: the finding ids of each test in the junit
XML (``<property name="finding" value="ID at WHERE"/>``), and at the end of
the terminal output a matrix of hosts × runbook steps and the findings by id.
Every failed cell of the matrix is explained: a test that failed without a
catalogue finding (an assertion, an error) is listed by name, never hidden
under "findings: none".
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from coordcheck.findings import FAIL, WARN, Finding
from coordcheck.secrets import redact
from coordcheck.pytest_plugin import checklist
from coordcheck.pytest_plugin.target import TARGET

STEPS = ["network", "sentinel", "auth", "master", "client", "config"]
RANK = {"pass": 0, "warn": 1, "fail": 2}
MATRIX = pytest.StashKey[dict]()
FOUND = pytest.StashKey[list]()
UNEXPLAINED = pytest.StashKey[list]()   # (row, step, test, reason) of failures without a finding
REASON_WIDTH = 160
CLUSTER = "(cluster)"


def _row(item: pytest.Item) -> str:
    """The host a test ran for, or (cluster) for sentinel/data-node tests."""
    return (getattr(item, "funcargs", {}) or {}).get("host_name") or CLUSTER


def _step(item: pytest.Item) -> str | None:
    return next((m.name for m in item.iter_markers() if m.name in STEPS), None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    step = _step(item)
    if step is None:
        return
    findings: list[Finding] = list(checklist.recorded)
    checklist.recorded.clear()
    for finding in findings:
        item.user_properties.append(("finding", f"{finding.id}{' (warning)' if finding.severity == WARN else ''} at {finding.where.one_line()}"))
    if report.when == "call" or report.failed:
        status = "fail" if report.failed else ("warn" if any(f.severity == WARN for f in findings) else "pass")
        matrix = item.config.stash.setdefault(MATRIX, defaultdict(dict))
        cell = matrix[_row(item)]
        if RANK[status] >= RANK.get(cell.get(step, "pass"), 0):
            cell[step] = status
        item.config.stash.setdefault(FOUND, []).extend((_row(item), f) for f in findings)
        if report.failed and not any(f.severity == FAIL for f in findings):
            item.config.stash.setdefault(UNEXPLAINED, []).append(
                (_row(item), step, f"{Path(str(item.fspath)).name}::{item.name}", _reason(report)))


def _reason(report: pytest.TestReport) -> str:
    """The first line of a failure, e.g. ``AssertionError: no sentinel answered``."""
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr or "")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "failed")
    where = "" if report.when == "call" else f"(in {report.when}) "
    return where + (first if len(first) <= REASON_WIDTH else first[:REASON_WIDTH] + "...")


def _masked(config: pytest.Config, text: str) -> str:
    """``text`` with the run's known password masked."""
    target = config.stash.get(TARGET, None)
    return redact(text, [target.password]) if target is not None else text


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    matrix = config.stash.get(MATRIX, None)
    if not matrix:
        return
    write = terminalreporter.write_line
    terminalreporter.section("coordcheck summary")
    observer = config.stash.get(checklist.OBSERVER, None)
    if observer is not None and "vantage" in vars(observer):  # the server probes ran
        write(f"sentinels and data nodes probed {observer.vantage_note}")
    if observer is not None and observer.failover is not None:
        write(str(observer.failover))
    rows = sorted(matrix, key=lambda r: (r == CLUSTER, r))
    width = max(len(r) for r in rows) + 2
    write("".ljust(width) + "".join(s.ljust(10) for s in STEPS))
    for row in rows:
        write(row.ljust(width) + "".join(matrix[row].get(s, "-").ljust(10) for s in STEPS))
    by_id: dict[str, dict] = defaultdict(lambda: {"rows": set(), "severity": WARN, "count": 0})
    for row, finding in config.stash.get(FOUND, []):
        entry = by_id[finding.id]
        entry["rows"].add(finding.where.host or finding.where.address or row)
        entry["count"] += 1
        if finding.severity == FAIL:
            entry["severity"] = FAIL
    unexplained = config.stash.get(UNEXPLAINED, [])
    if not by_id and not unexplained:
        write("findings: none")
        return
    if by_id:
        write("findings by id:")
    for finding_id, entry in sorted(by_id.items(), key=lambda kv: (kv[1]["severity"] != FAIL, kv[0])):
        write(f"  {finding_id:30} {entry['severity']:5} {entry['count']:3}x  {', '.join(sorted(entry['rows']))}")
    if unexplained:
        write("failed without a catalogue finding:")
        for row, step, test, reason in unexplained:
            write(_masked(config, f"  {row} {step}: {test}: {reason}"))
