"""Prometheus alerting rules on coordcheck's metrics, made from the failure
catalogue (`coordcheck.findings.CATALOGUE`): every alert's ``runbook``
annotation names the catalogue id and its fix.

    coordcheck prometheus-rules > /etc/kolla/config/prometheus/coordcheck.rules

Rules: a cause present, per severity (critical for a failure, warning for a
warning); the ids with a rule of their own (a host unreachable, locks not
exclusive) only there; the watch stale (no verdict for ``stale_rounds``
rounds); the watch's last round without a verdict (overran or failed).
"""

from __future__ import annotations

import yaml

from coordcheck.findings import CATALOGUE

GROUP = "coordcheck"
#: ids that have an alert of their own: (alert, id, what it means)
SPECIFIC = (
    ("CoordcheckHostUnreachable", "HOST_UNREACHABLE", "a host of the checked deployment cannot be reached"),
    ("CoordcheckLocksNotExclusive", "LOCKS_NOT_EXCLUSIVE",
     "two services can hold the same tooz lock at once: coordination is not exclusive"),
)
BY = "instance, id, severity, host, service"


def literal(text: str) -> str:
    """Text that Prometheus' Go templates print as written (a fix may show ``{{ var }}``)."""
    return text.replace("{{", "\x00").replace("}}", '{{ "}}" }}').replace("\x00", '{{ "{{" }}')


def fix_of(finding_id: str) -> str:
    entry = CATALOGUE.get(finding_id)
    if entry is None:
        return f"{finding_id}: see coordcheck's failure catalogue (docs/catalogue.md)"
    return literal(f"{finding_id}: {entry.cause}. Fix: {entry.fix}")


def runbook_for_any_id() -> str:
    """One template naming the fix of the alert's own id (its ``id`` label)."""
    branches = [f'{{{{ {"if" if i == 0 else "else if"} eq $labels.id "{fid}" }}}}{fix_of(fid)}'
                for i, fid in enumerate(fid for fid in CATALOGUE if fid not in {row[1] for row in SPECIFIC})]
    return "".join(branches) + '{{ else }}{{ $labels.id }}: see coordcheck\'s failure catalogue{{ end }}'


def _cause(alert: str, severity: str, level: str) -> dict:
    skip = "|".join(fid for _, fid, _ in SPECIFIC)
    return {
        "alert": alert,
        "expr": f'max by ({BY}) (coordcheck_finding{{severity="{severity}", id!~"{skip}"}}) == 1',
        "labels": {"severity": level},
        "annotations": {
            "summary": "coordcheck: {{ $labels.id }} on {{ $labels.host }}"
                       "{{ if $labels.service }} ({{ $labels.service }}){{ end }}",
            "description": "coordcheck watch found " + ("a failure" if severity == "fail" else "a warning") +
                           " of the services' coordination (tooz over Redis/Valkey Sentinel).",
            "runbook": runbook_for_any_id(),
        },
    }


def _specific(alert: str, finding_id: str, meaning: str) -> dict:
    return {
        "alert": alert,
        "expr": f'max by ({BY}) (coordcheck_finding{{id="{finding_id}"}}) == 1',
        "labels": {"severity": "critical"},
        "annotations": {"summary": f"coordcheck: {finding_id} on {{{{ $labels.host }}}}",
                        "description": meaning, "runbook": fix_of(finding_id)},
    }


def rules(stale_rounds: int = 3) -> list[dict]:
    return [
        _cause("CoordcheckCauseFailing", "fail", "critical"),
        _cause("CoordcheckCauseWarning", "warn", "warning"),
        *(_specific(*row) for row in SPECIFIC),
        {"alert": "CoordcheckWatchStale",
         "expr": f"time() - coordcheck_last_run_timestamp_seconds > {stale_rounds} * coordcheck_watch_interval_seconds",
         "labels": {"severity": "warning"},
         "annotations": {"summary": "coordcheck: no verdict for {{ $value | humanizeDuration }}",
                         "description": f"coordcheck watch has written no verdict for {stale_rounds} rounds: "
                                        "the watch stopped or every round fails.",
                         "runbook": "WATCH_STALE: systemctl status coordcheck-watch; journalctl -u coordcheck-watch "
                                    "(each failed or overrun round says why)"}},
        {"alert": "CoordcheckWatchRoundFailed",
         "expr": "coordcheck_watch_last_round_ok == 0",
         "labels": {"severity": "warning"},
         "annotations": {"summary": "coordcheck: the last watch round ended without a verdict",
                         "description": "the last round overran its deadline or failed; the coordcheck_* metrics "
                                        "are the last verdict's",
                         "runbook": "WATCH_ROUND_FAILED: journalctl -u coordcheck-watch says why; a round that "
                                    "overruns needs a longer --every or fewer steps (-m)"}},
    ]


def as_yaml(stale_rounds: int = 3) -> str:
    """The rules file Prometheus (and Kolla's config/prometheus/*.rules) reads."""
    document = {"groups": [{"name": GROUP, "rules": rules(stale_rounds)}]}
    return yaml.safe_dump(document, sort_keys=False, width=1000, allow_unicode=True)
