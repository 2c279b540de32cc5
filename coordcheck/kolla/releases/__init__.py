"""Kolla-Ansible point releases as data: each one's Sentinel flavors, the
defaults (Jinja, as its group_vars and role defaults spell them) and the
consumer options (coordcheck.kolla.releases.options, per consumer) —
which service, file, section and option, rendered when — taken from the
tables by the point-release range that holds the release.

    >>> release_for("20.6.0").flavors, release_for("20.3.0").flavors
    (('redis', 'valkey'), ('redis',))
    >>> resolve("2025.1")[0].point
    '20.6.0'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

from coordcheck.kolla import KollaError, truthy
from coordcheck.kolla.releases import options as tables
from coordcheck.kolla.releases.defaults import defaults_for
from coordcheck.kolla.releases.points import (PROVEN, PUBLISHED, SERIES, differences, in_range, key, label,
                                              range_of)
from coordcheck.kolla.releases.services import files, services
from coordcheck.kolla.service_groups import Service

__all__ = ["Option", "Release", "release_for", "resolve", "RELEASES", "SERIES", "CLIENTS", "LATEST"]
#: tooz and redis-py in each release's images (OpenStack upper-constraints of its series).
CLIENTS = {"19": ("6.3.0", "5.0.8"), "20": ("6.3.0", "5.2.1"), "21": ("7.0.0", "6.2.0"), "22": ("8.1.0", "7.2.0"),
           "23": ("9.0.1", "8.1.0")}


@dataclass(frozen=True)
class Option:
    """One consumer option: rendered into ``file`` of every service in
    ``services`` (empty: all of the project) when ``when`` holds."""

    project: str
    file: str
    section: str
    option: str
    value: str
    when: str = "true"
    services: tuple[str, ...] = ()
    parser: str = "tooz"  # tooz | gnocchi | taskflow | django | osprofiler
    consumer: str = "tooz"  # the consumer's name: tooz | gnocchi | octavia-jobboard | horizon | osprofiler


@dataclass(frozen=True)
class Release:
    point: str  # the point release: 20.6.0
    flavors: tuple[str, ...]  # what it ships: ("redis",), ("redis", "valkey"), ("valkey",)
    services: dict[str, tuple[Service, ...]]  # project -> services
    options: tuple[Option, ...]
    defaults: dict[str, str] = field(default_factory=dict)
    enable: dict[str, str] = field(default_factory=dict)  # project -> the site.yml switch
    files: dict[str, str] = field(default_factory=dict)  # project -> its config file
    flavor: str = ""  # the one a repository uses (Repo.load decides where both ship)

    @property
    def name(self) -> str:
        """The major version: 19 ... 23."""
        return self.point.split(".")[0]

    @property
    def series(self) -> str:
        return SERIES[self.name]

    @property
    def range(self) -> str:
        """The point releases that render alike: ``20.4.0-20.6.0``."""
        return label(*range_of(self.point))

    @property
    def status(self) -> str:
        first, last = range_of(self.point)
        proven = [p for p in PROVEN if in_range(p, f"{first}-{last}")]
        if self.point in PROVEN:
            return f"proven against kolla-ansible {self.point}"
        own = f"; {self.point} read from its wheel" if self.point in PUBLISHED[self.name] else \
            f"; {self.point} is newer than the newest the tables know ({last})"
        return (f"range {label(first, last)} proven against kolla-ansible {', '.join(proven)}" if proven
                else f"range {label(first, last)} read from its wheels") + own

    @property
    def clients(self) -> str:
        tooz, redis_py = CLIENTS[self.name]
        return f"kolla-ansible {self.name}.x ({self.series}) ships tooz {tooz} and redis-py {redis_py}"

    def redis_py_below(self, major: int) -> bool:
        return int(CLIENTS[self.name][1].split(".")[0]) < major

    def services_of(self, project: str) -> tuple[Service, ...]:
        return self.services.get(project, ())

    def for_variables(self, variables: dict) -> "Release":
        """The flavor a repository's variables choose, as the release's group_vars do: Valkey where
        enable_valkey is on and the release ships it, else Redis where it ships Redis."""
        if len(self.flavors) == 1:
            return replace(self, flavor=self.flavors[0])
        return replace(self, flavor="valkey" if truthy(variables.get("enable_valkey", "no")) else "redis")


@functools.lru_cache(maxsize=None)
def build(point: str) -> Release:
    """The tables' release for one point release (its range's rows)."""
    major = int(point.split(".")[0])
    flavors = tuple(f for f, spec in (("redis", "19.0.0-20.6.0"), ("valkey", "20.4.0-")) if in_range(point, spec))
    project_services, variables = services(major)
    project_files = files(project_services)
    out = []
    for consumer, projects in tables.PROJECTS.items():
        for project, (file, only, spec) in projects.items():
            if not in_range(point, spec) or project not in project_services:
                continue
            for row in tables.rows_of(consumer, project):
                if in_range(point, row.releases):
                    out.append(Option(project, file, row.section, row.option, row.value.replace("{p}", project),
                                      row.when.replace("{p}", project), only, tables.PARSERS[consumer], consumer))
    defaults = defaults_for(point, in_range) | variables
    release = Release(point, flavors, project_services, tuple(out), defaults,
                      {p: f"enable_{p}" for p in project_services}, project_files)
    return replace(release, flavor=flavors[0])  # enable_valkey defaults to "no"


def newest(major: str) -> str:
    return max(PUBLISHED[major], key=key)


LATEST = max(SERIES)
#: The newest point release of each series (its tables), by major version.
RELEASES = {major: build(newest(major)) for major in SERIES}


def resolve(version: str | None) -> tuple[Release, str]:
    """``openstack_release`` or a kolla-ansible version (20.6.0, 20, 2025.1, master), and a note when
    the point release is assumed: which one, and what its series' other point releases render differently."""
    text = str(version or "").strip().lower().removesuffix(".x")
    if text in ("", "master"):
        point = newest(LATEST)
        return build(point), f"assumed kolla-ansible {point}, the newest release the tables know (give --kolla-release X.Y.Z)"
    for major, series in SERIES.items():
        if text == series or text == major:
            point = newest(major)
            other = differences(point)
            note = (f"assumed kolla-ansible {point}, the newest of {series} (give --kolla-release X.Y.Z or install "
                    f"kolla-ansible to render for another)")
            return build(point), note + ("; older point releases render differently: " + " | ".join(other)
                                         if other else f"; every {major}.x renders alike here")
        parts = text.split(".")
        if parts[0] == major and len(parts) == 3 and all(p.isdigit() for p in parts):
            newer = key(text) > key(newest(major))
            return build(text), (f"kolla-ansible {text} is newer than {newest(major)}, the newest of {series} the "
                                 f"tables were checked against: rendered as {label(*range_of(text))}") if newer else ""
    raise KollaError(f"kolla-ansible release {version!r} is not one coordcheck knows "
                     f"({', '.join(f'{m}.x = {s}' for m, s in SERIES.items())}; a point release X.Y.Z): give "
                     "--kolla-release or --kolla-ansible PATH")


def release_for(version: str | None) -> Release:
    """``openstack_release`` or a kolla-ansible version: 2025.1, 20.3.0, 20, master."""
    return resolve(version)[0]
