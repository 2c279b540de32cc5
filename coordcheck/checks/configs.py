"""Checks of the services' side: their ``[coordination] backend_url`` as
written (config step) and as used by redis-py and tooz (client step).
Observations in, findings out; every URL fix points at the URL Kolla would
render (`coordcheck.fixes.Expected`).

    sentinel_password_present(configs, expected)   # -> [Finding('SENTINEL_AUTH_MISSING', ...)] or []
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from urllib.parse import unquote

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.findings import WARN, Finding, Where, because
from coordcheck.kolla.fixes import Expected
from coordcheck.observe.probe import Address, Discovery
from coordcheck.secrets import Secret
from coordcheck.kolla.config_file import ServiceConfig
from coordcheck.observe.tooz import Handshake


def by_url(configs: list[ServiceConfig]) -> dict[str, list[ServiceConfig]]:
    """Usable configs grouped by their exact URL (one probe per URL)."""
    groups: dict[str, list[ServiceConfig]] = defaultdict(list)
    for config in configs:
        if config.url is not None:
            groups[config.url.raw].append(config)
    return groups


def where_all(configs: list[ServiceConfig], address: str | None = None) -> Where:
    """One place for several service configs of a host (same URL, same finding)."""
    first, *others = configs
    return Where(host=first.host, service=first.service, file=first.path, address=address,
                 more_files=tuple((c.service, c.path) for c in others), container=first.container,
                 places=tuple(replace(c.place, address=address) for c in configs))


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


def discovery_findings(configs: list[ServiceConfig], found: Discovery, expected: Expected) -> list[Finding]:
    """Why redis-py discovery with these configs' URL fails, per cause."""
    if found.ok:
        return []
    url = configs[0].url
    where = where_all(configs)
    reasons: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for answer in found.answers:
        if answer.error:
            reasons[_answer_kind(answer.error, url, expected.password)][short_reply(answer.error)].append(str(answer.address))
    findings = []
    for kind, evidence in reasons.items():
        fix = _client_fix(kind, configs, expected)
        shown = "; ".join(f"{', '.join(addrs)} answered {reply}" for reply, addrs in evidence.items())
        findings.append(Finding(kind, where, evidence=shown, fix=fix))
    if found.master_error:
        kind = _master_kind(found.master_error, url, expected.password)
        findings.append(Finding(kind, where_all(configs, address=str(found.master_addr)),
                                evidence=found.master_error, fix=_client_fix(kind, configs, expected)))
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
    versions = f"tooz {result.tooz}, redis-py {result.redis}: " if result.tooz else ""
    return [Finding("TOOZ_HANDSHAKE_FAILED", where_all(configs),
                    evidence=f"{versions}stage {result.stage}: {result.error}{because(cause)}",
                    fix=cause[0].advice if cause else None)]


def configs_present(host: str, configs: list[ServiceConfig], directory: str, error: str | None) -> list[Finding]:
    if configs:
        return []
    return [Finding("CONFIG_MISSING", Where(host=host, file=directory), evidence=error or
                    f"no <service>/<project>.conf under {directory} has [coordination] backend_url")]


def urls_parse(configs: list[ServiceConfig], expected: Expected) -> list[Finding]:
    """A file the service cannot read (CONFIG_UNREADABLE), a URL tooz cannot use (URL_INVALID), or one
    that names a server instead of the sentinels (URL_BYPASSES_SENTINEL)."""
    return bypasses_sentinel(configs, expected) + [
        Finding("CONFIG_UNREADABLE", c.where, evidence=c.error) if c.unreadable else
        Finding("URL_INVALID", c.where, evidence=c.error, fix=expected.fix([c], "write backend_url as Kolla renders it"))
        for c in configs if c.error and not bypassing(c)]


def bypassing(c: ServiceConfig) -> bool:
    return bool(c.error) and not c.unreadable and urls.NO_SENTINEL in c.error


def bypasses_sentinel(configs: list[ServiceConfig], expected: Expected) -> list[Finding]:
    """A URL without ``sentinel=``: tooz (and gnocchi) connect to the server it names and never ask the
    sentinels, so after a failover they write to a read-only replica (READONLY) or to nothing."""
    return [Finding("URL_BYPASSES_SENTINEL", c.where,
                    evidence=f"{c.error}: after a failover that server is a replica (READONLY) or down, and the "
                             "service does not follow the new master until it is reconfigured",
                    fix=expected.fix([c], "use Kolla's own connection string: the sentinels, with sentinel=kolla"))
            for c in configs if bypassing(c)]


def url_options_known(configs: list[ServiceConfig], expected: Expected) -> list[Finding]:
    """Options tooz ignores; the fix renames each to the option it was meant to be. A password written as it
    is into sentinel_password, cut by tooz at its '&', is that password's slip (URL_ENCODING), not options."""
    def change(names: list[str]) -> str:
        meant = {name: urls.closest_option(name) for name in names}
        steps = [f"rename {name} to {to}" if to else f"remove {name}" for name, to in meant.items()]
        return f"{'; '.join(steps)} (tooz reads only: {', '.join(sorted(urls.KNOWN_OPTIONS))})"

    return [Finding("URL_UNKNOWN_OPTION", c.where, evidence=f"tooz ignores {', '.join(c.url.unknown_options)}",
                    fix=expected.fix([c], change(c.url.unknown_options), urls.corrected(c.url.raw)))
            for c in configs if c.url and c.url.unknown_options and not encoding_slips(c.url, expected.password)]


def encoding_slips(url: urls.BackendURL, password: Secret) -> list[str]:
    """Parts of ``url`` that hold ``password`` but that tooz reads as another
    string: the netloc is not percent-decoded; query values are (``+`` is a
    space)."""
    slips = []
    value = password.reveal()
    if url.password and url.password != password and unquote(url.password.reveal()) == value:
        slips.append("the user:password part is percent-encoded, but tooz does not decode it: "
                     "write the password there as it is")
    if url.sentinel_password and url.sentinel_password != password and f"sentinel_password={value}" in url.raw:
        slips.append("sentinel_password is written as it is, but tooz percent-decodes query values "
                     "('+' becomes a space, %XX a byte) and ends them at '&': percent-encode the password there")
    return slips


def passwords_match(configs: list[ServiceConfig], expected: Expected) -> list[Finding]:
    password, password_key = expected.password, expected.flavor.password_key
    found = []
    for c in configs:
        if c.url is None:
            continue
        slips = encoding_slips(c.url, password)
        if slips:
            found.append(Finding("URL_ENCODING", c.where, evidence="; ".join(slips),
                                 fix=expected.fix([c], slips[0].rpartition(": ")[2])))
            continue
        differ = [name for name, value in (("the user:password part", c.url.password),
                                           ("sentinel_password", c.url.sentinel_password))
                  if value is not None and value != password]
        if c.url.password is None:
            differ.append("the user:password part (missing)")
        if differ:
            found.append(Finding("PASSWORD_MISMATCH", c.where,
                                 evidence=f"{' and '.join(differ)} of backend_url != {password_key} in passwords.yml",
                                 fix=expected.fix([c], f"use {password_key} from passwords.yml")))
    return found


def sentinel_password_present(configs: list[ServiceConfig], expected: Expected) -> list[Finding]:
    required = expected.sentinel_auth
    if required is None:
        return [Finding("SENTINEL_UNREACHABLE", where_all(configs) if configs else Where(),
                        evidence=f"{expected.sentinel_auth_reason}: whether they require a password is unknown")]
    found = []
    for group in by_url(configs).values():
        url = group[0].url
        if required and not url.sentinel_password:
            fix = expected.add_sentinel_password(group)
            found.append(Finding("SENTINEL_AUTH_MISSING", where_all(group),
                                 evidence=f"{expected.sentinel_auth_reason}; backend_url has no sentinel_password",
                                 fix=fix))
        elif not required and url.sentinel_password:
            fix = expected.remove_sentinel_password(group)
            found.append(Finding("SENTINEL_AUTH_UNEXPECTED", where_all(group), severity=WARN, fix=fix,
                                 evidence="the sentinels answer without a password, backend_url sends one: redis-py >= 8 "
                                          "accepts that, redis-py < 8 fails with 'AUTH <password> called without any "
                                          "password configured'"))
    return found


def sentinels_match_inventory(configs: list[ServiceConfig], expected: Expected) -> list[Finding]:
    want = sorted(str(Address(h, kolla.SENTINEL_PORT)) for h in expected.sentinel_hosts)
    group = expected.flavor.group
    return [Finding("FALLBACK_MISMATCH", c.where,
                    evidence=f"backend_url sentinels {sorted(str(Address(*s)) for s in c.url.sentinels)} != "
                             f"inventory group {group} {want}",
                    fix=expected.fix([c], f"list the hosts of the {group} group: the first in the netloc, "
                                          "the others as sentinel_fallback"))
            for c in configs if c.url and sorted(str(Address(*s)) for s in c.url.sentinels) != want]


def urls_identical(configs: list[ServiceConfig], expected: Expected) -> list[Finding]:
    groups = by_url(configs)
    if len(groups) <= 1:
        return []
    common = max(groups.values(), key=len)
    reference = common[0].url.masked

    def difference(url: urls.BackendURL) -> str:
        if url.masked == reference:
            return f"differs from {len(common)} others' only in a password ({reference})"
        return f"{url.masked} differs from {len(common)} others' {reference}"

    return [Finding("URL_DRIFT", c.where, evidence=difference(c.url),
                    fix=expected.fix([c], "render it from the same connection string as every other service"))
            for group in groups.values() if group is not common for c in group]


def configs_private(configs: list[ServiceConfig]) -> list[Finding]:
    return [Finding("CONFIG_WORLD_READABLE", c.where, evidence=f"mode {c.mode:04o}")
            for c in configs if c.mode is not None and c.mode & 0o004]


def _client_fix(kind: str, configs: list[ServiceConfig], expected: Expected) -> str | None:
    """The URL fix for a client-side finding (None: the catalogue's fix)."""
    if kind == "SENTINEL_AUTH_MISSING":
        return expected.add_sentinel_password(configs)
    if kind == "SENTINEL_AUTH_UNEXPECTED":
        return expected.remove_sentinel_password(configs)
    if kind in ("SENTINEL_AUTH_WRONG", "MASTER_AUTH_WRONG", "MASTER_USER_WRONG", "URL_ENCODING"):
        user = "the user `default` and " if kind == "MASTER_USER_WRONG" else ""
        return expected.fix(configs, f"use {user}{expected.flavor.password_key} from passwords.yml")
    return None


def users_default(configs: list[ServiceConfig], expected: Expected) -> list[Finding]:
    """Kolla's data nodes know one user, ``default``: another is rejected."""
    return [Finding("MASTER_USER_WRONG", c.where, evidence=f"backend_url names the user {c.url.username!r}",
                    fix=expected.fix([c], "use the user `default`"))
            for c in configs if c.url and c.url.username not in (None, "", "default")]


def passwords_encrypted(path, text: str) -> list[Finding]:
    """A passwords.yml in a repository is ansible-vault encrypted (else: a warning)."""
    from coordcheck.kolla.vault import is_encrypted

    if is_encrypted(text):
        return []
    return [Finding("PASSWORDS_PLAINTEXT", Where(file=f"{path}:1"), severity=WARN,
                    evidence="the file does not start with $ANSIBLE_VAULT")]
