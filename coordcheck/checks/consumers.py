"""Checks of every Sentinel consumer a config repository renders, each by
its own parser's semantics (tooz URLs, gnocchi, taskflow's jobboard,
django_redis), and the migration preflight: leftover Redis names, URLs with
no host, overrides Kolla never reads. Rendered records in, findings out.

    findings = consumer_findings(rendered, sentinel_auth(rendered, "auto"))
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.consumers import RECORDS, Consumer
from coordcheck.checks import configs as url_checks
from coordcheck.checks import loading, verdicts
from coordcheck.checks.loading import no_hosts
from coordcheck.findings import FAIL, WARN, Finding, Place, Where
from coordcheck.kolla.render.builtin import merge_paths
from coordcheck.kolla.fixes import Expected
from coordcheck.kolla.render.values import OPTIONS, Record
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


def _path(record: Record) -> str:
    """Where a rendered value lands and what set it: ``ctl1: cinder-api/cinder.conf [coordination]
    backend_url, set by config/cinder.conf:3`` (relative to the host's node_config_directory)."""
    return (f"{record.host}: {record.service}/{record.file} [{record.section}] {record.option}, "
            f"set by {record.source or 'Kolla default'}")


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
                out.append(parse_url_into(ServiceConfig(r.host, r.service, project, _path(r), None,
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
            found.append(Finding("URL_BLANK", _where(places), evidence=f"[{first.section}] {first.option} is empty; "
                                 + loading.BLANK_EFFECT.format(loader=loader, error=error)))
        elif kind == "not_loadable":
            found.append(Finding("URL_NOT_LOADABLE", _where(places), evidence=f"{shown}: {loader} cannot load it: {error}"))
        else:
            found.append(Finding("BACKEND_NOT_SENTINEL", _where(places), severity=WARN,
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
        found += judge(consumer, records, auth, rendered.repo.configdir) if judge else []
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


def rendered_place(record: Record) -> Place:
    """A rendered option as a place: host, service, file, option, what set it."""
    return Place(record.host, record.service, f"{record.service}/{record.file}",
                 option=f"[{record.section}] {record.option}", source=record.source or "Kolla default")


def _where(records: list[Record]) -> Where:
    first, *others = records
    return Where(host=first.host, service=first.service, file=_path(first),
                 more_files=tuple((r.service, _path(r)) for r in others),
                 places=tuple(rendered_place(r) for r in records))


def urls_without_hosts(records: list[Record]) -> list[Finding]:
    empty = [r for r in records if no_hosts(r.value)]
    return [Finding("URL_NO_HOSTS", _where(empty), evidence=f"{len(empty)} URLs name no host, e.g. "
                    f"{empty[0].service}: {empty[0].option} = {empty[0].value}")] if empty else []


def _switched_on(consumer: Consumer, records: list[Record]) -> list[Record]:
    """The records that say ``consumer`` uses Redis/Valkey (its switch option holds its value)."""
    option, value = consumer.switch
    return [r for r in records if r.option == option and value.lower() in r.value.lower()
            and r.file == consumer.files[0]]


def jobboard_auth(consumer: Consumer, records: list[Record], auth: tuple[bool, str], configdir: Path) -> list[Finding]:
    """Octavia's jobboard on password-protected sentinels, where no override
    gives it [task_flow] jobboard_redis_sentinel_password."""
    told = {(r.host, r.service) for r in records if r.option == consumer.sentinel_password and r.value}
    board = [r for r in _switched_on(consumer, records) if (r.host, r.service) not in told]
    if not (auth[0] and board):
        return []
    return [Finding(consumer.missing_auth, _where(board),
                    evidence=f"{auth[1]}; {consumer.project}'s [task_flow] gets jobboard_backend_password (the data "
                             f"node's) and no {consumer.sentinel_password}: the jobboard cannot ask the sentinels for "
                             "its master")]


def horizon_auth(consumer: Consumer, records: list[Record], auth: tuple[bool, str], configdir: Path) -> list[Finding]:
    """horizon's SentinelClient on password-protected sentinels, where no
    config/horizon/[<host>/]_9999-custom-settings.py (Kolla templates it into
    local_settings.d after its own) gives it SENTINEL_KWARGS."""
    @lru_cache(maxsize=None)
    def read(path: Path) -> str | None:
        return read_lenient(path, "override file") if is_present(path, "override file") else None

    def custom(host: str) -> str:
        """The host's own file, else the shared one (Kolla's first_found), read once each."""
        folder = configdir / "config" / consumer.project
        own = read(folder / host / consumer.override)
        return own if own is not None else read(folder / consumer.override) or ""

    sentinel = [r for r in _switched_on(consumer, records) if consumer.sentinel_password not in custom(r.host)]
    if not (auth[0] and sentinel):
        return []
    return [Finding(consumer.missing_auth, _where(sentinel),
                    evidence=f"{auth[1]}; {consumer.files[0]} sets OPTIONS.PASSWORD (the data node's) and no "
                             f"{consumer.sentinel_password}, and no config/{consumer.project}/{consumer.override} adds "
                             "them: django_redis asks the sentinels without a password")]


#: the gate's judge of each consumer that is not a URL, by its parser (the URLs are judged together above)
JUDGES = {"taskflow": jobboard_auth, "django": horizon_auth}


def preflight(rendered: Rendered) -> list[Finding]:
    """The move to Valkey: Redis names left where every consumer renders from Valkey (2025.2+, or 20.4.0-20.6.0
    with enable_valkey), both flavors on (migrate-valkey half-way), redis_master_password left."""
    repo, release = rendered.repo, rendered.release
    found = []
    if release.flavor == "valkey":
        both = "redis" in release.flavors  # 20.4.0-20.6.0: the redis role still deploys where enable_redis is on
        redis_on = both and kolla.truthy(repo.extra.get("enable_redis", "no"))
        where = (f"kolla-ansible {release.point} renders every consumer from valkey_* names once enable_valkey is on"
                 if both else f"kolla-ansible {release.point} ({release.series}) deploys Valkey only")
        for key in sorted(k for k in repo.extra if k == "enable_redis" or k.startswith("redis_")):
            origin = repo.origin.get(key, "")
            if key == "redis_master_password":
                if not redis_on:
                    found.append(Finding("OLD_PASSWORD_LEFT", Where(file=origin), severity=WARN, evidence=where))
            elif key == "enable_redis" and redis_on:
                found.append(Finding("REDIS_NAMES_LEFTOVER", Where(file=origin), evidence=(
                    f"enable_redis and enable_valkey are both on: {where}, and still deploys Redis beside Valkey "
                    "(migrate-valkey half-way)"), fix="once kolla-ansible migrate-valkey has moved the data, set "
                                                      "enable_redis: \"no\" (and then remove redis_master_password)"))
            elif origin:
                found.append(Finding("REDIS_NAMES_LEFTOVER", Where(file=origin),
                                     evidence=f"{key} is set; {where}, so this setting changes no consumer",
                                     fix=f"rename {key} to {key.replace('redis', 'valkey', 1)} (or remove it)"))
    return found + overrides(rendered)


def overrides(rendered: Rendered) -> list[Finding]:
    """Override files (under config/) that set a consumer option: read by no role, or by a service with no such consumer."""
    repo, release = rendered.repo, rendered.release
    config = repo.configdir / "config"
    consumers = defaultdict(set)
    for option in release.options:
        consumers[option.project].add((option.section, option.option))
    hosts = set(repo.inventory.group_hosts("all"))
    found = []
    for path in files_under(config, "*.conf", "override file"):
        text = read_lenient(path, "override file")
        relative = path.relative_to(config).as_posix()
        project = relative.split("/")[0].removesuffix(".conf")
        lines = consumer_lines(text)
        sets = sorted(lines, key=lines.get)
        sentinel = project in ("redis", "valkey") and "sentinel" in path.name
        if not sets and not sentinel:
            continue
        reads = read_paths(release, project, hosts, relative)
        line = lines[sets[0]] if sets else 1
        where = Where(file=f"{path}:{line}")
        unused = [f"[{s}] {o}" for s, o in sets if (s, o) not in consumers.get(project, set())]
        if sentinel:
            found.append(Finding("OVERRIDE_NOT_READ", where, severity=WARN, evidence=f"the {project} role of kolla-ansible "
                                 f"{release.point} merges no custom sentinel config: its sentinels never see this file",
                                 fix="a sentinel password needs a change to the role's sentinel template; tell the gate "
                                     "what the sentinels really do with --sentinel-auth=required|none"))
        elif relative not in reads:
            services = ", ".join(s.name for s in release.services_of(project))
            kolla_reads = ", ".join(f"config/{p}" for p in reads if p != "global.conf") + \
                (f" (<service>: {services})" if services else "")
            none = f"; and {project} has no {', '.join(unused)} consumer in {release.point} anyway" if unused else ""
            found.append(Finding("OVERRIDE_NOT_READ", where,
                                 evidence=f"no kolla-ansible {release.point} role merges config/{relative}{none}",
                                 fix=f"Kolla reads for {project}: {kolla_reads}; set the URL once in globals.yml "
                                     f"({release.flavor}_connection_string_extras) for every service that has one"))
        elif relative != "global.conf" and unused:
            found.append(Finding("OVERRIDE_NO_CONSUMER", where, evidence=f"{project} has no {', '.join(unused)} "
                                 f"consumer in kolla-ansible {release.point}: the service never reads it"))
    return found


def consumer_lines(text: str) -> dict[tuple[str, str], int]:
    """(section, option) of a consumer -> the line of its last setting in an INI text, in one pass."""
    section, found = "DEFAULT", {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and "]" in stripped:
            section = stripped[1:stripped.index("]")].strip()
        elif "=" in stripped and not stripped.startswith(("#", ";")):
            key = (section, stripped.split("=", 1)[0].strip())
            if key in OPTIONS:
                found[key] = number
    return found


def read_paths(release, project: str, hosts: set[str], relative: str = "") -> set[str] | list[str]:
    """``{relative}`` when a release's role merges config/<relative> for ``project``, else the patterns it merges."""
    services = {s.name for s in release.services_of(project)}
    parts = relative.split("/")
    if not services:  # a role without a table here: <project>.conf, <project>/<project>-<service>.conf, per host
        guessed = len(parts) == 2 and parts[1].startswith(f"{project}-") or \
            len(parts) == 3 and parts[1] in hosts and parts[2] == f"{project}.conf"
        return {relative} if guessed or relative in ("global.conf", f"{project}.conf") else \
            ["global.conf", f"{project}.conf", f"{project}/{project}-<service>.conf", f"{project}/<host>/{project}.conf"]
    patterns = merge_paths(project, "<service>", "<host>")
    for pattern in patterns:
        want = pattern.split("/")
        if len(want) == len(parts) and all(w == p or w == "<host>" and p in hosts or
                                           w == "<service>.conf" and p.removesuffix(".conf") in services
                                           for w, p in zip(want, parts)):
            return {relative}
    return list(patterns)
