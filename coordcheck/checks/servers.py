"""Checks of the servers' side: network, sentinels, auth, master. Pure
functions, observations in, findings out, one per checklist question, so
each test of the checklist is one line.

    sentinel_monitors_master(observation)   # -> [Finding('SENTINEL_UNKNOWN_MASTER', ...)] or []
"""

from __future__ import annotations

from typing import Callable, Iterable

from coordcheck import kolla
from coordcheck.observe.failover import Failover
from coordcheck.findings import FAIL, WARN, Finding, Where
from coordcheck.observe.probe import Address, Discovery, Login, NodeObservation, SentinelObservation


# -- network ------------------------------------------------------------------
def unreachable_severity(reachable: int, quorum: int) -> str:
    """A lost sentinel is a degradation while a quorum of them still answers."""
    return WARN if reachable >= quorum else FAIL


def ports_reachable(host: str, results: dict[Address, bool], sentinels: Iterable[Address],
                    quorum: int = kolla.QUORUM) -> list[Finding]:
    sentinels = set(sentinels)
    up = sum(1 for addr, ok in results.items() if ok and addr in sentinels)
    found = []
    for addr, ok in results.items():
        if not ok:
            is_sentinel = addr in sentinels
            found.append(Finding("SENTINEL_UNREACHABLE" if is_sentinel else "NODE_UNREACHABLE",
                                 Where(host=host, address=str(addr)),
                                 evidence=f"TCP connect from {host} to {addr} failed within the timeout"
                                          + (f" ({up} of {len(sentinels)} sentinels reachable, quorum {quorum})"
                                             if is_sentinel else ""),
                                 severity=unreachable_severity(up, quorum) if is_sentinel else FAIL))
    return found


# -- sentinel -----------------------------------------------------------------
def not_a_redis_server(address, what: str, sent: str) -> Finding:
    """Something answers on a sentinel's or data node's port, not in RESP.
    Always a failure: it is no sentinel or data node (the real one cannot
    even bind its port), and redis-py's discovery stops at such a sentinel
    instead of trying the next one."""
    return Finding("NOT_A_REDIS_SERVER", Where(address=str(address)), evidence=f"{what} {address} {sent}")


def login_findings(login: Login, what: str, password_key: str, severity: str = FAIL) -> list[Finding]:
    """Unreachable, not a Redis server, or the password from passwords.yml
    rejected. ``severity`` applies to an unreachable sentinel (see
    `unreachable_severity`)."""
    where = Where(address=str(login.address))
    if login.not_redis:
        return [not_a_redis_server(login.address, what, login.not_redis)]
    if login.error:
        if what == "sentinel":
            return [Finding("SENTINEL_UNREACHABLE", where, evidence=login.error, severity=severity)]
        kind = "MASTER_UNREACHABLE" if what == "master" else "NODE_UNREACHABLE"
        return [Finding(kind, where, evidence=login.error)]
    if login.requires_password and login.password_ok is not True:
        evidence = login.password_error or f"{password_key} is empty"
        return [Finding("PASSWORD_REJECTED", where, evidence=f"{what} {login.address} answered {evidence}")]
    return []


def lost_sentinel_severity(everyone: list[SentinelObservation], quorum: int = kolla.QUORUM) -> str:
    return unreachable_severity(sum(1 for o in everyone if o.login.reachable), quorum)


def sentinel_answers(obs: SentinelObservation, everyone: list[SentinelObservation], password_key: str) -> list[Finding]:
    return login_findings(obs.login, "sentinel", password_key, lost_sentinel_severity(everyone))


def sentinel_monitors_master(obs: SentinelObservation) -> list[Finding]:
    if obs.master_error:
        return [Finding("SENTINEL_UNKNOWN_MASTER", Where(address=str(obs.address)),
                        evidence=f"SENTINEL MASTER {obs.master_name} answered {obs.master_error}")]
    return []


#: A sentinel that gets ping replies, but no good one for this long, is
#: being refused (NOAUTH) rather than not reaching the master.
REFUSED_AFTER_MS = 500


def master_flags_healthy(obs: SentinelObservation, master: NodeObservation | None) -> list[Finding]:
    """The sentinel flags its master ``master`` only. When it does not, tell a
    sentinel refused by the master (wrong ``auth-pass``: it gets replies, none
    good, while the master accepts passwords.yml's password from here) from
    one that does not reach it."""
    state = obs.master or {}
    flags = state.get("flags")
    if obs.master is None or flags == "master":
        return []
    where = Where(address=str(obs.address))
    last_ok, last_reply = state.get("last-ok-ping-reply", 0), state.get("last-ping-reply", 0)
    evidence = (f"master {obs.master_name} at {state.get('ip')}:{state.get('port')} flags {flags}; "
                f"last ping reply {last_reply} ms ago, last good one {last_ok} ms ago")
    refused = last_ok - last_reply > REFUSED_AFTER_MS
    if refused and master is not None and master.login.password_ok:
        return [Finding("SENTINEL_CANNOT_AUTH_MASTER", where,
                        evidence=evidence + "; the master accepts the password from passwords.yml from here",
                        fix=f"set the sentinels' password for the master: SENTINEL SET {obs.master_name} auth-pass "
                            "<master password> on each sentinel (Kolla: sentinel auth-pass in the sentinel "
                            "config from passwords.yml; kolla-ansible reconfigure --tags redis)")]
    return [Finding("SENTINEL_SEES_MASTER_DOWN", where, evidence=evidence)]


def quorum_reachable(obs: SentinelObservation, everyone: list[SentinelObservation],
                     quorum: int = kolla.QUORUM) -> list[Finding]:
    """The sentinel's own CKQUORUM, and what this run sees: fewer answering
    sentinels than the quorum cannot elect a failover, even before the
    survivors notice (after their down-after time)."""
    if obs.ckquorum_error:
        return [Finding("QUORUM_LOST", Where(address=str(obs.address)),
                        evidence=f"SENTINEL CKQUORUM {obs.master_name} answered {obs.ckquorum_error}")]
    answering = [o for o in everyone if o.login.reachable]
    if obs.login.reachable and len(answering) < quorum:
        return [Finding("QUORUM_LOST", Where(address=str(obs.address)), evidence=(
            f"{len(answering)} of {len(everyone)} sentinels answer ({', '.join(str(o.address) for o in answering)}); "
            f"a failover needs {quorum}"))]
    return []


def topology_complete(obs: SentinelObservation, replicas: int, other_sentinels: int) -> list[Finding]:
    if obs.master is None:
        return []
    seen = {"replicas": len([r for r in obs.replicas if r.get("flags") == "slave"]),
            "other sentinels": len([s for s in obs.sentinels if s.get("flags") == "sentinel"])}
    expected = {"replicas": replicas, "other sentinels": other_sentinels}
    missing = [f"{seen[k]} of {expected[k]} healthy {k}" for k in seen if seen[k] < expected[k]]
    if not missing:
        return []
    flags = [f"{r.get('ip')}:{r.get('port')}={r.get('flags')}" for r in obs.replicas + obs.sentinels]
    return [Finding("SENTINEL_TOPOLOGY_INCOMPLETE", Where(address=str(obs.address)),
                    evidence=f"sees {' and '.join(missing)} ({', '.join(flags) or 'none listed'})",
                    severity=WARN if obs.ckquorum_error is None else FAIL)]


def discovery_not_redis(found: Discovery, where: Callable[[str], Where]) -> list[Finding]:
    """The servers on a URL's way (its sentinels, the master) that do not
    speak RESP, when its discovery fails: the cause, named once each.
    ``where(address)``: the place of the finding (the host, its configs)."""
    if found.ok:
        return []
    found_at = []
    for address, sent in found.not_redis.items():
        stops = found.stopped_at is not None and str(found.stopped_at) == address
        why = ("; redis-py's discovery (tooz's) stops there instead of trying the next sentinel" if stops else "")
        found_at.append(Finding("NOT_A_REDIS_SERVER", where(address),
                                evidence=f"backend_url's {'master' if address == str(found.master_addr) else 'sentinel'} "
                                         f"{address} {sent}{why}"))
    return found_at


# -- auth ---------------------------------------------------------------------
def sentinels_require_password(observations: list[SentinelObservation]) -> bool | None:
    """True/False when every answering sentinel agrees; None when none answered."""
    answers = {o.login.requires_password for o in observations if o.login.reachable}
    return answers.pop() if len(answers) == 1 else (True if answers else None)


def sentinels_answered(observations: list[SentinelObservation], password_key: str) -> list[Finding]:
    """Whether the sentinels require a password is known once one answers;
    when none did, why (each sentinel's own finding)."""
    if any(o.login.requires_password is not None for o in observations):
        return []
    return [f for o in observations for f in login_findings(o.login, "sentinel", password_key)]


def sentinel_auth_consistent(observations: list[SentinelObservation]) -> list[Finding]:
    states = {str(o.address): o.login.requires_password for o in observations if o.login.reachable}
    if len(set(states.values())) > 1:
        shown = ", ".join(f"{a} {'requires a password' if r else 'has none'}" for a, r in states.items())
        odd = [a for a, r in states.items() if list(states.values()).count(r) <= len(states) / 2]
        return [Finding("SENTINEL_AUTH_INCONSISTENT", Where(address=", ".join(odd)), evidence=shown)]
    return []


def password_authenticates(login: Login, what: str, password_key: str, severity: str = FAIL) -> list[Finding]:
    found = login_findings(login, what, password_key, severity)
    return [f for f in found if f.id == "PASSWORD_REJECTED"] or ([] if login.reachable else found)


# -- master -------------------------------------------------------------------
def no_master(observations: list[SentinelObservation], password_key: str) -> list[Finding]:
    """Why no sentinel announces a master: the sentinel step's own causes."""
    causes = [f for o in observations for f in login_findings(o.login, "sentinel", password_key)
              + sentinel_monitors_master(o)]
    return causes or [Finding("MASTER_DISAGREEMENT", Where(), evidence="no sentinel announces a master")]


def sentinels_agree_on_master(observations: list[SentinelObservation], password_key: str) -> list[Finding]:
    """Every sentinel that announces a master announces the same one (those
    that do not answer are the sentinel step's findings)."""
    answers = {str(o.address): str(o.master_addr) for o in observations if o.master_addr}
    if not answers:
        return no_master(observations, password_key)
    if len(set(answers.values())) != 1:
        shown = ", ".join(f"{s} says {m}" for s, m in answers.items())
        said = list(answers.values())
        majority = max(said, key=said.count)
        odd = [s for s, m in answers.items() if m != majority]
        return [Finding("MASTER_DISAGREEMENT", Where(address=", ".join(odd)), evidence=shown)]
    return []


def failover_seen(seen: Failover | None, host: str | None = None) -> list[Finding]:
    """A failover during the run, as ``host`` followed it: a warning (the services follow it too)."""
    if seen is None or seen.new is None:
        return []
    return [Finding("FAILOVER_SEEN", Where(host=host, address=f"{seen.old} -> {seen.new}"), evidence=str(seen),
                    severity=WARN)]


def master_is_master(obs: NodeObservation, password_key: str) -> list[Finding]:
    found = login_findings(obs.login, "master", password_key)
    if found:
        return found
    if obs.role != "master":
        return [Finding("MASTER_ROLE_WRONG", Where(address=str(obs.address)),
                        evidence=f"INFO replication role: {obs.role or obs.info_error}")]
    return []


def replicas_linked(master: NodeObservation, replicas: list[NodeObservation], password_key: str,
                    failed_over: Address | None = None) -> list[Finding]:
    """Every replica answers and its link to the master is up. The old
    master of a failover seen during the run (``failed_over``) being down is
    a degradation the sentinels have handled: a warning."""
    found = []
    online = [v for k, v in master.replication.items()
              if k.startswith("slave") and isinstance(v, dict) and v.get("state") == "online"]
    expected = [r for r in replicas if not (r.address == failed_over and not r.login.reachable)]
    if master.login.reachable and len(online) < len(expected):
        found.append(Finding("REPLICATION_BROKEN", Where(address=str(master.address)),
                             evidence=f"master has {len(online)} of {len(expected)} replicas online"))
    for replica in replicas:
        if replica not in expected:
            found.append(Finding("NODE_UNREACHABLE", Where(address=str(replica.address)), severity=WARN,
                                 evidence=f"the master before the failover: {replica.login.error}"))
            continue
        found += login_findings(replica.login, "replica", password_key)
        link = replica.replication.get("master_link_status")
        if replica.login.reachable and replica.login.password_ok is not False and link != "up":
            found.append(Finding("REPLICATION_BROKEN", Where(address=str(replica.address)),
                                 evidence=f"INFO replication: role {replica.role}, master_link_status {link}"))
    return found
