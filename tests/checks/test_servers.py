"""The server checks (coordcheck/checks/servers.py) are pure: findings from hand-made logins and
sentinel observations, no servers."""

from coordcheck.checks import servers as checks
from coordcheck.observe.probe import Address, Login, SentinelObservation
from tests.checks.samples import SENTINELS, ids


def test_password_rejected_only_when_required():
    login = Login(Address("h", 1), requires_password=False, password_ok=False, password_error="x")
    assert checks.password_authenticates(login, "sentinel", "k") == []
    login = Login(Address("h", 1), requires_password=True, password_ok=False, password_error="WRONGPASS")
    assert ids(checks.password_authenticates(login, "sentinel", "k")) == ["PASSWORD_REJECTED"]


def test_sentinel_topology_incomplete_is_a_warning_while_quorum_holds():
    obs = SentinelObservation(Login(SENTINELS[0], requires_password=True, password_ok=True), "kolla",
                              master={"flags": "master"}, replicas=[{"ip": "10.0.2.111", "port": 6379, "flags": "slave"}],
                              sentinels=[{"ip": "10.0.2.111", "port": 26379, "flags": "sentinel"}])
    [finding] = checks.topology_complete(obs, replicas=2, other_sentinels=2)
    assert finding.id == "SENTINEL_TOPOLOGY_INCOMPLETE" and finding.severity == "warn"
    assert "1 of 2 healthy replicas and 1 of 2 healthy other sentinels" in finding.evidence
    obs.ckquorum_error = "ResponseError: NOQUORUM"
    assert checks.topology_complete(obs, replicas=2, other_sentinels=2)[0].severity == "fail"
