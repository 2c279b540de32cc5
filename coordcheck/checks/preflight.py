"""The migration preflight and the overrides Kolla never reads: Redis names
left on a release that renders every consumer from Valkey, both flavors on
(migrate-valkey half-way), redis_master_password left; override files under
config/ that no role merges, or that set an option the service has no
consumer of. Rendered records and the repository in, findings out.

    found = preflight(rendered)
"""

from __future__ import annotations

from collections import defaultdict

from coordcheck import kolla
from coordcheck.consumers import RECORDS
from coordcheck.findings import WARN, Finding, Where
from coordcheck.kolla.render import Rendered
from coordcheck.kolla.render.builtin import merge_paths
from coordcheck.kolla.render.values import OPTIONS
from coordcheck.kolla.reading import files_under, read_lenient


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
    for record in RECORDS:  # what a consumer reads beyond what Kolla renders (octavia: the sentinel password ...)
        for project in (p for p in record.projects if record.options_in(release)):
            consumers[project] |= record.ini_options()
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
