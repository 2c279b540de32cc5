"""Merge-request annotations (`coordcheck.pytest_plugin.annotations`): SARIF
2.1.0 against its required properties and GitLab Code Quality as GitLab
reads it, one result per cause and repository line, every service named."""

import json

from coordcheck.pytest_plugin import annotations, outputs
from tests.pytest_plugin.records import PW, REPO, check


def test_a_place_is_located_at_the_line_that_set_it():
    assert annotations.located({"source": f"{REPO}/config/designate.conf:3", "file": "designate-worker/x.conf"}) \
        == (f"{REPO}/config/designate.conf", 3)
    assert annotations.located({"source": "Kolla default", "file": "/etc/kolla/cinder-api/cinder.conf:7"}) \
        == ("/etc/kolla/cinder-api/cinder.conf", 7)
    assert annotations.located({"source": None, "file": "/etc/kolla/cinder-api/cinder.conf"}) \
        == ("/etc/kolla/cinder-api/cinder.conf", None)


SARIF_REQUIRED = {   # SARIF 2.1.0's required properties (OASIS sarif-v2.1.0, sarif-schema-2.1.0.json)
    "type": "object", "required": ["version", "runs"],
    "properties": {"version": {"const": "2.1.0"}, "$schema": {"type": "string"}, "runs": {"type": "array", "items": {
        "type": "object", "required": ["tool", "results"], "properties": {
            "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "rules": {
                    "type": "array", "items": {"type": "object", "required": ["id"]}}}}}},
            "results": {"type": "array", "items": {
                "type": "object", "required": ["message", "ruleId", "level", "locations"], "properties": {
                    "ruleId": {"type": "string"}, "ruleIndex": {"type": "integer"},
                    "level": {"enum": ["none", "note", "warning", "error"]},
                    "message": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
                    "locations": {"type": "array", "items": {"type": "object", "properties": {
                        "physicalLocation": {"type": "object", "required": ["artifactLocation"], "properties": {
                            "artifactLocation": {"type": "object", "required": ["uri"]},
                            "region": {"type": "object", "required": ["startLine"],
                                       "properties": {"startLine": {"type": "integer"}}}}}}}}}}}}}}},
}


def test_sarif_annotates_each_repository_line_with_every_service(gate_run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "coordcheck.sarif"
    outputs.write_atomically(path, json.dumps(annotations.sarif(gate_run)))
    data = json.loads(path.read_text())
    check(SARIF_REQUIRED, data)
    [run] = data["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["SENTINEL_AUTH_MISSING", "TOOZ_HANDSHAKE_FAILED"]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    lines = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"].get("region", {}).get("startLine")): r
             for r in run["results"] if r["ruleId"] == "SENTINEL_AUTH_MISSING"}
    designate = lines[(f"{REPO}/config/designate.conf", 3)]
    assert designate["level"] == "error" and designate["properties"]["hosts"] == ["ctl1", "ctl2", "ctl3"]
    assert "services: designate-worker" in designate["message"]["text"]
    assert lines[(f"{REPO}/config/cinder/cinder-volume.conf", 5)]["properties"]["hosts"] == ["stor1"]
    services = {s for r in run["results"] for s in r["properties"]["services"]}
    assert services == {"cinder-api", "cinder-volume", "designate-worker", "masakari-api", "mistral-api"}
    assert PW not in path.read_text() and "sentinel_password=***" in path.read_text()


def test_gitlab_codequality_has_what_gitlab_reads(gate_run, tmp_path):
    path = tmp_path / "gl-code-quality-report.json"
    outputs.write_atomically(path, json.dumps(annotations.gitlab_codequality(gate_run)))
    issues = json.loads(path.read_text())
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["path"], str) and issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    masakari = next(i for i in issues if i["location"]["path"].endswith("config/masakari.conf"))
    assert masakari["location"]["lines"]["begin"] == 3 and "masakari-api" in masakari["description"]
    assert PW not in path.read_text()
