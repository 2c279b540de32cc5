"""The gate's built-in renderer: every Sentinel consumer option Kolla would
write, per host × service × file, from a config repository and the release's
tables (coordcheck.kolla.releases), in the sandbox (templates from a repo are
untrusted), with where each value comes from.

    records = BuiltinRenderer(Repo.load("etc/kolla", "multinode")).records()
    records[0]   # -> Record('ctl1', 'cinder-api', 'cinder.conf', 'coordination', 'backend_url', 'redis://...')
"""

from __future__ import annotations

import configparser
import functools
import ipaddress
import re
import threading
from dataclasses import replace
from pathlib import Path

from coordcheck.kolla import KollaError, truthy
from coordcheck.kolla.render.values import OPTIONS, Record, RenderError
from coordcheck.kolla.render.budget import budget
from coordcheck.kolla.render.sandbox import LazyContext, Sandbox, option_line, time_limit, TEMPLATE_SECONDS, TemplateTimeout
from coordcheck.kolla.reading import files_under, is_present, read_bytes, read_lenient
from coordcheck.kolla.releases import Option
from coordcheck.kolla.service_groups import Service
from coordcheck.kolla.repo import Repo

#: Kolla's merge order per project (later files win, option by option).
MERGE = {"keystone": ("global.conf", "keystone.conf", "keystone/keystone.conf", "keystone/{service}.conf",
                      "keystone/{host}/keystone.conf"),
         "ironic": ("global.conf", "ironic-inspector.conf", "ironic-inspector/inspector.conf",
                    "ironic-inspector/{host}/inspector.conf"),
         "glance": ("global.conf", "glance.conf", "glance/{service}.conf", "glance/{host}/glance-api.conf")}
#: nova-cell's services also merge config/nova/<host>/<service>.conf, last
NOVA_CELL = {f"nova-{s}" for s in "novncproxy spicehtml5proxy serialproxy conductor compute compute-ironic".split()}
USED = threading.local()
OVERRIDE = "override file"


class Groups(dict):
    """``groups``: a group the inventory lacks is empty (Kolla's stock groups)."""

    def __missing__(self, key):
        return []


class TracingContext(LazyContext):
    """Records which variables a template read (for provenance)."""

    def resolve_or_missing(self, key: str):
        seen = getattr(USED, "keys", None)
        if seen is not None:
            seen.add(key)
        return super().resolve_or_missing(key)


class KollaSandbox(Sandbox):
    context_class = TracingContext


def put_address_in_context(address: str, context: str = "url") -> str:
    try:
        return f"[{address}]" if context == "url" and ipaddress.ip_address(address).version == 6 else address
    except ValueError:
        return address


def merge_paths(project: str, service: str, host: str) -> list[str]:
    default = ("global.conf", "{p}.conf", "{p}/{service}.conf", "{p}/{host}/{p}.conf")
    extra = ("nova/{host}/{service}.conf",) if service in NOVA_CELL else ()
    return [p.format(p=project, service=service, host=host) for p in (*MERGE.get(project, default), *extra)]


class BuiltinRenderer:
    """Renders a Repo's consumer options (host × service × file × option)."""

    name = "built-in"

    def __init__(self, repo: Repo) -> None:
        self.repo, self.release = repo, repo.release
        self.env = KollaSandbox()
        self.env.add_filters(kolla_address=self._kolla_address, put_address_in_context=put_address_in_context)
        self.groups = Groups({g: repo.inventory.group_hosts(g) for g in repo.inventory.groups})
        self.members = {g: frozenset(h) for g, h in self.groups.items()}
        self.memo: dict = {}
        self.compiled = functools.lru_cache(maxsize=4096)(self.env.from_string)
        self.override_cache: dict[Path, list] = {}
        self.errors: list[RenderError] = []
        self.unparsable: dict[Path, str] = {}
        self.overrides: dict[Path, configparser.RawConfigParser | None] = {}
        config = repo.configdir / "config"
        operator_text = [str(v) for v in repo.extra.values() if isinstance(v, str)] + [
            read_lenient(f, OVERRIDE) for f in files_under(config, "*.conf", OVERRIDE)]
        self.by_name = [s for services in self.release.services.values() for s in services  # (groups: in likeness)
                        if "inventory_hostname" in re.sub(r"inventory_hostname in groups\['[\w.\-]+'\]", "",
                                                          s.enabled + s.group)]
        self.host_sensitive = any(w in t for t in operator_text for w in (
            "inventory_hostname", "service_name", "group_names", "hostvars", "ansible_"))

    def _kolla_address(self, network: str, host: str | None = None) -> str:
        if network != "api":
            raise KollaError(f"kolla_address({network!r}): only the api network is known to the gate")
        context = self.repo.context(host)
        interface = self.render(str(context.get("api_interface", "eth0")), context)
        return self.repo.address(host, interface)

    # -- templates ------------------------------------------------------------
    def render(self, text: str, context: dict, where: str = "a Kolla default") -> str:
        if "{{" not in text and "{%" not in text:
            return text
        try:
            with time_limit(TEMPLATE_SECONDS), budget():
                return self.env.render_bounded(self.compiled(text), context)
        except TemplateTimeout:
            raise KollaError(f"{where}: the template runs longer than {TEMPLATE_SECONDS:.0f} s; stopped") from None
        except KollaError as exc:
            raise KollaError(f"{where}: {exc}") from None
        except Exception as exc:  # jinja2 errors, sandbox refusals, type errors: one line
            raise KollaError(f"{where}: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") \
                from None

    def value(self, text: str, host: str, service: str, where: str = "a Kolla default") -> tuple[str, frozenset]:
        """``text`` rendered on ``host`` for ``service``, and the variables it read."""
        if "{{" not in text and "{%" not in text:
            return text, frozenset()
        sensitive = self.host_sensitive or any(w in text for w in ("inventory_hostname", "service_name", "group_names"))
        key = (text, self.repo.signature(host)) + ((host, service) if sensitive else ())
        if key not in self.memo:
            context = {**self.repo.context(host), "groups": self.groups, "service_name": service,
                       "group_names": [], "node_custom_config": str(self.repo.configdir / "config")}
            USED.keys = set()
            try:
                self.memo[key] = (self.render(text, context, where), frozenset(USED.keys))
            except KollaError as exc:  # what cannot render, once: a bomb costs its budget once, not per host
                self.memo[key] = exc
            finally:
                USED.keys = None
        found = self.memo[key]
        if isinstance(found, KollaError):
            raise KollaError(str(found))
        return found

    def true(self, expression: str, host: str, service: str) -> bool:
        text = expression if "{{" in expression else f"{{{{ {expression} }}}}"
        return truthy(self.value(text, host, service)[0])

    # -- what Kolla renders ---------------------------------------------------
    def services(self, host: str) -> list[tuple[str, Service]]:
        """(project, service) pairs whose config Kolla writes on ``host``."""
        out = []
        for project, services in self.release.services.items():
            if not self.true(f"{self.release.enable[project]} | bool", host, project):
                continue
            for service in services:
                group = self.value(service.group, host, service.name)[0]
                if host in self.members.get(group, ()) and self.true(service.enabled, host, service.name):
                    out.append((project, service))
        return out

    def sources(self, used: frozenset) -> str:
        operator = [f"{k} from {self.repo.origin[k]}" for k in sorted(used) if k in self.repo.origin]
        return "Kolla default" + (f" ({'; '.join(operator)})" if operator else "")

    def records(self, hosts: list[str] | None = None) -> list[Record]:
        """Hosts alike (variables, groups, per-host override content) render once; the others copy."""
        out, done = [], {}
        for host in hosts if hosts is not None else sorted(self.repo.inventory.group_hosts("all")):
            key = None if self.host_sensitive else self.likeness(host)
            if key in done:  # its records and its errors too: a finding names every host it concerns
                first, records, errors = done[key]
                out += [Record(host, r.service, r.file, r.section, r.option, r.value,
                               r.source.replace(f"/{first}/", f"/{host}/")) for r in records]
                self.errors += [replace(e, host=host, place=e.place.replace(f"/{first}/", f"/{host}/"))
                                for e in errors]
                continue
            before = len(self.errors)
            records = [r for project, service in self.services(host)
                       for r in self.file_records(host, project, service.name)]
            if key is not None:
                done[key] = (host, records, self.errors[before:])
            out += records
        return out

    def likeness(self, host: str) -> tuple:
        groups = frozenset(g for g, members in self.members.items() if host in members)
        config = self.repo.configdir / "config"
        own = []
        for project in self.release.services:
            for relative in merge_paths(project, "", host):
                if f"/{host}/" in f"/{relative}":
                    path = config / relative
                    own.append(read_bytes(path, OVERRIDE) if is_present(path, OVERRIDE) else None)
        # a service placed by the host's own name (glance-api on a file store: the first host only)
        placed = tuple(self._placed(service, host) for service in self.by_name)
        return self.repo.signature(host), groups, tuple(own), placed

    def _placed(self, service: Service, host: str) -> bool | None:
        try:
            return self.true(service.enabled, host, service.name)
        except KollaError:  # reported where the service's records are rendered
            return None

    def file_records(self, host: str, project: str, service: str) -> list[Record]:
        file = self.release.files[project]
        found: dict[tuple[str, str], Record] = {}
        for option in self.release.options:
            if option.project == project and (not option.services or service in option.services):
                record = self.option_record(host, service, file, option)
                if record is not None:
                    found[(option.section, option.option)] = record
        if file.endswith(".conf"):
            for path, line, section, name, raw in self.override_options(project, service, host):
                try:
                    value = self.value(raw, host, service, "template")[0]
                except KollaError as exc:
                    self.errors.append(RenderError(host, service, f"{path}:{line} [{section}] {name}", str(exc)))
                    continue
                found[(section, name)] = Record(host, service, file, section, name, value, f"{path}:{line}")
        return sorted(found.values(), key=lambda r: (r.section, r.option))

    def option_record(self, host: str, service: str, file: str, option: Option) -> Record | None:
        try:
            if not self.true(option.when, host, service):
                return None
            value, used = self.value(option.value, host, service)
        except KollaError as exc:
            self.errors.append(RenderError(host, service, f"{file} [{option.section}] {option.option} "
                                           f"(Kolla's template)", str(exc)))
            return None
        return Record(host, service, file, option.section, option.option, value, self.sources(used))

    def override_options(self, project: str, service: str, host: str):
        """(path, line, section, option, raw value) a merged override sets, in merge order."""
        config = self.repo.configdir / "config"
        for relative in merge_paths(project, service, host):
            yield from self._consumer_options(config / relative, host, service)

    def _consumer_options(self, path: Path, host: str, service: str) -> list:
        if path not in self.override_cache:
            parser, found = self._parsed(path, host, service), []
            if parser is not None:
                text = read_lenient(path, OVERRIDE)
                for section in parser.sections():
                    found += [(path, option_line(text, section, name), section, name, raw)
                              for name, raw in parser.items(section, raw=True) if (section, name) in OPTIONS]
            self.override_cache[path] = found
        if path in self.unparsable:  # every host and service that merges it
            self.errors.append(RenderError(host, service, str(path), self.unparsable[path], unreadable=True))
        return self.override_cache[path]

    def _parsed(self, path: Path, host: str, service: str) -> configparser.RawConfigParser | None:
        if path not in self.overrides:
            parser = None
            if is_present(path, OVERRIDE):
                # [DEFAULT] as a section of its own: its options are read where written, not copied into each section
                parser = configparser.RawConfigParser(strict=False, interpolation=None, default_section="\0")
                parser.optionxform = str
                try:
                    parser.read_string(read_lenient(path, OVERRIDE), source=str(path))
                except configparser.Error as exc:
                    self.unparsable[path] = "not INI text: " + str(exc).splitlines()[0]
                    parser = None
            self.overrides[path] = parser
        return self.overrides[path]
