"""The failover drill's verdicts (coordcheck/checks/drill.py): from the runbook's own Drill records."""
from coordcheck.checks.drill import drill_findings
from coordcheck.observe.probe import Address
from coordcheck.runbook.drill import Drill, Recovery

OLD, NEW = Address("10.0.2.110", 6379), Address("10.0.2.111", 6379)


def _recovery(seconds):
    return Recovery("ctl1", "cinder_volume", "cinder-volume", "tooz", "tooz 9.1.0, redis 8.1.0", seconds, 12,
                    None if seconds else "ReadOnlyError: You can't write against a read only replica.")


def test_a_consumer_that_never_worked_against_the_new_master_did_not_follow():
    [finding] = drill_findings(Drill(OLD, new=NEW, recoveries=[_recovery(None), _recovery(2.5)]), 30)
    assert finding.id == "FAILOVER_NOT_FOLLOWED" and finding.where.container == "cinder_volume"
    assert "from 10.0.2.110:6379 to 10.0.2.111:6379" in finding.evidence and "within 30 s" in finding.evidence
    assert "12 attempts" in finding.evidence and "ReadOnlyError" in finding.evidence


def test_sentinels_that_do_not_agree_again_are_a_disagreement():
    [finding] = drill_findings(Drill(OLD, recoveries=[_recovery(None)]), 10)
    assert finding.id == "MASTER_DISAGREEMENT" and "within 20 s" in finding.evidence


def test_every_consumer_that_followed_is_no_finding():
    assert drill_findings(Drill(OLD, new=NEW, recoveries=[_recovery(1.0)]), 30) == []
