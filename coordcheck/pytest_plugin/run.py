"""A run's results as data, built from each test's record (see
`coordcheck.pytest_plugin.report`): the host × step matrix with where each
cell ran, and each cause once — id, severity, every place, the evidence,
the fix (with the real inventory in its kolla-ansible command). Every
output (terminal, JSON, Prometheus, HTML, Nagios) is made from this.

    run = Run(STEPS, started=time.time()); run.add(record)
    run.causes()[0]["id"]     # -> 'SENTINEL_AUTH_MISSING'
"""

from __future__ import annotations

import time
from collections import defaultdict

from coordcheck.findings import named_causes

RANK = {"pass": 0, "warn": 1, "fail": 2}
EVIDENCE_SHOWN = 3


class Run:
    def __init__(self, steps: list[str], started: float) -> None:
        self.steps = steps
        self.started = started
        self.finished: float | None = None
        self.matrix: dict[str, dict[str, str]] = defaultdict(dict)
        self.where: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        self.records: list[dict] = []
        self.notes: list[str] = []
        self.inventory: str | None = None
        self.collection_errors = 0

    def add(self, record: dict) -> None:
        self.records.append(record)
        row, step, status = record["row"], record["step"], record["status"]
        cell = self.matrix[row]
        if RANK[status] >= RANK.get(cell.get(step, "pass"), 0):
            cell[step] = status
        self.where[row][step].add(record["where"])

    @property
    def rows(self) -> list[str]:
        return sorted(self.matrix, key=lambda r: (r == "runner", r))

    @property
    def hosts(self) -> list[str]:
        return [r for r in self.rows if r != "runner"]

    def duration(self) -> float:
        return (self.finished or time.time()) - self.started

    def counts(self) -> dict[str, int]:
        cells = [s for row in self.matrix.values() for s in row.values()]
        return {"failed": cells.count("fail"), "warnings": cells.count("warn"), "passed": cells.count("pass")}

    def verdict(self) -> str:
        """fail | warn | pass | unknown (nothing ran, or collection failed)."""
        if self.collection_errors or not self.records:
            return "unknown"
        counts = self.counts()
        return "fail" if counts["failed"] else ("warn" if counts["warnings"] else "pass")

    def fix_text(self, fix: str, services: set[str]) -> str:
        """The fix with the real inventory path in its kolla-ansible command."""
        if self.inventory:
            fix = fix.replace("-i INVENTORY", f"-i {self.inventory}")
        return fix

    def causes(self) -> list[dict]:
        """Each finding id once: failures first, with every place it was seen."""
        by_id: dict[str, dict] = {}
        for record in self.records:
            for f in record["findings"]:
                entry = by_id.setdefault(f["id"], {
                    "id": f["id"], "severity": f["severity"], "cause": f["cause"], "places": [],
                    "evidence": [], "fixes": [], "tests": [], "services": set(), "repairs": []})
                if f["severity"] == "fail":
                    entry["severity"] = "fail"
                place = {"host": f["where"]["host"] or (None if record["row"] == "runner" else record["row"]),
                         "seen_from": record["row"], **{k: f["where"][k] for k in ("service", "file", "address", "container")},
                         "text": f["place"]}
                if place not in entry["places"]:
                    entry["places"].append(place)
                for key, value in (("evidence", f["evidence"]), ("fixes", f["fix"]), ("tests", record["test"])):
                    if value not in entry[key]:
                        entry[key].append(value)
                if f.get("repair") and f["repair"] not in entry["repairs"]:
                    entry["repairs"].append(f["repair"])
                if f["where"]["service"]:
                    entry["services"].add(f["where"]["service"])
        for record in self.records:  # a test that failed because of a cause counts for it too
            for f in record["findings"]:
                for root in named_causes(f["evidence"]) & by_id.keys():
                    if record["test"] not in by_id[root]["tests"]:
                        by_id[root]["tests"].append(record["test"])
        causes = sorted(by_id.values(), key=lambda e: (e["severity"] != "fail", e["id"]))
        for entry in causes:
            entry["fixes"] = [self.fix_text(fix, entry["services"]) for fix in entry["fixes"]]
            entry["services"] = sorted(entry["services"])
            entry["repairs"] = [dict(r, command=r["command"] and self.fix_text(r["command"], set()))
                                for r in entry["repairs"]]
        return causes

    def unexplained(self) -> list[dict]:
        return [r for r in self.records if r.get("reason")]

    def summary_lines(self) -> list[str]:
        """The terminal summary: the matrix, where each row ran, each cause once."""
        rows = self.rows
        width = max(len(r) for r in rows) + 2
        lines = ["".ljust(width) + "".join(s.ljust(10) for s in self.steps)]
        lines += [row.ljust(width) + "".join(self.matrix[row].get(s, "-").ljust(10) for s in self.steps) for row in rows]
        lines.append("where each ran:")
        for row in rows:
            places = sorted({w for step in self.steps for w in self.where[row].get(step, ())})
            lines.append(f"  {row}: {'; '.join(places)}")
        lines += self.notes
        causes, unexplained = self.causes(), self.unexplained()
        if not causes and not unexplained:
            return lines + ["findings: none"]
        if causes:
            lines.append("causes (each once):")
        for c in causes:
            hosts = sorted({p["host"] or p["seen_from"] for p in c["places"]})
            lines.append(f"  {c['id']:30} {c['severity']:5} {len(c['tests']):3} tests  {', '.join(hosts)}")
            lines.append(f"      cause:    {c['cause']}")
            for place in c["places"][:12]:
                lines.append("      where:    " + "\n                ".join(
                    line.strip() for line in place["text"].splitlines()))
            if len(c["places"]) > 12:
                lines.append(f"      where:    ... {len(c['places']) - 12} more places")
            for evidence in c["evidence"][:EVIDENCE_SHOWN]:
                lines.append(f"      evidence: {evidence}")
            for fix in c["fixes"]:
                lines.append("      fix:      " + fix.replace("\n", "\n                "))
        if unexplained:
            lines.append("failed without a catalogue finding:")
            lines += [f"  {r['row']} {r['step']}: {r['test']}: {r['reason']}" for r in unexplained]
        return lines
