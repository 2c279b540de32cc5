"""The machine outputs of one run (`coordcheck.pytest_plugin.outputs`): JSON
against its schema, Prometheus through prometheus_client's parser, the HTML
page in headless Chromium, Nagios lines and codes; no password in any."""

import json
import os
import shutil
import struct
import subprocess
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from coordcheck.pytest_plugin import outputs
from coordcheck.pytest_plugin.run import Run
from coordcheck.pytest_plugin.html import page
from coordcheck.pytest_plugin.report import STEPS
from coordcheck.secrets import KNOWN, Secret
from coordcheck.textfile import sample_value

PW = "Pw-0utput-s3cret"


def finding(fid, host, service=None, severity="fail", evidence="e", fix="f"):
    return {"id": fid, "severity": severity, "cause": f"cause of {fid}",
            "where": {"host": host, "service": service, "file": f"/etc/kolla/{service}/x.conf" if service else None,
                      "address": None, "container": None, "more_files": []},
            "place": f"host {host}" + (f", service {service}" if service else ""), "evidence": evidence, "fix": fix}


def record(row, step, status, *found, where=None, test=None):
    return {"row": row, "step": step, "status": status, "where": where or f"inside cinder_volume on {row}",
            "test": test or f"tests_infra/test_{step}.py::t[{row}]", "findings": list(found), "reason": None}


@pytest.fixture
def incident_run():
    Secret(PW)  # known from here on: every output masks it
    run = Run(STEPS, time.time() - 2.0)
    run.inventory = "/etc/kolla/multinode"
    for host in ("ctl1", "ctl2", "ctl3"):
        for step in ("network", "sentinel", "auth", "master"):
            run.add(record(host, step, "pass"))
        missing = finding("SENTINEL_AUTH_MISSING", host, "cinder-volume", evidence=f"NOAUTH (url had {PW})",
                          fix="kolla-ansible -i INVENTORY reconfigure --tags cinder")
        run.add(record(host, "client", "fail", missing))
        run.add(record(host, "config", "fail", missing))
    run.add(record("runner", "client", "warn", finding("FAILOVER_SEEN", None, severity="warn"), where="from this machine"))
    run.finished = time.time()
    return run


def check(schema, value, path="$"):
    """A JSON Schema subset (type, enum, const, required, properties,
    items, additionalProperties): enough for outputs.SCHEMA."""
    kinds = {"string": str, "integer": int, "number": (int, float), "object": dict, "array": list,
             "null": type(None), "boolean": bool}
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        assert any(isinstance(value, kinds[t]) for t in types), f"{path}: {value!r} is not {types}"
    assert "enum" not in schema or value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    assert "const" not in schema or value == schema["const"], path
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{path}: {key} missing"
        for key, item in value.items():
            sub = schema.get("properties", {}).get(key, schema.get("additionalProperties"))
            if isinstance(sub, dict):
                check(sub, item, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check(schema["items"], item, f"{path}[{i}]")


def test_json_report_follows_its_schema_one_entry_per_cause(incident_run, tmp_path):
    path = tmp_path / "report.json"
    outputs.write_atomically(path, json.dumps(outputs.as_json(incident_run, 1)))
    data = json.loads(path.read_text())
    check(outputs.SCHEMA, data)
    assert data["verdict"] == "fail" and data["hosts"] == ["ctl1", "ctl2", "ctl3"]
    assert data["matrix"]["ctl2"]["client"] == {"status": "fail", "where": ["inside cinder_volume on ctl2"]}
    [missing] = [c for c in data["causes"] if c["id"] == "SENTINEL_AUTH_MISSING"]
    assert [p["host"] for p in missing["places"]] == ["ctl1", "ctl2", "ctl3"] and len(missing["tests"]) == 6
    assert missing["fixes"] == ["kolla-ansible -i /etc/kolla/multinode reconfigure --tags cinder"]
    assert PW not in path.read_text() and "***" in path.read_text()
    assert os.listdir(tmp_path) == ["report.json"]  # no temporary file left behind


def test_prometheus_textfile_parses_and_names_causes(incident_run, tmp_path):
    path = tmp_path / "coordcheck.prom"
    outputs.write_atomically(path, outputs.as_prometheus(incident_run))
    families = {f.name: f for f in text_string_to_metric_families(path.read_text())}
    assert set(families) == {"coordcheck_step_ok", "coordcheck_finding", "coordcheck_run_ok", "coordcheck_hosts",
                             "coordcheck_run_duration_seconds", "coordcheck_last_run_timestamp_seconds"}
    steps = {(s.labels["host"], s.labels["step"]): s.value for s in families["coordcheck_step_ok"].samples}
    assert steps[("ctl2", "client")] == 0 and steps[("ctl2", "network")] == 1 and steps[("runner", "client")] == 1
    found = {(s.labels["id"], s.labels["host"], s.labels["service"]) for s in families["coordcheck_finding"].samples}
    assert ("SENTINEL_AUTH_MISSING", "ctl3", "cinder-volume") in found and len(found) == 4
    assert families["coordcheck_run_ok"].samples[0].value == 0 and families["coordcheck_hosts"].samples[0].value == 3
    assert PW not in path.read_text()


def test_prometheus_label_values_are_escaped():
    run = Run(STEPS, time.time())
    run.add(record('ct"l\\1\n', "network", "fail", finding("HOST_UNREACHABLE", 'ct"l\\1\n')))
    [sample] = next(f for f in text_string_to_metric_families(outputs.as_prometheus(run))
                    if f.name == "coordcheck_finding").samples
    assert sample.labels["host"] == 'ct"l\\1\n'


def test_prometheus_one_series_per_cause_host_and_service():
    """The incident's URL lives in four services' overrides: an alert routed by
    service sees every one of them, on every host."""
    services = ("cinder-volume", "designate-worker", "masakari-engine", "mistral-engine")
    run = Run(STEPS, time.time() - 1)
    for host in ("ctl1", "ctl2", "ctl3"):
        missing = finding("SENTINEL_AUTH_MISSING", host, services[0])
        missing["where"]["more_files"] = [[s, f"/etc/kolla/{s}/{s}.conf"] for s in services[1:]]
        run.add(record(host, "config", "fail", missing))
    run.finished = time.time()
    [family] = [f for f in text_string_to_metric_families(outputs.as_prometheus(run)) if f.name == "coordcheck_finding"]
    found = sorted((s.labels["host"], s.labels["service"]) for s in family.samples)
    assert found == sorted((h, s) for h in ("ctl1", "ctl2", "ctl3") for s in services)
    assert {s.labels["id"] for s in family.samples} == {"SENTINEL_AUTH_MISSING"}


@pytest.mark.parametrize("finished", [1796160000.0, 1796164712.345, 1999999999.999, 2 ** 31 + 0.5])
def test_prometheus_timestamps_are_exact(finished):
    """A staleness alert subtracts this from time(): %g lost ~4,700 s of it."""
    run = Run(STEPS, finished - 12.25)
    run.add(record("ctl1", "network", "pass"))
    run.finished = finished
    families = {f.name: f for f in text_string_to_metric_families(outputs.as_prometheus(run))}
    assert families["coordcheck_last_run_timestamp_seconds"].samples[0].value == round(finished, 3)
    assert families["coordcheck_run_duration_seconds"].samples[0].value == 12.25


@pytest.mark.parametrize("value, text", [(0.0, "0"), (3.0, "3"), (1796164712.345, "1796164712.345"),
                                         (float("inf"), "+Inf"), (float("nan"), "NaN"), (-2.5, "-2.5")])
def test_sample_values_written_as_go_reads_them(value, text):
    assert sample_value(value) == text


@pytest.mark.parametrize("statuses, line, code", [
    (["pass"], "COORDCHECK OK - every check passed", 0),
    (["pass", "warn"], "COORDCHECK WARNING - warnings: FAILOVER_SEEN", 1),
    (["fail", "warn"], "COORDCHECK CRITICAL - failed: SENTINEL_AUTH_MISSING; warnings: FAILOVER_SEEN", 2),
    ([], "COORDCHECK UNKNOWN - no checks ran or collection failed", 3),
])
def test_nagios_states_and_perfdata(statuses, line, code):
    run = Run(STEPS, time.time() - 2.1)
    for i, status in enumerate(statuses):
        found = {"pass": [], "warn": [finding("FAILOVER_SEEN", "ctl1", severity="warn")],
                 "fail": [finding("SENTINEL_AUTH_MISSING", "ctl1")]}[status]
        run.add(record("ctl1", STEPS[i], status, *found))
    run.finished = run.started + 2.1
    text, exit_code = outputs.nagios_line(run)
    assert exit_code == code and text.startswith(line + " | ")
    failed, warnings = statuses.count("fail"), statuses.count("warn")
    assert text.endswith(f"| hosts={1 if statuses else 0} failed={failed} warnings={warnings} duration=2.1s")


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


CHROMIUM = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_html_report_in_headless_chromium(incident_run, tmp_path):
    browser = shutil.which("chromium")
    assert browser, "chromium is not installed: make browser (Debian's chromium)"
    path = tmp_path / "report.html"
    outputs.write_atomically(path, page(incident_run))
    text = path.read_text()
    assert PW not in text and "http" not in text.replace("http-equiv", "")   # no external asset
    profile = tmp_path / "profile"
    shot = tmp_path / "shot.png"
    subprocess.run([browser, *CHROMIUM, f"--user-data-dir={profile}", f"--screenshot={shot}",
                    "--window-size=1200,900", path.as_uri()], capture_output=True, timeout=90, check=True)
    assert png_size(shot) == (1200, 900) and shot.stat().st_size > 10_000
    dom = subprocess.run([browser, *CHROMIUM, f"--user-data-dir={profile}", "--dump-dom", path.as_uri()],
                         capture_output=True, text=True, timeout=90, check=True).stdout
    assert "<th>ctl2</th>" in dom and '<td class="fail"' in dom and dom.count('id="SENTINEL_AUTH_MISSING"') == 1
    assert "kolla-ansible -i /etc/kolla/multinode reconfigure --tags cinder" in dom and PW not in dom


def test_every_output_masks_what_it_writes(tmp_path):
    Secret(PW)
    outputs.write_atomically(tmp_path / "x", f"a {PW} b")
    assert (tmp_path / "x").read_text() == KNOWN.mask(f"a {PW} b") and PW not in (tmp_path / "x").read_text()


# --- every output whole: every place, every service (issue 19) ------------------------------------------

from coordcheck.findings import Finding, Place, Where  # noqa: E402
from coordcheck.pytest_plugin import annotations  # noqa: E402
from coordcheck.pytest_plugin.report import finding_record  # noqa: E402

REPO = "/repo/etc/kolla"
GATE_PLACES = [Place(h, s, f"{s}/{s.split('-')[0]}.conf", option="[coordination] backend_url",
                     source=f"{REPO}/config/{s.split('-')[0]}.conf:3" if not s.startswith("cinder") else
                     "Kolla default (redis_master_password from /repo/etc/kolla/passwords.yml)")
               for h in ("ctl1", "ctl2", "ctl3") for s in ("cinder-api", "designate-worker", "masakari-api",
                                                            "mistral-api")]
GATE_PLACES.append(Place("stor1", "cinder-volume", "cinder-volume/cinder.conf", option="[coordination] backend_url",
                         source=f"{REPO}/config/cinder/cinder-volume.conf:5"))
CORRECTED = f"redis://default:{PW}@10.0.2.110:26379?sentinel=kolla&db=0&sentinel_password={PW}"


@pytest.fixture
def gate_run():
    """A gate run as the gate records it: one finding, places on four hosts, a consequence."""
    Secret(PW)
    run = Run(STEPS, time.time() - 1.0)
    run.inventory = "/repo/multinode"
    fix = f"add &sentinel_password=<the sentinels' password> to backend_url\n            corrected URL: {CORRECTED}"
    missing = Finding("SENTINEL_AUTH_MISSING", Where(host="ctl1", places=tuple(GATE_PLACES)),
                      evidence="config/redis/redis-sentinel.conf:2 sets requirepass", fix=fix)
    follows = Finding("TOOZ_HANDSHAKE_FAILED", Where(host="ctl2", places=tuple(GATE_PLACES[4:8])),
                      evidence="stage start: timed out; cause: SENTINEL_AUTH_MISSING")
    run.add(record("runner", "config", "fail", finding_record(missing), test="tests_infra/test_gate_consumers.py::a"))
    run.add(record("ctl2", "client", "fail", finding_record(follows), test="tests_infra/test_python_client.py::b"))
    run.finished = time.time()
    return run


def test_a_consequence_folds_into_its_cause_with_every_place(gate_run):
    [cause] = gate_run.causes()
    assert cause["id"] == "SENTINEL_AUTH_MISSING" and len(cause["tests"]) == 2
    assert [c["id"] for c in cause["consequences"]] == ["TOOZ_HANDSHAKE_FAILED"]
    assert len(cause["places"]) == 13 and {p["host"] for p in cause["places"]} == {"ctl1", "ctl2", "ctl3", "stor1"}
    assert cause["services"] == ["cinder-api", "cinder-volume", "designate-worker", "masakari-api", "mistral-api"]
    block = "\n".join(gate_run.summary_lines())
    headlines = [line.split()[0] for line in block.splitlines() if line.startswith("  ") and not line.startswith("   ")]
    assert [h for h in headlines if h.isupper()] == ["SENTINEL_AUTH_MISSING"]
    assert "TOOZ_HANDSHAKE_FAILED (1 tests, its places above)" in block
    # places under the host they are on: stor1's own line, ctl1-3 alike in one group
    assert "host stor1: cinder-volume" in block and "hosts ctl1, ctl2, ctl3\n" in block
    assert "host ctl1" not in block and "ctl1:" not in block


def test_json_carries_every_place_and_service(gate_run, tmp_path):
    path = tmp_path / "report.json"
    outputs.write_atomically(path, json.dumps(outputs.as_json(gate_run, 1)))
    data = json.loads(path.read_text())
    check(outputs.SCHEMA, data)
    [cause] = data["causes"]
    places = {(p["host"], p["service"], p["file"], p["option"], p["source"]) for p in cause["places"]}
    assert ("stor1", "cinder-volume", "cinder-volume/cinder.conf", "[coordination] backend_url",
            f"{REPO}/config/cinder/cinder-volume.conf:5") in places and len(places) == 13
    assert {"designate-worker", "masakari-api", "mistral-api", "cinder-volume"} <= set(cause["services"])
    assert cause["consequences"][0]["services"] == ["cinder-api", "designate-worker", "masakari-api", "mistral-api"]
    assert PW not in path.read_text()


def test_html_places_as_a_table_fix_clean_url_whole(gate_run, tmp_path):
    path = tmp_path / "report.html"
    outputs.write_atomically(path, page(gate_run))
    text = path.read_text()
    assert text.count("<tr><td>") == 13 and "<th>set by</th>" in text and "<td>stor1</td>" in text
    whole = CORRECTED.replace(PW, "***").replace("&", "&amp;")
    assert f"corrected URL: {whole}" in text and "&amp;sentinel_password=***" in text
    fix = text.split('<pre class="fix">', 1)[1].split("</pre>", 1)[0]
    assert all(line == line.strip() for line in fix.splitlines())   # no terminal indentation
    assert PW not in text


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
