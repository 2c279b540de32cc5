"""Checks of every Sentinel consumer a config repository renders, each by
its own loader's semantics: the URLs here (tooz, gnocchi, osprofiler: what
loads goes on to the Sentinel checks of checks/configs.py), octavia's
jobboard and horizon's cache in checks/jobboard_cache.py; what does not
render, URLs with no host, then the migration preflight (checks/preflight.py)
and the verdicts (checks/verdicts.py). Rendered records in, findings out.

    findings = consumer_findings(rendered, sentinel_auth(rendered, "auto"))
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.consumers import RECORDS
from coordcheck.checks import configs as url_checks
from coordcheck.checks import loading, verdicts
from coordcheck.checks.jobboard_cache import JUDGES
from coordcheck.checks.loading import no_hosts
from coordcheck.checks.rendered_places import place_key, rendered_place, where_of
from coordcheck.checks.preflight import preflight
from coordcheck.findings import FAIL, WARN, Finding, Where
from coordcheck.kolla.fixes import Expected
from coordcheck.kolla.render.values import Record
from coordcheck.kolla.render import Rendered
from coordcheck.kolla.config_file import ServiceConfig, parse_url_into
from coordcheck.kolla.reading import files_under, is_present, read_lenient
from coordcheck.secrets import Secret


def sentinel_auth(rendered: Rendered, setting: str = "auto") -> tuple[bool, str]:
    """Whether the deployed sentinels require a password, and why we think so."""
    if setting in ("required", "none"):
        return setting == "required", f"--sentinel-auth={setting}"
    release, flavor = rendered.release, rendered.release.flavor
    prefix = rendered.renderer.split(" installed at ", 1)
    stock = f"kolla-ansible {release.point}'s stock {flavor}-sentinel.conf.j2 sets no requirepass"
    if len(prefix) == 2:  # the operator's kolla-ansible: read its (maybe patched) sentinel template
        template = Path(prefix[1]) / f"share/kolla-ansible/ansible/roles/{flavor}/templates/{flavor}-sentinel.conf.j2"
        text = read_lenient(template, "sentinel template") if is_present(template, "sentinel template") else ""
        if any(line.strip().startswith("requirepass") for line in text.splitlines()):
            return True, f"{template} sets requirepass"
        stock = f"{template} sets no requirepass"
    for path in files_under(rendered.repo.configdir / "config" / flavor, "*sentinel*.conf", "override file"):
        if path.parent != rendered.repo.configdir / "config" / flavor:
            continue
        for line, text in enumerate(read_lenient(path, "override file").splitlines(), 1):
            said = re.match(r"\s*requirepass\s+(\S+)", text)
            if said:  # no release merges it: taken as the operator's word, either way
                if said[1] in ('""', "''"):
                    return False, f"{path}:{line} sets requirepass \"\" (no password: Redis reads it as none)"
                return True, (f"{path}:{line} sets requirepass (no kolla-ansible release merges that file: taken as "
                              "your statement that the sentinels have a password; say it with --sentinel-auth=required)")
    carried = loading.urls_carry_sentinel_password(rendered.records, rendered.release)
    if carried:
        return True, carried
    return False, (f"{stock} and no release merges a sentinel override (give --sentinel-auth=required if your "
                   "sentinels have one)")


def url_configs(records: list[Record], consumers: set[tuple[str, str, str]]) -> list[ServiceConfig]:
    """The URL-valued consumers that load as Redis (Sentinel) URLs, as ServiceConfigs (tooz semantics):
    ``consumers`` (file, section, option) that the service reads, not what an override such as
    config/global.conf puts into every file (nova.conf has no [coordination] consumer). What the
    consumer's own loader refuses, or loads as another backend, is judged by `loading_findings`."""
    out = []
    for r in records:
        if (r.section, r.option) in loading.URL_OPTIONS and (r.file, r.section, r.option) in consumers:
            verdict = loading.judge(r.section, r.option, r.value)
            if verdict.kind == "sentinel":
                project = r.file.rsplit(".", 1)[0]
                out.append(parse_url_into(ServiceConfig(r.host, r.service, project, place_key(r), None,
                                                        rendered=rendered_place(r)), verdict.value))
    return out


def loading_findings(records: list[Record], consumers: set[tuple[str, str, str]]) -> list[Finding]:
    """Values a consumer's own loader cannot load (URL_NOT_LOADABLE), blank ones (URL_BLANK), and
    backends that are not Redis/Valkey Sentinel (BACKEND_NOT_SENTINEL, a warning): one finding per
    kind and error, with every place."""
    groups: dict[tuple, list[Record]] = defaultdict(list)
    for r in records:
        if (r.section, r.option) in loading.URL_OPTIONS and (r.file, r.section, r.option) in consumers:
            verdict = loading.judge(r.section, r.option, r.value)
            if verdict.kind in ("blank", "not_loadable", "other_backend"):
                groups[(verdict.kind, verdict.loader, verdict.error)].append(r)
    found = []
    for (kind, loader, error), places in groups.items():
        first = places[0]
        shown = f"{first.option} = {urls.shown(first.value, 120)!s}"
        if kind == "blank":
            found.append(Finding("URL_BLANK", where_of(places), evidence=f"[{first.section}] {first.option} is empty; "
                                 + loading.BLANK_EFFECT.format(loader=loader, error=error)))
        elif kind == "not_loadable":
            found.append(Finding("URL_NOT_LOADABLE", where_of(places), evidence=f"{shown}: {loader} cannot load it: {error}"))
        else:
            found.append(Finding("BACKEND_NOT_SENTINEL", where_of(places), severity=WARN,
                                 evidence=f"{shown}: {loader} loads {error}; the gate's Sentinel checks do not apply"))
    return found


def expected_for(rendered: Rendered, auth: tuple[bool, str]) -> Expected:
    repo, flavor = rendered.repo, kolla.FLAVORS[rendered.release.flavor]
    hosts = repo.inventory.group_hosts(flavor.group)
    addresses = tuple(repo.address(h, str(repo.context(h).get("api_interface", "eth0"))) for h in hosts)
    password = Secret(str(repo.extra.get(flavor.password_key, "")))
    return Expected(flavor, password, addresses, auth[0], auth[1])


def consumer_findings(rendered: Rendered, auth: tuple[bool, str]) -> list[Finding]:
    records = rendered.records
    consumers = {(o.file, o.section, o.option) for o in rendered.release.options}
    found = render_errors(rendered) + urls_without_hosts(records) + loading_findings(records, consumers)
    configs = [c for c in url_configs(records, consumers) if c.url is None or not no_hosts(c.url.raw)]
    usable = [c for c in configs if c.url is not None]
    if configs:
        expected = expected_for(rendered, auth)
        found += url_checks.urls_parse(configs, expected)
    if usable:
        found += (url_checks.url_options_known(usable, expected) + url_checks.users_default(usable, expected)
                  + url_checks.passwords_match(usable, expected)
                  + url_checks.sentinel_password_present(usable, expected)
                  + url_checks.sentinels_match_inventory(usable, expected)
                  + url_checks.urls_identical(usable, expected))
    for consumer in RECORDS:  # the consumers that are not URLs, each by its own parse routine
        judge = JUDGES.get(consumer.parser)
        found += judge(consumer, rendered, auth) if judge else []
    found = client_traps(found, rendered, auth) + preflight(rendered)
    return verdicts.settle(found, rendered, expected_for(rendered, auth), usable)


def client_traps(found: list[Finding], rendered: Rendered, auth: tuple[bool, str]) -> list[Finding]:
    """What the release's own clients do with a URL: a sentinel_password the
    sentinels do not expect breaks redis-py < 8 (every release before 2026.2)."""
    release = rendered.release
    out = []
    for finding in found:
        if finding.id == "SENTINEL_AUTH_UNEXPECTED" and release.redis_py_below(8):
            finding = replace(finding, severity=FAIL, evidence=(
                f"{auth[1]}; backend_url sends a sentinel_password; {release.clients}, which fails: "
                "'AUTH <password> called without any password configured'"))
        elif finding.id == "SENTINEL_AUTH_UNEXPECTED":
            finding = replace(finding, evidence=f"{auth[1]}; backend_url sends a sentinel_password; "
                                                f"{release.clients}, which accepts that")
        out.append(finding)
    return out


def render_errors(rendered: Rendered) -> list[Finding]:
    """What does not render (kolla-ansible's deploy stops there too): an
    option's template (URL_INVALID), an override that is not INI (CONFIG_UNREADABLE)."""
    return [Finding("CONFIG_UNREADABLE" if e.unreadable else "URL_INVALID",
                    Where(host=e.host, service=e.service, file=e.place), evidence=e.message,
                    fix=None if e.unreadable else "make the template render: kolla-ansible's merge_configs fails "
                                                  "on it as well")
            for e in rendered.errors]


def urls_without_hosts(records: list[Record]) -> list[Finding]:
    empty = [r for r in records if no_hosts(r.value)]
    return [Finding("URL_NO_HOSTS", where_of(empty), evidence=f"{len(empty)} URLs name no host, e.g. "
                    f"{empty[0].service}: {empty[0].option} = {empty[0].value}")] if empty else []
