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

from coordcheck.findings import Place, named_causes, place_lines
from coordcheck.kolla.fixes import merged_fix_lines

RANK = {"pass": 0, "warn": 1, "fail": 2}
EVIDENCE_SHOWN = 3
PLACE_KEYS = ("host", "service", "file", "container", "address", "option", "source")


def record_places(finding: dict, row: str) -> list[dict]:
    """Every place of a finding record (its ``where.places``), each with the
    row it was seen from and its one-line text."""
    places = finding["where"].get("places") or [{k: finding["where"].get(k) for k in PLACE_KEYS}]
    out = []
    for place in places:
        place = {k: place.get(k) for k in PLACE_KEYS}
        if place["host"] is None and row != "runner" and not place["address"]:
            place["host"] = row
        out.append({**place, "seen_from": row, "text": " ".join(as_place(place).text().split())})
    return out


def same_place(a: dict, b: dict) -> bool:
    return all(a[k] == b[k] for k in PLACE_KEYS)


def as_place(place: dict) -> Place:
    return Place(**{k: place[k] for k in PLACE_KEYS})


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

    def _roots(self) -> dict[str, str]:
        """Finding id -> the id of the cause its evidence names (followed to the
        end), for ids whose findings follow from another found in this run."""
        ids = {f["id"] for r in self.records for f in r["findings"]}
        named: dict[str, str] = {}
        for record in self.records:
            for f in record["findings"]:
                found = sorted(named_causes(f["evidence"]) & ids - {f["id"]})
                if found and f["id"] not in named:
                    named[f["id"]] = found[0]
        roots = {}
        for finding_id in named:
            root, seen = finding_id, set()
            while root in named and root not in seen:
                seen.add(root)
                root = named[root]
            if root != finding_id:
                roots[finding_id] = root
        return roots

    def causes(self) -> list[dict]:
        """Each cause once: failures first, with every place it was seen, its
        evidence and fix; a finding whose evidence names another cause found
        in this run (TOOZ_HANDSHAKE_FAILED: "cause: SENTINEL_AUTH_MISSING")
        is listed under that cause as one of its ``consequences``."""
        by_id: dict[str, dict] = {}
        for record in self.records:
            for f in record["findings"]:
                entry = by_id.setdefault(f["id"], {
                    "id": f["id"], "severity": f["severity"], "cause": f["cause"], "places": [],
                    "evidence": [], "fixes": [], "tests": [], "services": set(), "repairs": [],
                    "consequences": []})
                if f["severity"] == "fail":
                    entry["severity"] = "fail"
                for place in record_places(f, record["row"]):
                    if not any(same_place(place, p) for p in entry["places"]):
                        entry["places"].append(place)
                for key, value in (("evidence", f["evidence"]), ("fixes", f["fix"]), ("tests", record["test"])):
                    if value not in entry[key]:
                        entry[key].append(value)
                if f.get("repair") and f["repair"] not in entry["repairs"]:
                    entry["repairs"].append(f["repair"])
                entry["services"] |= {p["service"] for p in entry["places"] if p["service"]}
        for consequence, root in self._roots().items():
            follows = by_id.pop(consequence)
            entry = by_id[root]
            follows.pop("consequences")
            follows["services"] = sorted(follows["services"])
            entry["consequences"].append(follows)
            entry["severity"] = "fail" if "fail" in (entry["severity"], follows["severity"]) else entry["severity"]
            entry["services"] |= set(follows["services"])
            entry["tests"] += [t for t in follows["tests"] if t not in entry["tests"]]
            entry["repairs"] += [r for r in follows["repairs"] if r not in entry["repairs"]]
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
            lines += cause_lines(c)
        if unexplained:
            lines.append("failed without a catalogue finding:")
            lines += [f"  {r['row']} {r['step']}: {r['test']}: {r['reason']}" for r in unexplained]
        return lines


INDENT = " " * 16


def labelled(label: str, texts: list[str]) -> list[str]:
    """``      where:    first`` then the others under it."""
    return [f"      {label + ':':10}{texts[0]}"] + [INDENT + t for t in texts[1:]] if texts else []


def fix_lines(fixes: list[str]) -> list[str]:
    """Each fix once: a line another fix already gave is not repeated, and the
    per-project lines of Kolla's fixes merge (`coordcheck.kolla.fixes.merged_fix_lines`)."""
    return merged_fix_lines(fixes)


def cause_lines(c: dict) -> list[str]:
    """One cause's block: headline, cause, places by host, evidence, what
    follows from it, the fix."""
    hosts = sorted({p["host"] or p["seen_from"] for p in c["places"]})
    lines = [f"  {c['id']:30} {c['severity']:5} {len(c['tests']):3} tests  {', '.join(hosts)}",
             f"      cause:    {c['cause']}"]
    lines += labelled("where", place_lines([as_place(p) for p in c["places"]]))
    shown = c["evidence"][:EVIDENCE_SHOWN]
    more = len(c["evidence"]) - len(shown)
    lines += labelled("evidence", shown + ([f"... {more} more (--report-json has every one)"] if more else []))
    for follows in c.get("consequences", []):
        extra = [p for p in follows["places"] if not any(same_place(p, q) for q in c["places"])]
        where = "its places above" if not extra else "at the places below"
        lines += labelled("follows", [f"{follows['id']} ({len(follows['tests'])} tests, {where}): {follows['cause']}"]
                          + ["  " + t for t in place_lines([as_place(p) for p in extra])]
                          + [f"evidence: {e}" for e in follows["evidence"][:EVIDENCE_SHOWN]])
    return lines + labelled("fix", fix_lines(c["fixes"]))
