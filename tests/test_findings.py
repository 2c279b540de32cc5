"""coordcheck.findings: the catalogue (every failure coordcheck can name, its runbook step, cause and fix)
and the findings the checks report — rendered, their causes named, the catalogue as Markdown."""

import subprocess
import sys

import pytest

from coordcheck.consumers import RECORDS
from coordcheck.findings import (CATALOGUE, FAIL, WARN, Finding, Where, because, markdown_document, markdown_table,
                                 named_causes, render)
from coordcheck.runbook.steps import STEPS
from tests.conftest import PROJECT

WHERE = Where(host="ctl1", service="cinder-volume", file="/etc/kolla/cinder-volume/cinder.conf")


def test_every_entry_names_its_runbook_step_a_cause_and_a_fix():
    assert {e.step for e in CATALOGUE.values()} <= {s.marker for s in STEPS}
    assert all(e.id == key and e.cause and e.fix for key, e in CATALOGUE.items())
    assert {c.missing_auth for c in RECORDS if c.cause} <= set(CATALOGUE)  # the consumers' own causes


def test_a_finding_is_of_the_catalogue_only():
    with pytest.raises(KeyError, match="finding id NO_SUCH_ID is not in the catalogue"):
        Finding("NO_SUCH_ID", WHERE, "evidence")


def test_a_finding_renders_cause_where_evidence_and_fix():
    found = Finding("SENTINEL_AUTH_MISSING", WHERE, "127.0.2.110:26379 replied NOAUTH")
    assert found.severity == FAIL and found.advice == CATALOGUE["SENTINEL_AUTH_MISSING"].fix
    assert found.render().splitlines() == [
        f"SENTINEL_AUTH_MISSING: {CATALOGUE['SENTINEL_AUTH_MISSING'].cause}",
        "  where:    host ctl1, service cinder-volume, file /etc/kolla/cinder-volume/cinder.conf",
        "  evidence: 127.0.2.110:26379 replied NOAUTH",
        "  fix:      add &sentinel_password= to backend_url"]
    warning = Finding("QUORUM_LOST", Where(host="ctl2"), "1 of 3", fix="start ctl2's sentinel", severity=WARN)
    assert warning.render().startswith("QUORUM_LOST (warning): ") and warning.render().endswith("start ctl2's sentinel")
    assert render([found, warning]) == found.render() + "\n" + warning.render()


def test_the_causes_a_finding_names_are_read_back():
    causes = [Finding("SENTINEL_UNREACHABLE", WHERE, "x"), Finding("QUORUM_LOST", WHERE, "y"),
              Finding("SENTINEL_UNREACHABLE", WHERE, "z")]
    written = because(causes)
    assert written == "; cause: QUORUM_LOST, SENTINEL_UNREACHABLE" and because([]) == ""
    assert named_causes(f"no master found{written}") == {"QUORUM_LOST", "SENTINEL_UNREACHABLE"}
    assert named_causes("no cause named") == set()


def test_the_markdown_table_has_one_row_per_entry_written_as_is():
    rows = markdown_table().splitlines()
    assert rows[:2] == ["| id | step | cause | fix |", "|---|---|---|---|"] and len(rows) == 2 + len(CATALOGUE)
    assert all(row.count(" | ") == 3 for row in rows[2:])  # a | in a cause or fix is escaped
    assert "&lt;flavor&gt;_connection_string" in markdown_table() and "<flavor>" not in markdown_table()


def test_the_module_writes_the_catalogue_page_and_nothing_else():
    done = subprocess.run([sys.executable, "-m", "coordcheck.findings", "--markdown"], capture_output=True, text=True,
                          cwd=PROJECT, timeout=60)
    assert done.returncode == 0 and done.stdout == markdown_document()
    wrong = subprocess.run([sys.executable, "-m", "coordcheck.findings"], capture_output=True, text=True,
                           cwd=PROJECT, timeout=60)
    assert wrong.returncode == 1 and wrong.stderr.strip() == (
        "usage: python -m coordcheck.findings --markdown > docs/catalogue.md")


def test_every_finding_renders_what_where_evidence_fix():
    for entry in CATALOGUE.values():
        text = render([Finding(entry.id, Where(host="ctl1", address="10.0.2.110:26379"), evidence="e")])
        assert text.startswith(f"{entry.id}: {entry.cause}")
        assert "where:    host ctl1, address 10.0.2.110:26379" in text and "fix:      " in text
