"""Merge-request annotations from one `Run`: SARIF 2.1.0 (``--sarif FILE``:
GitHub code scanning, GitLab, any SARIF viewer) and GitLab Code Quality
(``--gitlab-codequality FILE``). One result per cause (or consequence) and
repository line: the file:line the gate read the value from (``set by
config/designate.conf:3``), every host and service it reaches named in the
message. A place no repository line sets (a Kolla default, a live host's
file) is located at its file, with its host and service as logical location.

    sarif(run)["runs"][0]["results"][0]["ruleId"]    # -> 'SENTINEL_AUTH_MISSING'
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from coordcheck.findings import CATALOGUE
from coordcheck.pytest_plugin.run import Run, fix_lines

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"fail": "error", "warn": "warning"}
GITLAB_SEVERITY = {"fail": "major", "warn": "minor"}
_FILE_LINE = re.compile(r"(/[^\s:;()]+|[^\s:;()]+/[^\s:;()]+):(\d+)")


def located(place: dict) -> tuple[str | None, int | None]:
    """The file and line a place's value comes from: the repository line that
    set it (``source``), else a ``file:line`` it names, else its file."""
    for text in (place.get("source"), place.get("file")):
        found = _FILE_LINE.search(text or "")
        if found:
            return found.group(1), int(found.group(2))
    return place.get("file"), None


def relative(path: str) -> str:
    """Relative to the working directory (a CI job's checkout) when under it."""
    absolute = Path(path)
    try:
        return absolute.relative_to(Path.cwd()).as_posix() if absolute.is_absolute() else path
    except ValueError:
        return path


def findings(run: Run) -> list[dict]:
    """Each cause and consequence once per location, with the hosts and services there."""
    out: dict[tuple, dict] = {}
    for cause in run.causes():
        for entry, root in [(cause, None)] + [(f, cause["id"]) for f in cause.get("consequences", [])]:
            for place in entry["places"]:
                path, line = located(place)
                key = (entry["id"], path, line)
                found = out.setdefault(key, {"id": entry["id"], "severity": entry["severity"],
                                             "cause": entry["cause"], "path": path, "line": line, "root": root,
                                             "hosts": [], "services": [], "options": [],
                                             "fix": fix_lines(cause["fixes"])})
                for field, value in (("hosts", place.get("host") or place.get("seen_from")),
                                     ("services", place.get("service")), ("options", place.get("option"))):
                    if value and value not in found[field]:
                        found[field].append(value)
    return list(out.values())


def _message(found: dict) -> str:
    text = f"{found['id']}: {found['cause']}"
    if found["root"]:
        text += f" (follows from {found['root']})"
    if found["services"]:
        text += f"; services: {', '.join(sorted(found['services']))}"
    if found["hosts"]:
        text += f"; hosts: {', '.join(sorted(found['hosts']))}"
    if found["options"]:
        text += f"; option: {', '.join(found['options'])}"
    return text


def sarif(run: Run, version: str = "0") -> dict:
    """The run as a SARIF 2.1.0 log (one run, tool coordcheck, one rule per catalogue id found)."""
    found = findings(run)
    ids = sorted({f["id"] for f in found})
    rules = [{"id": i, "name": i, "shortDescription": {"text": CATALOGUE[i].cause},
              "fullDescription": {"text": CATALOGUE[i].cause}, "help": {"text": CATALOGUE[i].fix},
              "properties": {"step": CATALOGUE[i].step}} for i in ids]
    results = []
    for f in found:
        location: dict = {}
        if f["path"]:
            physical: dict = {"artifactLocation": {"uri": relative(f["path"])}}
            if f["line"]:
                physical["region"] = {"startLine": f["line"]}
            location["physicalLocation"] = physical
        location["logicalLocations"] = [{"name": f"{h}/{s}" if s else h, "kind": "module"}
                                        for h in sorted(f["hosts"]) or ["deployment"]
                                        for s in (sorted(f["services"]) or [None])]
        results.append({"ruleId": f["id"], "ruleIndex": ids.index(f["id"]), "level": LEVEL[f["severity"]],
                        "message": {"text": _message(f) + ("\nfix: " + "\n".join(f["fix"]) if f["fix"] else "")},
                        "locations": [location],
                        "partialFingerprints": {"coordcheck/v1": _fingerprint(f)},
                        "properties": {"hosts": sorted(f["hosts"]), "services": sorted(f["services"])}})
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "coordcheck", "version": version, "rules": rules,
                            "informationUri": "https://docs.openstack.org/kolla-ansible/"}},
        "results": results,
        "invocations": [{"executionSuccessful": run.verdict() != "unknown",
                         "workingDirectory": {"uri": Path.cwd().as_uri()}}]}]}


def _fingerprint(found: dict) -> str:
    return hashlib.sha256(f"{found['id']}|{found['path']}|{found['line']}".encode()).hexdigest()


def gitlab_codequality(run: Run) -> list[dict]:
    """The run as a GitLab Code Quality report (``artifacts: reports: codequality``)."""
    return [{"description": _message(f), "check_name": f["id"], "fingerprint": _fingerprint(f),
             "severity": GITLAB_SEVERITY[f["severity"]],
             "location": {"path": relative(f["path"] or os.devnull), "lines": {"begin": f["line"] or 1}}}
            for f in findings(run)]
