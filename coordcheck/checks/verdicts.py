"""The gate's last word on its findings: a comparison whose side is an address
the gate had to synthesize (no fact cache) is a note, never a failure; every
finding the repository can fix carries its repair (`coordcheck.kolla.repairs`:
each file:line to edit, the overrides that would keep the cause alive
included, then the one command), and its printed fix says the same.

    found = settle(found, rendered, expected)
"""

from __future__ import annotations

import re
from dataclasses import replace

from coordcheck import url as urls
from coordcheck.checks.rendered_places import place_key
from coordcheck.findings import WARN, Finding
from coordcheck.kolla.fixes import INDENT, Expected, URLRepairs, project_of, reconfigure
from coordcheck.kolla.repairs import Edit, Repair, ini_lines, yaml_lines
from coordcheck.kolla.render import Rendered
from coordcheck.kolla.render.values import OPTIONS

#: findings about a coordination URL: one repair renders it from <flavor>_connection_string again
URL_IDS = {"SENTINEL_AUTH_MISSING", "SENTINEL_AUTH_UNEXPECTED", "PASSWORD_MISMATCH", "MASTER_USER_WRONG",
           "FALLBACK_MISMATCH", "URL_INVALID", "URL_BYPASSES_SENTINEL", "URL_UNKNOWN_OPTION", "URL_ENCODING", "URL_DRIFT",
           "URL_NOT_LOADABLE", "URL_BLANK", "BACKEND_NOT_SENTINEL"}
#: every id whose finding can carry a repair (tests/kolla/test_repairs.py proves each takes)
REPAIRABLE = URL_IDS | {"JOBBOARD_NO_SENTINEL_AUTH", "HORIZON_NO_SENTINEL_AUTH", "REDIS_NAMES_LEFTOVER",
                        "OVERRIDE_NO_CONSUMER", "OVERRIDE_NOT_READ"}
PLACE = re.compile(r"^(?P<file>.+):(?P<line>\d+) \[(?P<section>[^]]*)\] (?P<option>\S+)$")


def synthesized(rendered: Rendered, hosts) -> list[str]:
    """``host (how)`` for each of ``hosts`` whose address the gate made up (not from a fact cache)."""
    how = {h: str(rendered.addresses.get(h, "synthesized: not rendered")) for h in hosts}
    return [f"{h} ({how[h]})" for h in hosts if how[h].startswith("synthesized")]


def _hosts_aside(url: urls.BackendURL) -> tuple:
    return (url.username, url.password, url.master_name,
            tuple(sorted((k, str(v)) for k, v in url.options.items() if k != "sentinel_fallback")))


def unverified(found: list[Finding], rendered: Rendered, expected: Expected, usable) -> list[Finding]:
    """FALLBACK_MISMATCH, and URL_DRIFT between URLs that differ only in their hosts, against addresses the
    gate synthesized: ADDRESSES_UNVERIFIED notes (warnings) saying so."""
    made_up = synthesized(rendered, rendered.repo.inventory.group_hosts(expected.flavor.group)) if rendered.repo else []
    if not made_up:
        return found
    by_place = {c.path: c for c in usable}
    groups: dict[str, list] = {}
    for c in usable:
        groups.setdefault(c.url.raw, []).append(c)
    common = max(groups.values(), key=len)[0].url if groups else None
    out = []
    for f in found:
        config = by_place.get(f.where.file)
        hosts_only = f.id == "URL_DRIFT" and config is not None and common is not None and \
            _hosts_aside(config.url) == _hosts_aside(common)
        if f.id == "FALLBACK_MISMATCH" or hosts_only:
            f = replace(f, id="ADDRESSES_UNVERIFIED", severity=WARN, fix=None,
                        evidence=f"cannot compare without facts: {f.evidence}; the inventory's addresses are "
                                 f"synthesized: {', '.join(made_up)}")
        out.append(f)
    return out


def settle(found: list[Finding], rendered: Rendered, expected: Expected, usable=()) -> list[Finding]:
    """The findings with comparisons on made-up addresses as notes, and every repairable one repaired."""
    found = unverified(found, rendered, expected, list(usable))
    index = {place_key(r): r for r in rendered.records}
    every_url = [index[c.path] for c in usable if c.path in index]  # URL_DRIFT is between places: all of them
    urls_repairs = URLRepairs(rendered, expected) if rendered.repo is not None and any(
        f.id in URL_IDS for f in found) else None
    out = []
    for f in found:
        if f.repair is not None:  # made with its finding (octavia's jobboard, horizon's cache): its steps follow
            out.append(replace(f, fix=INDENT.join([f.advice] + f.repair.lines()), repair=f.repair if f.repair.edits
                               else None))
            continue
        repair = repair_for(f, rendered, expected, index, urls_repairs, every_url)
        if repair is not None:
            f = replace(f, repair=repair, fix=_text(f, repair, expected))
        out.append(f)
    return out


def _new_password(finding: Finding, expected: Expected) -> str | None:
    """Why no URL can carry the password, when that is why one does not load or render: the fix is a new
    one (not an operator's template that does not render: that line goes)."""
    if finding.id not in ("URL_INVALID", "URL_NOT_LOADABLE") or PLACE.match(finding.where.file or ""):
        return None
    return expected.password_unusable() or (expected.password_templated() if finding.id == "URL_INVALID" else None)


def _text(finding: Finding, repair: Repair, expected: Expected) -> str:
    reason = _new_password(finding, expected)
    if reason:
        return INDENT.join([*expected.new_password(reason), *repair.lines()])
    head = finding.fix.split(INDENT)[:2] if finding.fix and finding.id in URL_IDS else [finding.advice.split(INDENT)[0]]
    if finding.id in URL_IDS and len(head) < 2 and expected.url():
        head.append(f"corrected URL: {urls.mask(expected.url())}")
    return INDENT.join(head + repair.lines())


def repair_for(f: Finding, rendered: Rendered, expected: Expected, index: dict,
               url_repairs: URLRepairs | None = None, every_url=()) -> Repair | None:
    if rendered.repo is None:
        return None
    places = [f.where.file] + [p for _, p in f.where.more_files]
    if f.id in URL_IDS:
        records = [index[p] for p in places if p in index]
        if f.id == "URL_DRIFT":
            records += [r for r in every_url if r not in records]
        match = PLACE.match(f.where.file or "")
        url_repairs = url_repairs or URLRepairs(rendered, expected)
        if _new_password(f, expected):
            # no edit of a URL helps: a new password in passwords.yml, then the servers and services again
            services = {f.where.service, *(s for s, _ in f.where.more_files)}  # a URL that did not render has no record
            return Repair((), reconfigure(url_repairs.projects_of(records) | {expected.flavor.name}
                                          | {project_of(rendered.release, s) for s in services if s}))
        if not records and match is None:
            return None
        repair = url_repairs.repair(records)
        if match is not None:  # a template that does not render: the line itself goes
            edit = Edit(match["file"], int(match["line"]), "remove", match["option"], section=match["section"],
                        why="it does not render; Kolla renders the option itself")
            repair = Repair(tuple(e for e in repair.edits if (e.file, e.line) != (edit.file, edit.line)) + (edit,),
                            repair.command)
        return repair
    if f.id == "JOBBOARD_NO_SENTINEL_AUTH":
        path = rendered.repo.configdir / "config/octavia.conf"
        lines = ini_lines(path.read_text(errors="replace"), "task_flow", "jobboard_redis_sentinel_password") \
            if path.is_file() else []
        return Repair((Edit(str(path), lines[-1] if lines else None, "set", "jobboard_redis_sentinel_password",
                            f"{{{{ {expected.flavor.password_key} }}}}", "task_flow"),), reconfigure({"octavia"}))
    if f.id == "HORIZON_NO_SENTINEL_AUTH":
        return _horizon(f, rendered, expected, index, places)
    if f.id in ("REDIS_NAMES_LEFTOVER", "OVERRIDE_NO_CONSUMER", "OVERRIDE_NOT_READ"):
        return _overrides(f, rendered)
    return None


def _horizon(f, rendered, expected, index, places) -> Repair:
    """The settings file each place's horizon reads last (its host's own, else the shared one)."""
    config = rendered.repo.configdir / "config/horizon"
    name = "_9999-custom-settings.py"
    files = []
    for record in (index[p] for p in places if p in index):
        own = config / record.host / name
        chosen = own if own.is_file() else config / name
        if chosen not in files:
            files.append(chosen)
    key = "CACHES['default']['OPTIONS']['SENTINEL_KWARGS']"
    value = f"{{'password': '{{{{ {expected.flavor.password_key} }}}}'}}"
    return Repair(tuple(Edit(str(p), None, "set", key, value) for p in files or [config / name]),
                  reconfigure({"horizon"}))


def _overrides(f: Finding, rendered: Rendered) -> Repair | None:
    """A Redis name on a Valkey release: renamed (removed, and set under its valkey_* name unless that is set);
    an override no service reads: its consumer options removed (they reach nothing)."""
    repo = rendered.repo
    file, _, line = (f.where.file or "").rpartition(":")
    if not file or not line.isdigit():
        return None
    path = repo.configdir.__class__(file)
    text = path.read_text(errors="replace") if path.is_file() else ""
    if f.id == "REDIS_NAMES_LEFTOVER":
        key = re.match(r"(\S+) is set", f.evidence)[1]
        layers = [repo.configdir / "globals.yml"] + sorted((repo.configdir / "globals.d").glob("*.y*ml")) \
            if (repo.configdir / "globals.d").is_dir() else [repo.configdir / "globals.yml"]
        edits = [Edit(str(p), n, "remove", key, why="Kolla ignores it on this release") for p in {*layers, path}
                 if p.is_file() for n in yaml_lines(p.read_text(errors="replace"), key)]
        renamed = key.replace("redis", "valkey", 1)
        if renamed not in repo.origin:
            edits.append(Edit(file, None, "set", renamed, str(repo.extra.get(key, ""))))
        return Repair(tuple(edits), None)
    if "sentinel" in path.name and path.parent.name in ("redis", "valkey"):
        return None  # the sentinels' own config: no repository edit makes a role merge it
    project = path.relative_to(repo.configdir / "config").parts[0].removesuffix(".conf") \
        if path.is_relative_to(repo.configdir / "config") else ""
    read = {(o.section, o.option) for o in rendered.release.options if o.project == project} \
        if f.id == "OVERRIDE_NO_CONSUMER" else set()
    edits, section = [], "DEFAULT"
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("[") and "]" in stripped:
            section = stripped[1:stripped.index("]")].strip()
        elif "=" in stripped and not stripped.startswith(("#", ";")):
            option = stripped.split("=", 1)[0].strip()
            if (section, option) in OPTIONS and (section, option) not in read:
                edits.append(Edit(file, number, "remove", option, section=section, why="no service reads it here"))
    return Repair(tuple(edits), None) if edits else None
