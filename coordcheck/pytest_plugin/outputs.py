"""Machine outputs of one run, all from the same `Run` (see
`coordcheck.pytest_plugin.run`), every byte masked (`KNOWN.mask`),
every file written atomically (a temporary file renamed over it):

    --report-json FILE   the verdict, matrix, causes (schema: SCHEMA below, README)
    --prometheus FILE    node_exporter textfile collector format
    --html FILE          one self-contained page
    --sarif FILE         SARIF 2.1.0, for merge-request annotations (`coordcheck.pytest_plugin.annotations`)
    --gitlab-codequality FILE   GitLab Code Quality, the same annotations
    --nagios             (testinfra's flag) OK/WARNING/CRITICAL/UNKNOWN with perfdata
"""

from __future__ import annotations

import json
import platform
import sys
import time
from importlib import metadata

import pytest

from coordcheck.secrets import KNOWN
from coordcheck.textfile import sample_value, write_atomically
from coordcheck.pytest_plugin import annotations, report
from coordcheck.pytest_plugin.run import Run
from coordcheck.pytest_plugin.html import page

SCHEMA_ID = "coordcheck-report/1"
_STR, _NSTR = {"type": "string"}, {"type": ["string", "null"]}
_PLACE = {"type": "object", "required": ["host", "seen_from", "service", "file", "address", "container", "option",
                                         "source", "text"],
          "properties": {k: _NSTR for k in ("host", "service", "file", "address", "container", "option", "source")}
          | {"seen_from": _STR, "text": _STR}}
#: a fix as data (coordcheck.kolla.repairs): the repository edits, then the one command
_REPAIR = {"type": "object", "required": ["edits", "command"], "properties": {
    "command": _NSTR, "edits": {"type": "array", "items": {
        "type": "object", "required": ["file", "line", "action", "key", "value", "section"],
        "properties": {"file": _STR, "line": {"type": ["integer", "null"]}, "action": {"enum": ["set", "remove", "replace"]},
                       "key": _STR, "value": _NSTR, "section": _NSTR}}}}}
_CAUSE = {"id": _STR, "severity": {"enum": ["fail", "warn"]}, "cause": _STR,
          "places": {"type": "array", "items": _PLACE},
          "evidence": {"type": "array", "items": _STR}, "fixes": {"type": "array", "items": _STR},
          "tests": {"type": "array", "items": _STR}, "services": {"type": "array", "items": _STR},
          "repairs": {"type": "array", "items": _REPAIR}}
#: --report-json's schema (JSON Schema, draft 2020-12 subset); the README documents it
SCHEMA = {
    "$id": SCHEMA_ID, "type": "object",
    "required": ["schema", "verdict", "exit_status", "started", "duration_seconds", "inventory", "hosts", "steps",
                 "counts", "matrix", "causes", "unexplained", "versions"],
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "verdict": {"enum": ["pass", "warn", "fail", "unknown"]},
        "exit_status": {"type": ["integer", "null"]},
        "started": _STR, "duration_seconds": {"type": "number"}, "inventory": _NSTR,
        "hosts": {"type": "array", "items": _STR}, "steps": {"type": "array", "items": _STR},
        "counts": {"type": "object", "required": ["failed", "warnings", "passed"]},
        "matrix": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["status", "where"],
            "properties": {"status": {"enum": ["pass", "warn", "fail"]}, "where": {"type": "array", "items": _STR}}}}},
        "causes": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "severity", "cause", "places", "evidence", "fixes", "tests", "services", "consequences"],
            "properties": _CAUSE | {"consequences": {"type": "array", "items": {
                "type": "object", "required": ["id", "severity", "cause", "places", "evidence", "tests", "services"],
                "properties": _CAUSE}}}}},
        "unexplained": {"type": "array", "items": {"type": "object", "required": ["row", "step", "test", "reason"]}},
        "versions": {"type": "object", "additionalProperties": _NSTR},
    },
}
NAGIOS = {"pass": ("OK", 0), "warn": ("WARNING", 1), "fail": ("CRITICAL", 2), "unknown": ("UNKNOWN", 3)}


def versions() -> dict[str, str | None]:
    found = {"python": platform.python_version()}
    for name in ("coordcheck", "pytest", "pytest-testinfra", "redis", "tooz"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def as_json(run: Run, exit_status: int | None) -> dict:
    return {
        "schema": SCHEMA_ID, "verdict": run.verdict(), "exit_status": exit_status,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(run.started)),
        "duration_seconds": round(run.duration(), 3), "inventory": run.inventory,
        "hosts": run.hosts, "steps": run.steps, "counts": run.counts(),
        "matrix": {row: {step: {"status": run.matrix[row][step], "where": sorted(run.where[row][step])}
                         for step in run.steps if step in run.matrix[row]} for row in run.rows},
        "causes": [{k: v for k, v in c.items()} for c in run.causes()],
        "unexplained": [{k: r[k] for k in ("row", "step", "test", "reason")} for r in run.unexplained()],
        "versions": versions(),
    }


def _label(value) -> str:
    return str(value or "").replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels) -> str:
    return "{" + ",".join(f'{k}="{_label(v)}"' for k, v in labels.items()) + "}"


def finding_series(run: Run) -> list[dict]:
    """One label set per cause × host × service: every place of every cause,
    and every further service a place names (a finding's ``more_files``)."""
    severity = {c["id"]: c["severity"] for c in run.causes()}
    series: dict[tuple, dict] = {}

    def add(fid: str, host: str | None, service: str | None) -> None:
        labels = {"id": fid, "severity": severity[fid], "host": host or "", "service": service or ""}
        series.setdefault(tuple(labels.values()), labels)

    for cause in run.causes():
        for place in cause["places"]:
            add(cause["id"], place.get("host") or place.get("seen_from"), place.get("service"))
    for record in run.records:
        for f in record["findings"]:
            where = f["where"]
            host = where["host"] or record["row"]
            for service, _file in where.get("more_files") or ():
                add(f["id"], host, service)
    return sorted(series.values(), key=lambda labels: tuple(labels.values()))


def as_prometheus(run: Run) -> str:
    """Text exposition format 0.0.4: one family per metric, HELP and TYPE first."""
    out: list[str] = []

    def family(name: str, help_text: str, samples: list[tuple[dict, float]]) -> None:
        out.extend([f"# HELP {name} {help_text}", f"# TYPE {name} gauge"])
        out.extend(f"{name}{_labels(**labels) if labels else ''} {sample_value(value)}" for labels, value in samples)

    family("coordcheck_step_ok", "1 when every check of the runbook step passed (warnings pass) from the host",
           [({"step": s, "host": r}, 0.0 if st == "fail" else 1.0) for r in run.rows for s, st in run.matrix[r].items()])
    family("coordcheck_finding", "a cause coordcheck found, once per host and service (see the report for the fix)",
           [(labels, 1.0) for labels in finding_series(run)])
    family("coordcheck_run_ok", "1 when the run found no failure (warnings pass)", [({}, 0.0 if run.verdict() in ("fail", "unknown") else 1.0)])
    family("coordcheck_hosts", "hosts checked", [({}, float(len(run.hosts)))])
    family("coordcheck_run_duration_seconds", "wall time of the run", [({}, round(run.duration(), 3))])
    family("coordcheck_last_run_timestamp_seconds", "when the run finished (unix time)",
           [({}, round(run.finished or time.time(), 3))])
    return "\n".join(out) + "\n"


def nagios_line(run: Run) -> tuple[str, int]:
    """``COORDCHECK WARNING - ... | hosts=3 failed=0 warnings=1 duration=2.1s`` and its exit code."""
    status, code = NAGIOS[run.verdict()]
    counts = run.causes()
    failing = [c["id"] for c in counts if c["severity"] == "fail"]
    warning = [c["id"] for c in counts if c["severity"] == "warn"]
    text = ("no checks ran or collection failed" if status == "UNKNOWN" else
            "; ".join(filter(None, [f"failed: {', '.join(failing)}" if failing else "",
                                    f"warnings: {', '.join(warning)}" if warning else ""])) or "every check passed")
    tally = run.counts()
    perf = (f"hosts={len(run.hosts)} failed={tally['failed']} warnings={tally['warnings']} "
            f"duration={run.duration():.1f}s")
    return f"COORDCHECK {status} - {text} | {perf}", code


class NagiosReporter:
    """Stands in for testinfra's ``--nagios`` reporter (same plugin name, so
    testinfra's own session end calls it): coordcheck's verdict and line,
    then the run's terminal output that testinfra kept aside, masked."""

    def __init__(self, config: pytest.Config, out) -> None:
        self.config, self.out = config, out

    def report(self) -> int:
        run = self.config.stash[report.RUN]
        run.finished = run.finished or time.time()
        line, code = nagios_line(run)
        stdout = sys.stdout.buffer
        stdout.write(KNOWN.mask(line).encode() + b"\n")
        self.out.seek(0)
        stdout.write(KNOWN.mask(self.out.read().decode(errors="replace")).encode())
        return code


def take_over_nagios(config: pytest.Config) -> None:
    """testinfra registers its reporter in its own pytest_configure; ours takes its place."""
    theirs = config.pluginmanager.get_plugin("nagiosreporter")
    if theirs is not None and not isinstance(theirs, NagiosReporter):
        config.pluginmanager.unregister(theirs, "nagiosreporter")
        config.pluginmanager.register(NagiosReporter(config, theirs.out), "nagiosreporter")


def write_outputs(config: pytest.Config, run: Run, exitstatus: int, inventory: str | None) -> None:
    """Every machine output asked for, from the finished run."""
    run.finished = time.time()
    run.inventory = inventory
    if config.getoption("report_json"):
        write_atomically(config.getoption("report_json"), json.dumps(as_json(run, int(exitstatus)), indent=2) + "\n")
    if config.getoption("prometheus"):
        write_atomically(config.getoption("prometheus"), as_prometheus(run))
    if config.getoption("html"):
        write_atomically(config.getoption("html"), page(run))
    if config.getoption("sarif"):
        write_atomically(config.getoption("sarif"),
                         json.dumps(annotations.sarif(run, versions()["coordcheck"] or "0"), indent=2) + "\n")
    if config.getoption("gitlab_codequality"):
        write_atomically(config.getoption("gitlab_codequality"),
                         json.dumps(annotations.gitlab_codequality(run), indent=2) + "\n")
