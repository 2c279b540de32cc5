"""The gate's test cases: one per distinct finding (id and fix), not per
host × check, so the number of cases grows with what is wrong, not with the
fleet. The repository is rendered once (`coordcheck.fixtures.gate`).
"""

from __future__ import annotations

import pytest

from coordcheck.findings import Finding
from coordcheck.fixtures.deployment import is_gate
from coordcheck.fixtures.gate import gate_rendering


def groups(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings by id and fix: the number of cases grows with distinct findings, not hosts."""
    out: dict[tuple, list[Finding]] = {}
    for finding in findings:
        out.setdefault((finding.id, finding.advice), []).append(finding)
    counts: dict[str, int] = {}
    named = {}
    for (finding_id, _), found in out.items():
        counts[finding_id] = counts.get(finding_id, 0) + 1
        named[f"{finding_id}-{counts[finding_id]}"] = found
    return named


def parametrize(metafunc: pytest.Metafunc) -> None:
    if not (metafunc.config.getoption("inventory") and is_gate(metafunc.config)):
        metafunc.parametrize("gate_case", [[]], ids=["not-a-gate-run"])
        return
    cases = groups(gate_rendering(metafunc.config)[2]) or {"no-finding": []}
    metafunc.parametrize("gate_case", list(cases.values()), ids=list(cases))
