"""The machine outputs of one run (`coordcheck.pytest_plugin.outputs`): JSON
against its schema, Prometheus through prometheus_client's parser, Nagios
lines and codes (the live run's too); no password in any."""

import json
import os
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from coordcheck.pytest_plugin import outputs
from coordcheck.pytest_plugin.report import STEPS
from coordcheck.pytest_plugin.run import Run
from coordcheck.secrets import KNOWN, Secret
from coordcheck.textfile import sample_value
from tests.conftest import assert_no_secret, run_checklist, run_cli
from tests.pytest_plugin.records import PW, REPO, check, finding, record


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


def test_every_output_masks_what_it_writes(tmp_path):
    Secret(PW)
    outputs.write_atomically(tmp_path / "x", f"a {PW} b")
    assert (tmp_path / "x").read_text() == KNOWN.mask(f"a {PW} b") and PW not in (tmp_path / "x").read_text()


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




@pytest.mark.parametrize("broken, status, code", [(False, "OK", 0), (True, "CRITICAL", 2)])
def test_nagios_line(deployment, tmp_path, broken, status, code):
    if broken:
        run_cli("repro", "--dir", str(deployment.root))
    try:
        run = run_checklist(*deployment.checklist_args(), "--nagios", tmp_path=tmp_path, cwd=tmp_path)
    finally:
        run_cli("fix", "--dir", str(deployment.root))
    assert run.returncode == code
    first = run.stdout.splitlines()[0]
    assert first.startswith(f"COORDCHECK {status} - ") and " | hosts=3 failed=" in first and " warnings=0 duration=" in first
    assert ("SENTINEL_AUTH_MISSING" in first) is broken
    assert_no_secret(run.output, deployment.password)
