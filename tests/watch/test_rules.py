"""``coordcheck prometheus-rules``: the rules Prometheus loads (``promtool check
rules``), and a ``promtool test rules`` unit test for every rule: each fires on
the series it is for, with the catalogue id and fix in its runbook, and stays
silent on the others."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from coordcheck.findings import CATALOGUE
from coordcheck.watch import rules
from tests.conftest import run_cli

INSTANCE = {"instance": "deploy:9100", "job": "node"}
SPECIFIC_IDS = {fid for _, fid, _ in rules.SPECIFIC}


def promtool() -> str:
    found = shutil.which("promtool")
    assert found, "promtool is not installed: make prometheus (Debian's prometheus package)"
    return found


def series(name: str, **labels: str) -> str:
    return name + "{" + ", ".join(f'{k}="{v}"' for k, v in {**INSTANCE, **labels}.items()) + "}"


def runbook_text(finding_id: str) -> str:
    """What the runbook annotation reads once Prometheus rendered it."""
    entry = CATALOGUE.get(finding_id)
    if entry is None:
        return f"{finding_id}: see coordcheck's failure catalogue (docs/catalogue.md)"
    return f"{finding_id}: {entry.cause}. Fix: {entry.fix}"


def cause_case(alert: str, severity: str, level: str, ids: list[str]) -> dict:
    """Every id of the catalogue at once, one host and service each: one alert each, its own fix."""
    kind = "a failure" if severity == "fail" else "a warning"
    inputs = [{"series": series("coordcheck_finding", id=fid, severity=severity, host=f"ctl{i}",
                                service="cinder-volume"), "values": "1x10"} for i, fid in enumerate(ids)]
    other = "warn" if severity == "fail" else "fail"
    inputs += [{"series": series("coordcheck_finding", id="URL_DRIFT", severity=other, host="ctl1", service="x"),
                "values": "1x10"},
               {"series": series("coordcheck_finding", id=sorted(SPECIFIC_IDS)[0], severity=severity, host="ctl1",
                                 service=""), "values": "1x10"}]
    expected = [{"exp_labels": {**INSTANCE, "severity": level, "id": fid, "host": f"ctl{i}",
                                "service": "cinder-volume"} | {"job": None},
                 "exp_annotations": {"summary": f"coordcheck: {fid} on ctl{i} (cinder-volume)",
                                     "description": f"coordcheck watch found {kind} of the services' coordination "
                                                    "(tooz over Redis/Valkey Sentinel).",
                                     "runbook": runbook_text(fid)}} for i, fid in enumerate(ids)]
    for alert_ in expected:
        alert_["exp_labels"].pop("job")   # max by (...) keeps instance, not job
    return {"interval": "1m", "input_series": inputs,
            "alert_rule_test": [{"eval_time": "2m", "alertname": alert, "exp_alerts": expected}]}


def specific_case(alert: str, finding_id: str, meaning: str) -> dict:
    return {"interval": "1m",
            "input_series": [{"series": series("coordcheck_finding", id=finding_id, severity="fail", host="ctl2",
                                               service=""), "values": "1x10"},
                             {"series": series("coordcheck_finding", id="URL_DRIFT", severity="fail", host="ctl1",
                                               service="x"), "values": "1x10"}],
            "alert_rule_test": [{"eval_time": "2m", "alertname": alert, "exp_alerts": [{
                "exp_labels": {"instance": INSTANCE["instance"], "severity": "critical", "id": finding_id,
                               "host": "ctl2"},   # an empty label is no label
                "exp_annotations": {"summary": f"coordcheck: {finding_id} on ctl2", "description": meaning,
                                    "runbook": runbook_text(finding_id)}}]},
                                {"eval_time": "2m", "alertname": "CoordcheckCauseFailing", "exp_alerts": [{
                                    "exp_labels": {"instance": INSTANCE["instance"], "severity": "critical",
                                                   "id": "URL_DRIFT", "host": "ctl1", "service": "x"},
                                    "exp_annotations": cause_annotations("URL_DRIFT", "ctl1", "x")}]}]}


def cause_annotations(fid: str, host: str, service: str) -> dict:
    return {"summary": f"coordcheck: {fid} on {host} ({service})",
            "description": "coordcheck watch found a failure of the services' coordination "
                           "(tooz over Redis/Valkey Sentinel).", "runbook": runbook_text(fid)}


def watch_cases(stale_rounds: int) -> list[dict]:
    stale = {"interval": "1m", "input_series": [
        {"series": series("coordcheck_last_run_timestamp_seconds"), "values": "0x10"},     # stopped at 0
        {"series": series("coordcheck_watch_interval_seconds"), "values": "60x10"},
        {"series": series("coordcheck_last_run_timestamp_seconds", instance="fresh:9100"), "values": "0+60x10"},
        {"series": series("coordcheck_watch_interval_seconds", instance="fresh:9100"), "values": "60x10"}],
        "alert_rule_test": [
            {"eval_time": f"{stale_rounds}m", "alertname": "CoordcheckWatchStale", "exp_alerts": []},
            {"eval_time": f"{stale_rounds + 1}m", "alertname": "CoordcheckWatchStale", "exp_alerts": [{
                "exp_labels": {**INSTANCE, "severity": "warning"},
                "exp_annotations": {"summary": f"coordcheck: no verdict for {stale_rounds + 1}m 0s",
                                    "description": f"coordcheck watch has written no verdict for {stale_rounds} "
                                                   "rounds: the watch stopped or every round fails.",
                                    "runbook": rules.rules(stale_rounds)[4]["annotations"]["runbook"]}}]}]}
    failed = {"interval": "1m", "input_series": [
        {"series": series("coordcheck_watch_last_round_ok"), "values": "1 1 0 0"},
        {"series": series("coordcheck_watch_last_round_ok", instance="fine:9100"), "values": "1 1 1 1"}],
        "alert_rule_test": [
            {"eval_time": "1m", "alertname": "CoordcheckWatchRoundFailed", "exp_alerts": []},
            {"eval_time": "3m", "alertname": "CoordcheckWatchRoundFailed", "exp_alerts": [{
                "exp_labels": {**INSTANCE, "severity": "warning"},
                "exp_annotations": rules.rules(stale_rounds)[5]["annotations"]}]}]}
    return [stale, failed]


def unit_tests(stale_rounds: int) -> list[dict]:
    generic = [fid for fid in CATALOGUE if fid not in SPECIFIC_IDS]
    return [cause_case("CoordcheckCauseFailing", "fail", "critical", generic),
            cause_case("CoordcheckCauseWarning", "warn", "warning", generic),
            *(specific_case(*row) for row in rules.SPECIFIC), *watch_cases(stale_rounds)]


@pytest.mark.parametrize("stale_rounds", [3, 5])
def test_promtool_unit_tests_cover_every_rule_and_pass(tmp_path, stale_rounds):
    printed = run_cli("prometheus-rules", "--stale-rounds", str(stale_rounds)).stdout
    (tmp_path / "coordcheck.rules").write_text(printed)
    checked = subprocess.run([promtool(), "check", "rules", str(tmp_path / "coordcheck.rules")],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tests = unit_tests(stale_rounds)
    tested = {case["alertname"] for test in tests for case in test["alert_rule_test"]}
    assert tested == {rule["alert"] for rule in yaml.safe_load(printed)["groups"][0]["rules"]}
    (tmp_path / "tests.yml").write_text(yaml.safe_dump({"rule_files": ["coordcheck.rules"],
                                                        "evaluation_interval": "1m", "tests": tests}))
    done = subprocess.run([promtool(), "test", "rules", "tests.yml"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
    assert "SUCCESS" in done.stdout + done.stderr


def test_every_rule_names_a_catalogue_id_and_its_fix():
    for rule in rules.rules():
        runbook = rule["annotations"]["runbook"]
        named = [fid for fid in CATALOGUE if f"{fid}: " in runbook]
        assert named or runbook.split(":")[0] in ("WATCH_STALE", "WATCH_ROUND_FAILED", *SPECIFIC_IDS), rule["alert"]
        for fid in named:
            assert rules.literal(CATALOGUE[fid].fix) in runbook
