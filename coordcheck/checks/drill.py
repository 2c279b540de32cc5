"""The failover drill's verdicts (pure: `coordcheck.runbook.drill.Drill` ->
findings): a consumer whose own client never worked against the new master
within --failover-wait is FAILOVER_NOT_FOLLOWED; sentinels that do not agree
again afterwards are MASTER_DISAGREEMENT."""

from __future__ import annotations

from coordcheck.findings import Finding, Where


def drill_findings(drill, wait: float) -> list[Finding]:
    moved = f"SENTINEL FAILOVER moved the master from {drill.old} to {drill.new or 'an address the sentinels disagree on'}"
    found = [Finding("FAILOVER_NOT_FOLLOWED", Where(host=r.host, service=r.service, container=r.container),
                     evidence=f"{moved}; {r.attempts} attempts of {r.container}'s own {r.client} client "
                              f"({r.versions}) within {wait:g} s all failed, the last: {r.last_error}")
             for r in drill.recoveries if r.seconds is None and drill.new is not None]
    if drill.new is None:
        found.append(Finding("MASTER_DISAGREEMENT", Where(address=str(drill.old)),
                             evidence=f"after SENTINEL FAILOVER from {drill.old} the sentinels did not agree on a "
                                      f"new master within {2 * wait:g} s"))
    return found
