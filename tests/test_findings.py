"""The failure catalogue (coordcheck/findings.py): every entry renders as what, where, evidence, fix."""

from coordcheck.findings import CATALOGUE, Finding, Where, render


def test_every_finding_renders_what_where_evidence_fix():
    for entry in CATALOGUE.values():
        text = render([Finding(entry.id, Where(host="ctl1", address="10.0.2.110:26379"), evidence="e")])
        assert text.startswith(f"{entry.id}: {entry.cause}")
        assert "where:    host ctl1, address 10.0.2.110:26379" in text and "fix:      " in text
