"""The gate's findings on the two consumers that are not URLs, octavia's
jobboard and horizon's cache, each judged by its own loader
(checks/jobboard.py, checks/django_cache.py) on every host and service
that renders it: what it cannot load (URL_NOT_LOADABLE), what is empty
(URL_BLANK), another backend (BACKEND_NOT_SENTINEL), a client that never
asks the sentinels (URL_BYPASSES_SENTINEL); then, where it does ask them,
whether it sends the password they require (JOBBOARD/HORIZON_NO_SENTINEL_AUTH).
Each finding carries its repair: the overrides that set the value removed,
or what octavia needs set.

    found = JUDGES[consumer.parser](consumer, rendered, auth)
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from coordcheck import url as urls
from coordcheck.checks import django_cache, jobboard
from coordcheck.checks.rendered_places import where_of
from coordcheck.consumers import Consumer
from coordcheck.findings import WARN, Finding
from coordcheck.kolla.fixes import reconfigure
from coordcheck.kolla.reading import is_present, read_lenient
from coordcheck.kolla.render import Rendered
from coordcheck.kolla.render.builtin import merge_paths
from coordcheck.kolla.render.values import Record
from coordcheck.kolla.repairs import Edit, Repair, ini_lines

#: a loader's verdict -> the catalogue id that names it
IDS = {"blank": "URL_BLANK", "not_loadable": "URL_NOT_LOADABLE", "other_backend": "BACKEND_NOT_SENTINEL",
       "bypass": "URL_BYPASSES_SENTINEL"}
BYPASS = ("{what}: the data node itself, never the sentinels, so it keeps the old master after a failover (READONLY "
          "or a hang) until the service restarts")


def _by_place(records: list[Record], consumer: Consumer, section: str) -> dict[tuple[str, str], list[Record]]:
    """(host, service) -> the consumer's records there (its rendered file, that section)."""
    out: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in records:
        if r.file == consumer.files[0] and r.section == section:
            out[(r.host, r.service)].append(r)
    return out


#: (parser, verdict) -> the specific fix; {key}: the option or key at fault
FIXES = {
    ("taskflow", "blank"): "give [task_flow] {key} a value octavia loads: remove the override that sets it, so that "
                           "Kolla renders its own (an empty jobboard_backend_hosts from Kolla: the flavor's inventory "
                           "group has no hosts)",
    ("taskflow", "not_loadable"): "remove the override of [task_flow] {key}, so that Kolla renders it (or octavia's "
                                  "default applies), or write a value octavia's option type accepts",
    ("taskflow", "bypass"): "octavia asks the sentinels only with [task_flow] jobboard_redis_sentinel (their master "
                            "name) and jobboard_backend_port = their port, as Kolla renders them from 19.4.0",
    ("django", "blank"): "remove what config/horizon/[<host>/]_9999-custom-settings.py sets for CACHES['default'] "
                         "{key}: Kolla's own CACHES (django_redis' SentinelClient on the sentinels) then applies",
}
FIXES[("django", "not_loadable")] = FIXES[("django", "bypass")] = FIXES[("django", "blank")]
FIXES[("taskflow", "other_backend")] = ("if octavia should use Kolla's Redis/Valkey, remove the override of [task_flow] "
                                        "{key} (octavia's default: redis_taskflow_driver); otherwise run that backend "
                                        "where every octavia host reaches the same one")
FIXES[("django", "other_backend")] = ("if horizon should use Kolla's Valkey, remove what config/horizon/[<host>/]"
                                      "_9999-custom-settings.py sets for CACHES['default'] {key} (Kolla's own CACHES then "
                                      "applies); otherwise run that backend where every horizon host reaches the same one")


def _finding(parser: str, verdict, places: list[Record], shown: str, repair: Repair) -> Finding:
    said = {"blank": f"{shown} is empty: {verdict.loader}: {verdict.error}",
            "not_loadable": f"{shown}: {verdict.loader} cannot load it: {verdict.error}",
            "other_backend": f"{shown}: {verdict.loader} loads {verdict.error}; the gate's Sentinel checks do not apply",
            "bypass": BYPASS.format(what=f"{shown}: {verdict.loader}: {verdict.error or 'no sentinel name, so '}"
                                         f"a plain Redis client for {verdict.value}")}[verdict.kind]
    fix = FIXES.get((parser, verdict.kind))
    return Finding(IDS[verdict.kind], where_of(places), evidence=said, repair=repair,
                   fix=fix.format(key=verdict.options[0]) if fix else None,
                   severity=WARN if verdict.kind == "other_backend" else "fail")


def _grouped(parser: str, judged: list[tuple]) -> list[Finding]:
    """One finding per verdict, with every place and every place's repair edits (none: an empty repair, so
    that no URL repair is made for it)."""
    groups: dict = defaultdict(list)
    for verdict, places, shown, repair in judged:
        groups[(verdict.kind, verdict.error, verdict.value if verdict.kind == "bypass" else "")].append(
            (verdict, places, shown, repair))
    found = []
    for members in groups.values():
        verdict, _, shown, _ = members[0]
        edits = tuple(dict.fromkeys(e for *_, r in members if r for e in r.edits))
        command = next((r.command for *_, r in members if r), None)
        places = [p for _, ps, _, _ in members for p in ps]
        found.append(_finding(parser, verdict, places, shown, Repair(edits, command if edits else None)))
    return found


# -- octavia's jobboard ----------------------------------------------------------------------------------------
def jobboard_findings(consumer: Consumer, rendered: Rendered, auth: tuple[bool, str]) -> list[Finding]:
    """Each octavia service's [task_flow] by octavia's and taskflow's rules; on sentinels that require a
    password, the boards that ask them without jobboard_redis_sentinel_password."""
    judged, unauthed = [], []
    for (host, service), records in _by_place(rendered.records, consumer, "task_flow").items():
        verdict = jobboard.judge_board(tuple(sorted((r.option, r.value) for r in records)))
        if verdict.kind == "sentinel":
            if not any(r.option == consumer.sentinel_password and r.value for r in records):
                unauthed += [r for r in records if r.option == consumer.switch[0]]
        elif verdict.kind in IDS:
            at_fault = [r for r in records if r.option in verdict.options] or \
                [r for r in records if r.option == consumer.switch[0]]
            shown = ", ".join(f"{r.option} = {urls.shown(r.value, 120) or repr('')}" for r in at_fault
                              if r.option in verdict.options) or f"[task_flow] sets no {verdict.options[0]}"
            judged.append((verdict, at_fault, shown, _board_repair(rendered, host, service, verdict.options)))
    found = _grouped(consumer.parser, judged)
    if auth[0] and unauthed:
        found.append(Finding(consumer.missing_auth, where_of(unauthed), evidence=(
            f"{auth[1]}; {consumer.project}'s [task_flow] gets jobboard_backend_password (the data node's) and no "
            f"{consumer.sentinel_password}: the jobboard cannot ask the sentinels for its master")))
    return found


def _board_repair(rendered: Rendered, host: str, service: str, options: tuple[str, ...]) -> Repair | None:
    """The merged overrides that set ``options`` removed (Kolla, else octavia, renders its own value); a
    release that renders no jobboard_redis_sentinel (19.0.0-19.3.0) gets it, and the sentinels' port, set."""
    repo, release = rendered.repo, rendered.release
    if repo is None:
        return None
    config = repo.configdir / "config"
    edits = [Edit(str(config / relative), line, "remove", option, section="task_flow",
                  why="octavia then reads Kolla's (or its own default) value")
             for relative in merge_paths("octavia", service, host) if (text := _text(config / relative)) is not None
             for option in options for line in ini_lines(text, "task_flow", option)]
    renders_sentinel = any(o.section == "task_flow" and o.option == "jobboard_redis_sentinel" for o in release.options)
    if "jobboard_redis_sentinel" in options and not renders_sentinel:
        path = config / "octavia.conf"
        text = _text(path) or ""
        name = "{{ valkey_sentinel_monitor_name }}" if release.flavor == "valkey" else "kolla"
        for option, value in (("jobboard_redis_sentinel", name),
                              ("jobboard_backend_port", f"{{{{ {release.flavor}_sentinel_port }}}}")):
            lines = ini_lines(text, "task_flow", option)
            edits.append(Edit(str(path), lines[-1] if lines else None, "set", option, value, "task_flow"))
    return Repair(tuple(edits), reconfigure({"octavia"})) if edits else None


def _text(path: Path) -> str | None:
    """An override's text (None when absent)."""
    return read_lenient(path, "override file") if is_present(path, "override file") else None


# -- horizon's cache -------------------------------------------------------------------------------------------
def horizon_findings(consumer: Consumer, rendered: Rendered, auth: tuple[bool, str]) -> list[Finding]:
    """Each horizon's CACHES['default'] (Kolla's settings, then its config/horizon/[<host>/]_9999-custom-settings.py)
    by django_redis's rules; on sentinels that require a password, the SentinelClients without SENTINEL_KWARGS."""
    judged, unauthed = [], []
    configdir = rendered.repo.configdir if rendered.repo is not None else None
    for (host, service), records in _by_place(rendered.records, consumer, "CACHES['default']").items():
        path = _custom_path(configdir, consumer, host) if configdir is not None else None
        text = _text(path) if path is not None else None
        assignments = django_cache.custom_assignments(text or "")
        if assignments is None:  # the custom file is not literal Python: its word on SENTINEL_KWARGS only
            if consumer.sentinel_password not in (text or "") and _switched_on(consumer, records):
                unauthed += [r for r in records if r.option == consumer.switch[0]]
            continue
        cache = django_cache.with_custom(django_cache.rendered_cache({r.option: r.value for r in records}), assignments)
        verdict = django_cache.judge_cache(repr(cache))
        if verdict.kind == "sentinel":
            kwargs = cache.get("OPTIONS", {}).get("SENTINEL_KWARGS")
            if not (isinstance(kwargs, dict) and kwargs.get("password")):
                unauthed += [r for r in records if r.option == consumer.switch[0]] or records[:1]
        elif verdict.kind in IDS and (verdict.kind != "other_backend" or _covering(assignments, verdict.options[0])):
            judged.append(_cache_judged(verdict, cache, records, path, assignments, consumer))
    found = _grouped(consumer.parser, judged)
    if auth[0] and unauthed:
        found.append(Finding(consumer.missing_auth, where_of(unauthed), evidence=(
            f"{auth[1]}; {consumer.files[0]} sets OPTIONS.PASSWORD (the data node's) and no "
            f"{consumer.sentinel_password}, and no config/{consumer.project}/{consumer.override} adds them: "
            "django_redis asks the sentinels without a password")))
    return found


def _switched_on(consumer: Consumer, records: list[Record]) -> bool:
    option, value = consumer.switch
    return any(r.option == option and value.lower() in r.value.lower() for r in records)


def _custom_path(configdir: Path, consumer: Consumer, host: str) -> Path:
    """The custom settings Kolla templates for ``host``: its own, else the shared one (Kolla's first_found)."""
    folder = configdir / "config" / consumer.project
    own = folder / host / consumer.override
    return own if _text(own) is not None else folder / consumer.override


def _covering(assignments: list, dotted: str) -> list:
    """The custom assignments that set the key ``dotted`` of CACHES['default'] (or a dict above it)."""
    keys = tuple(dotted.split("."))
    return [a for a in assignments if len(a.path) == 1 or
            a.path[1] == "default" and a.path[2:] == keys[:len(a.path) - 2]]


def _cache_judged(verdict, cache: dict, records: list[Record], path: Path | None, assignments, consumer) -> tuple:
    """(verdict, places, shown, repair) of one horizon: the custom lines that set the key at fault, else Kolla's."""
    dotted = verdict.options[0]
    value = cache
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    shown = f"CACHES['default'] {dotted} = {urls.shown(repr(value), 120)}"
    setters = _covering(assignments, dotted)
    if not setters or path is None:
        return verdict, [r for r in records if r.option == dotted] or records[:1], shown, None
    first = records[0]
    places = [Record(first.host, first.service, consumer.override, first.section, dotted, str(value),
                     f"{path}:{a.lines[0]}") for a in setters]
    edits = tuple(Edit(str(path), line, "remove", _target(a), why="Kolla's own CACHES then applies")
                  for a in setters for line in a.lines)
    return verdict, places, shown, Repair(edits, reconfigure({"horizon"}))


def _target(assignment) -> str:
    return assignment.path[0] + "".join(f"[{key!r}]" for key in assignment.path[1:])


#: the gate's judge of each consumer that is not a URL, by its parser (the URLs are judged in checks/consumers.py)
JUDGES = {"taskflow": jobboard_findings, "django": horizon_findings}
