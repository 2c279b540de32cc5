"""Checks: observations in, findings out. Pure functions, no I/O, one per
checklist question, so each test of the checklist is one line.

    sentinel_monitors_master(observation)   # -> [Finding('SENTINEL_UNKNOWN_MASTER', ...)] or []
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable
from urllib.parse import unquote

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.findings import FAIL, WARN, Finding, Where
from coordcheck.probe import Address, Discovery, Login, NodeObservation, SentinelObservation
from coordcheck.secrets import Secret
from coordcheck.service_config import ServiceConfig
from coordcheck.tooz_probe import Handshake


# -- fixes -------------------------------------------------------------------
def url_fix(flavor: kolla.Flavor, configs: list[ServiceConfig], fixed_url: str | None, change: str,
            with_sentinel_password: bool = True) -> str:
    """How to apply a URL change in Kolla: once for all services through
    ``<flavor>_connection_string_extras`` (preferred), or per service, then
    reconfigure."""
    projects = sorted({c.project for c in configs})
    extras = kolla.DEFAULT_EXTRAS
    if with_sentinel_password:
        extras += f"&sentinel_password={{{{ {flavor.password_key} }}}}"
    lines = [change]
    if fixed_url:
        lines.append(f"corrected URL: {urls.mask(fixed_url)}")
    lines += [
        f"in Kolla, once for every service: globals.yml: {flavor.extras_key}: \"{extras}\"",
        f"or per service: config/<project>.conf ({', '.join(f'config/{p}.conf' for p in projects)}) "
        "[coordination] backend_url = <corrected URL>",
        f"then: kolla-ansible -i INVENTORY reconfigure --tags {','.join(projects)}",
    ]
    return "\n            ".join(lines)


def add_sentinel_password(flavor: kolla.Flavor, configs: list[ServiceConfig], password: Secret) -> str:
    return url_fix(flavor, configs, urls.with_sentinel_password(configs[0].url.raw, password),
                   "add &sentinel_password=<the sentinels' password> to backend_url")


def remove_sentinel_password(flavor: kolla.Flavor, configs: list[ServiceConfig]) -> str:
    return url_fix(flavor, configs, urls.without_option(configs[0].url.raw, "sentinel_password"),
                   "remove sentinel_password from backend_url (the sentinels have no password)",
                   with_sentinel_password=False)


def short_reply(text: str) -> str:
    """Redis's long HELLO refusal is NOAUTH by another name: say so, briefly."""
    if "HELLO must be called with the client already authenticated" in text:
        return "NOAUTH (HELLO must be called with the client already authenticated)"
    return text


def _auth_reason(text: str | None) -> str:
    """Classify a server's auth reply: noauth | wrongpass | unexpected | other."""
    if not text:
        return "other"
    if "without any password configured" in text:
        return "unexpected"
    if "WRONGPASS" in text or "invalid username-password" in text or "invalid password" in text:
        return "wrongpass"
    if "NOAUTH" in text or "Authentication required" in text or "HELLO must be called" in text:
        return "noauth"
    if "AuthenticationError" in text:
        return "wrongpass"
    return "other"


# -- network -------------------------------------------------------------------
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


# -- sentinel ------------------------------------------------------------------
def login_findings(login: Login, what: str, password_key: str, severity: str = FAIL) -> list[Finding]:
    """Unreachable, or the password from passwords.yml rejected. ``severity``
    applies to an unreachable sentinel (see `unreachable_severity`)."""
    where = Where(address=str(login.address))
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
                        evidence=evidence + f"; the master accepts the password from passwords.yml from here",
                        fix=f"set the sentinels' password for the master: SENTINEL SET {obs.master_name} auth-pass "
                            "<master password> on each sentinel (Kolla: sentinel auth-pass in the sentinel "
                            "config from passwords.yml; kolla-ansible reconfigure --tags redis)")]
    return [Finding("SENTINEL_SEES_MASTER_DOWN", where, evidence=evidence)]


def quorum_reachable(obs: SentinelObservation) -> list[Finding]:
    if obs.ckquorum_error:
        return [Finding("QUORUM_LOST", Where(address=str(obs.address)),
                        evidence=f"SENTINEL CKQUORUM {obs.master_name} answered {obs.ckquorum_error}")]
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


# -- auth ----------------------------------------------------------------------
def sentinels_require_password(observations: list[SentinelObservation]) -> bool | None:
    """True/False when every answering sentinel agrees; None when none answered."""
    answers = {o.login.requires_password for o in observations if o.login.reachable}
    return answers.pop() if len(answers) == 1 else (True if answers else None)


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


# -- master --------------------------------------------------------------------
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


def master_is_master(obs: NodeObservation, password_key: str) -> list[Finding]:
    found = login_findings(obs.login, "master", password_key)
    if found:
        return found
    if obs.role != "master":
        return [Finding("MASTER_ROLE_WRONG", Where(address=str(obs.address)),
                        evidence=f"INFO replication role: {obs.role or obs.info_error}")]
    return []


def replicas_linked(master: NodeObservation, replicas: list[NodeObservation], password_key: str) -> list[Finding]:
    found = []
    online = [v for k, v in master.replication.items()
              if k.startswith("slave") and isinstance(v, dict) and v.get("state") == "online"]
    if master.login.reachable and len(online) < len(replicas):
        found.append(Finding("REPLICATION_BROKEN", Where(address=str(master.address)),
                             evidence=f"master has {len(online)} of {len(replicas)} replicas online"))
    for replica in replicas:
        found += login_findings(replica.login, "replica", password_key)
        link = replica.replication.get("master_link_status")
        if replica.login.reachable and replica.login.password_ok is not False and link != "up":
            found.append(Finding("REPLICATION_BROKEN", Where(address=str(replica.address)),
                                 evidence=f"INFO replication: role {replica.role}, master_link_status {link}"))
    return found


# -- python client -------------------------------------------------------------
def by_url(configs: list[ServiceConfig]) -> dict[str, list[ServiceConfig]]:
    groups: dict[str, list[ServiceConfig]] = defaultdict(list)
    for config in configs:
        if config.url is not None:
            groups[config.url.raw].append(config)
    return groups


def where_all(configs: list[ServiceConfig], address: str | None = None) -> Where:
    """One place for several service configs of a host (same URL, same finding)."""
    first, *others = configs
    return Where(host=first.host, service=first.service, file=first.path, address=address,
                 more_files=tuple((c.service, c.path) for c in others))


def discovery_findings(configs: list[ServiceConfig], found: Discovery, flavor: kolla.Flavor,
                       password: Secret) -> list[Finding]:
    """Why redis-py discovery with these configs' URL fails, per cause."""
    if found.ok:
        return []
    url = configs[0].url
    where = where_all(configs)
    reasons: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for answer in found.answers:
        if answer.error:
            reasons[_answer_kind(answer.error, url, password)][short_reply(answer.error)].append(str(answer.address))
    findings = []
    for kind, evidence in reasons.items():
        fix = None
        if kind == "SENTINEL_AUTH_MISSING":
            fix = add_sentinel_password(flavor, configs, password)
        elif kind == "SENTINEL_AUTH_UNEXPECTED":
            fix = remove_sentinel_password(flavor, configs)
        shown = "; ".join(f"{', '.join(addrs)} answered {reply}" for reply, addrs in evidence.items())
        findings.append(Finding(kind, where, evidence=shown, fix=fix))
    if found.master_error:
        kind = _master_kind(found.master_error, url, password)
        findings.append(Finding(kind, where_all(configs, address=str(found.master_addr)),
                                evidence=found.master_error))
    if not findings:
        findings.append(Finding("DISCOVERY_FAILED", where, evidence=found.error or "no master address"))
    return findings


def _answer_kind(error: str, url: urls.BackendURL, password: Secret) -> str:
    reason = _auth_reason(error)
    if reason == "noauth" and not url.sentinel_password:
        return "SENTINEL_AUTH_MISSING"
    if reason == "unexpected":
        return "SENTINEL_AUTH_UNEXPECTED"
    if reason in ("wrongpass", "noauth"):
        return "URL_ENCODING" if encoding_slips(url, password) else "SENTINEL_AUTH_WRONG"
    if "monitors no master" in error:
        return "SENTINEL_UNKNOWN_MASTER"
    if "sees master" in error:
        return "SENTINEL_SEES_MASTER_DOWN"
    return "SENTINEL_UNREACHABLE"


def _master_kind(error: str, url: urls.BackendURL, password: Secret) -> str:
    if _auth_reason(error) in ("wrongpass", "noauth"):
        if url.username not in (None, "", "default"):
            return "MASTER_USER_WRONG"
        return "URL_ENCODING" if encoding_slips(url, password) else "MASTER_AUTH_WRONG"
    return "MASTER_UNREACHABLE"


def handshake_findings(configs: list[ServiceConfig], result: Handshake, cause: list[Finding]) -> list[Finding]:
    if result.ok:
        return []
    because = f"; cause: {', '.join(sorted({f.id for f in cause}))}" if cause else ""
    versions = f"tooz {result.tooz}, redis-py {result.redis}: " if result.tooz else ""
    return [Finding("TOOZ_HANDSHAKE_FAILED", where_all(configs),
                    evidence=f"{versions}stage {result.stage}: {result.error}{because}",
                    fix=(cause[0].fix or cause[0].entry.fix) if cause else None)]


# -- container config ------------------------------------------------------------
def configs_present(host: str, configs: list[ServiceConfig], directory: str, error: str | None) -> list[Finding]:
    if configs:
        return []
    return [Finding("CONFIG_MISSING", Where(host=host, file=directory), evidence=error or
                    f"no <service>/<project>.conf under {directory} has [coordination] backend_url")]


def urls_parse(configs: list[ServiceConfig]) -> list[Finding]:
    return [Finding("URL_INVALID", c.where, evidence=c.error) for c in configs if c.error]


def url_options_known(configs: list[ServiceConfig]) -> list[Finding]:
    return [Finding("URL_UNKNOWN_OPTION", c.where,
                    evidence=f"tooz ignores {', '.join(c.url.unknown_options)}",
                    fix=f"rename or remove {', '.join(c.url.unknown_options)}; tooz reads only: "
                        f"{', '.join(sorted(urls.KNOWN_OPTIONS))}")
            for c in configs if c.url and c.url.unknown_options]


def encoding_slips(url: urls.BackendURL, password: Secret) -> list[str]:
    """Parts of ``url`` that hold ``password`` but that tooz reads as another
    string: the netloc is not percent-decoded; query values are (``+`` is a
    space)."""
    slips = []
    value = password.reveal()
    if url.password and url.password != password and unquote(url.password.reveal()) == value:
        slips.append("the user:password part is percent-encoded, but tooz does not decode it: "
                     "write the password there as it is")
    raw = url.raw_option("sentinel_password")
    if url.sentinel_password and url.sentinel_password != password and raw == value:
        slips.append("sentinel_password is written as it is, but tooz percent-decodes query values "
                     "('+' becomes a space, %XX a byte): percent-encode it")
    return slips


def passwords_match(configs: list[ServiceConfig], password: Secret, password_key: str) -> list[Finding]:
    found = []
    for c in configs:
        if c.url is None:
            continue
        slips = encoding_slips(c.url, password)
        if slips:
            fixed = urls.with_sentinel_password(c.url.raw, password) if c.url.sentinel_password else None
            found.append(Finding("URL_ENCODING", c.where, evidence="; ".join(slips),
                                 fix=f"{slips[0].rpartition(': ')[2]}" + (f"; corrected URL: {urls.mask(fixed)}" if fixed else "")))
            continue
        differ = [name for name, value in (("the user:password part", c.url.password),
                                           ("sentinel_password", c.url.sentinel_password))
                  if value is not None and value != password]
        if c.url.password is None:
            differ.append("the user:password part (missing)")
        if differ:
            found.append(Finding("PASSWORD_MISMATCH", c.where,
                                 evidence=f"{' and '.join(differ)} of backend_url != {password_key} in passwords.yml"))
    return found


def sentinel_password_present(configs: list[ServiceConfig], required: bool | None, flavor: kolla.Flavor,
                              password: Secret) -> list[Finding]:
    if required is None:
        return [Finding("SENTINEL_UNREACHABLE", where_all(configs) if configs else Where(),
                        evidence="no sentinel answered, so whether they require a password is unknown")]
    found = []
    for group in by_url(configs).values():
        url = group[0].url
        if required and not url.sentinel_password:
            fix = add_sentinel_password(flavor, group, password)
            found.append(Finding("SENTINEL_AUTH_MISSING", where_all(group),
                                 evidence="the sentinels answer NOAUTH without a password; backend_url has no sentinel_password",
                                 fix=fix))
        elif not required and url.sentinel_password:
            fix = remove_sentinel_password(flavor, group)
            found.append(Finding("SENTINEL_AUTH_UNEXPECTED", where_all(group), severity=WARN, fix=fix,
                                 evidence="the sentinels answer without a password, backend_url sends one: redis-py >= 8 "
                                          "accepts that, redis-py < 8 fails with 'AUTH <password> called without any "
                                          "password configured'"))
    return found


def sentinels_match_inventory(configs: list[ServiceConfig], expected: list[Address], group: str) -> list[Finding]:
    want = sorted(str(a) for a in expected)
    return [Finding("FALLBACK_MISMATCH", c.where,
                    evidence=f"backend_url sentinels {sorted(str(Address(*s)) for s in c.url.sentinels)} != "
                             f"inventory group {group} {want}")
            for c in configs if c.url and sorted(str(Address(*s)) for s in c.url.sentinels) != want]


def urls_identical(configs: list[ServiceConfig]) -> list[Finding]:
    groups = by_url(configs)
    if len(groups) <= 1:
        return []
    common = max(groups.values(), key=len)
    reference = common[0].url.masked

    def difference(url: urls.BackendURL) -> str:
        if url.masked == reference:
            return f"differs from {len(common)} others' only in a password ({reference})"
        return f"{url.masked} differs from {len(common)} others' {reference}"

    return [Finding("URL_DRIFT", c.where, evidence=difference(c.url))
            for group in groups.values() if group is not common for c in group]


def configs_private(configs: list[ServiceConfig]) -> list[Finding]:
    return [Finding("CONFIG_WORLD_READABLE", c.where, evidence=f"mode {c.mode:04o}")
            for c in configs if c.mode & 0o004]
