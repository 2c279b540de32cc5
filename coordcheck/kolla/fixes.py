"""How to fix a coordination URL in Kolla: the URL Kolla would render for this
deployment, and the two ways to apply a change — once for every service
through ``<flavor>_connection_string_extras`` in globals.yml (preferred), or
per service in ``config/<project>.conf`` — then ``reconfigure``.

    >>> expected = Expected(kolla.FLAVORS["valkey"], Secret("pw"), ("10.0.2.110", "10.0.2.111"), True)
    >>> urls.mask(expected.url())
    'redis://default:***@10.0.2.110:26379?sentinel=kolla&sentinel_fallback=10.0.2.111:26379&db=0&socket_timeout=60&retry_on_timeout=yes&sentinel_password=***'
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.secrets import Secret
from coordcheck.kolla.repairs import Repair

INDENT = "\n            "
#: the two lines of `Expected.fix` that name projects: fixes for several projects merge into one
_PER_SERVICE = re.compile(r"^or per service: config/<project>\.conf \((?P<list>[^)]*)\)(?P<rest> .*)$")
_THEN = re.compile(r"^then: (?P<head>kolla-ansible .* reconfigure --tags )(?P<list>\S+)(?P<rest>.*)$")


def merged_fix_lines(fixes: list[str]) -> list[str]:
    """The lines of several fixes once each, in order; fixes that differ only
    in their projects (one per service container) give one per-service line and
    one ``reconfigure --tags`` with every project."""
    out: list[str] = []
    lists: dict[int, list[str]] = {}
    for fix in fixes:
        for line in (part.strip() for part in fix.splitlines()):
            if not line:
                continue
            for pattern, sep in ((_PER_SERVICE, ", "), (_THEN, ",")):
                found = pattern.match(line)
                if found:
                    key = line[:found.start("list")] + "{}" + line[found.end("list"):]
                    at = next((i for i, o in enumerate(out) if o == key), None)
                    if at is None:
                        out.append(key)
                        at = len(out) - 1
                    lists.setdefault(at, [])
                    lists[at] += [i for i in found.group("list").split(sep) if i not in lists[at]]
                    break
            else:
                if line not in out:
                    out.append(line)
    for at, items in lists.items():
        sep = ", " if out[at].startswith("or per service") else ","
        out[at] = out[at].replace("{}", sep.join(sorted(items)), 1)
    return out


@dataclass(frozen=True)
class Expected:
    """What Kolla renders for this deployment: the reference every URL fix
    points to."""

    flavor: kolla.Flavor
    password: Secret
    sentinel_hosts: tuple[str, ...]     # the redis/valkey group's addresses, in inventory order
    sentinel_auth: bool | None          # the sentinels require a password (None: unknown)
    sentinel_auth_reason: str = "the sentinels answer NOAUTH without a password"

    def __repr__(self) -> str:
        return f"Expected({self.flavor.name}, {self.sentinel_hosts}, sentinel_auth={self.sentinel_auth})"

    def url(self) -> str:
        """Kolla's URL for these hosts ("" when the group has no host: none can be rendered)."""
        if not self.sentinel_hosts:
            return ""
        rendered = kolla.connection_string(self.flavor, list(self.sentinel_hosts), self.password).reveal()
        return urls.with_sentinel_password(rendered, self.password) if self.sentinel_auth else rendered

    def password_unusable(self) -> str | None:
        """Why no backend_url can carry the password, or None. Kolla writes it as it is into the URL's
        user:password part, which tooz does not percent-decode: a ``/ ? #`` ends that part, a ``[ ]``
        breaks the host; tooz's own parse of Kolla's URL must give the password back.

            Expected(kolla.FLAVORS["redis"], Secret("a/b"), ("10.0.2.110",), True).password_unusable()
            # -> "redis_master_password holds a character (/ ? # [ ]) that ends ..."
        """
        if not self.sentinel_hosts:
            return None
        try:
            if urls.parse(self.url()).password == self.password:
                return None
        except urls.URLError:
            pass
        return (f"{self.flavor.password_key} holds a character (/ ? # [ ]) that ends a URL's user:password part, "
                "which tooz does not percent-decode: no backend_url can carry it")

    def sentinel_password_value(self) -> str:
        """How the extras write the password as ``sentinel_password=``: tooz percent-decodes query values and
        ends them at ``&`` and ``#``, so a password holding ``& % + #`` goes through Jinja's ``urlencode``.

            Expected(kolla.FLAVORS["redis"], Secret("a&b"), ...).sentinel_password_value()
            # -> "{{ redis_master_password | urlencode }}"
        """
        value = self.password.reveal()
        survives = urllib.parse.parse_qs(f"v={value}", keep_blank_values=True).get("v") == [value]
        return f"{{{{ {self.flavor.password_key}{'' if survives and '#' not in value else ' | urlencode'} }}}}"

    def password_templated(self) -> str | None:
        """Why Kolla renders no URL with the password, or None: it holds Jinja (``{{ {% {#``), which Ansible
        templates wherever passwords.yml's value is used."""
        if not any(mark in self.password.reveal() for mark in ("{{", "{%", "{#")):
            return None
        return (f"{self.flavor.password_key} holds Jinja ({{{{ {{% {{#), which Kolla's Ansible templates in every "
                "URL it renders: no backend_url renders with it")

    def new_password(self, reason: str | None = None) -> list[str]:
        """The fix's first lines when no backend_url can carry the password (`password_unusable`, or ``reason``)."""
        return [f"set {self.flavor.password_key} in passwords.yml to a password without / ? # [ ] {{{{ {{% {{# "
                "(kolla-genpwd makes letters and digits)", f"corrected URL: none: {reason or self.password_unusable()}"]

    def fix(self, configs, change: str, fixed_url: str | None = None, sentinel_password: bool | None = None) -> str:
        """``change``, the corrected URL (masked; Kolla's by default) and how
        to apply it for the projects of ``configs``; a new password instead when
        Kolla's URL is meant and none can carry this one (`password_unusable`)."""
        projects = sorted({c.project for c in configs})
        if not fixed_url and self.password_unusable():  # the servers take the new one too
            return INDENT.join([*self.new_password(), f"then: {reconfigure({*projects, self.flavor.name})}"])
        extras = kolla.DEFAULT_EXTRAS
        if self.sentinel_auth if sentinel_password is None else sentinel_password:
            extras += f"&sentinel_password={self.sentinel_password_value()}"
        corrected = fixed_url or self.url()
        return INDENT.join([
            change,
            f"corrected URL: {urls.mask(corrected)}" if corrected else
            f"corrected URL: none can be rendered: the inventory's {self.flavor.group} group has no hosts",
            f"in Kolla, once for every service: globals.yml: {self.flavor.extras_key}: \"{extras}\"",
            f"or per service: config/<project>.conf ({', '.join(f'config/{p}.conf' for p in projects)}) "
            "[coordination] backend_url = <corrected URL>",
            f"then: kolla-ansible -i INVENTORY reconfigure --tags {','.join(projects)}",
        ])

    def add_sentinel_password(self, configs) -> str:
        return self.fix(configs, "add &sentinel_password=<the sentinels' password> to backend_url",
                        urls.with_sentinel_password(configs[0].url.raw, self.password), sentinel_password=True)

    def remove_sentinel_password(self, configs) -> str:
        return self.fix(configs, "remove sentinel_password from backend_url (the sentinels have no password)",
                        urls.without_option(configs[0].url.raw, "sentinel_password"), sentinel_password=False)


# -- the fix as data (coordcheck.kolla.repairs): what to edit in the config repository, then the command ----------
def extras_for(current: str, sentinel_password: str | None) -> str:
    """``<flavor>_connection_string_extras`` as it should be: the operator's own options kept, those tooz
    ignores renamed or dropped, ``sentinel_password`` there exactly when the sentinels require one,
    written as ``sentinel_password`` says (`Expected.sentinel_password_value`)."""
    pairs = []
    for pair in (p for p in str(current or "").split("&") if p):
        name, eq, value = pair.partition("=")
        name = name if name in urls.KNOWN_OPTIONS else urls.closest_option(name)
        if name and eq and name != "sentinel_password":
            pairs.append(f"{name}={value}")
    if sentinel_password:
        pairs.append(f"sentinel_password={sentinel_password}")
    return "&" + "&".join(pairs) if pairs else ""


def project_of(release, service: str) -> str | None:
    return next((p for p, services in release.services.items() if any(s.name == service for s in services)), None)


class URLRepairs:
    """Every URL consumer of some records rendered from ``<flavor>_connection_string`` again: the extras
    set where they have the last word (globals.yml, or the globals.d file that sets them), an operator's
    own ``<flavor>_connection_string`` removed, and every merged override that sets the option for one of
    these places removed (Kolla renders the option itself there) or rewritten to the connection string.
    Made once per rendering: the repository-wide edits and each place's override lines are worked out once."""

    def __init__(self, rendered, expected: Expected) -> None:
        from coordcheck.kolla.render.builtin import BuiltinRenderer
        from coordcheck.kolla.repairs import Edit, yaml_lines

        self.rendered, self.expected = rendered, expected
        repo, flavor = rendered.repo, expected.flavor
        self.conn = f"{flavor.name}_connection_string"
        self.common: list = []
        layers = [repo.configdir / "globals.yml"] + sorted(
            (repo.configdir / "globals.d").glob("*.y*ml") if (repo.configdir / "globals.d").is_dir() else [])
        for path in (p for p in layers if p.is_file()):
            self.common += [Edit(str(path), line, "remove", self.conn,
                                 why="Kolla builds it from the inventory, passwords.yml and the extras")
                            for line in yaml_lines(path.read_text(errors="replace"), self.conn)]
        current = str(repo.extra.get(flavor.extras_key, kolla.DEFAULT_EXTRAS))
        want = extras_for(current, expected.sentinel_password_value() if expected.sentinel_auth else None)
        if current != want:
            origin = repo.origin.get(flavor.extras_key, "")
            file, _, line = origin.rpartition(":") if origin.rpartition(":")[2].isdigit() else (origin, "", "")
            self.common.append(Edit(file or str(repo.configdir / "globals.yml"), int(line) if line else None, "set",
                                    flavor.extras_key, want, why="once for every service"))
        self.renderer = BuiltinRenderer(repo)
        self.texts: dict = {}
        self.places: dict = {}
        self.projects = {project_of(rendered.release, r.service) or r.file.rsplit(".", 1)[0] for r in rendered.records
                         if r.option in ("backend_url", "coordination_url", "redis_url", "connection_string")}

    def _text(self, path) -> str | None:
        if path not in self.texts:
            self.texts[path] = path.read_text(errors="replace") if path.is_file() else None
        return self.texts[path]

    def _place(self, r) -> tuple[str, list]:
        """(project, [(file, line, remove?)]) of one record: the merged overrides that set its option."""
        from coordcheck.kolla.render.builtin import merge_paths
        from coordcheck.kolla.repairs import ini_lines

        key = (r.host, r.service, r.file, r.section, r.option)
        if key not in self.places:
            release, config = self.rendered.release, self.rendered.repo.configdir / "config"
            project = project_of(release, r.service) or r.file.rsplit(".", 1)[0]
            lines = []
            for relative in merge_paths(project, r.service, r.host):
                text = self._text(config / relative)
                lines += [(str(config / relative), n) for n in (ini_lines(text, r.section, r.option) if text else [])]
            default = bool(lines) and any(
                o.project == project and o.section == r.section and o.option == r.option
                and (not o.services or r.service in o.services)
                and self.renderer.option_record(r.host, r.service, r.file, o) is not None for o in release.options)
            self.places[key] = (project, [(f, n, default) for f, n in lines])
        return self.places[key]

    def repair(self, records) -> "Repair":
        from coordcheck.kolla.repairs import Edit

        edits = {(e.file, e.line, e.key): e for e in self.common}
        for r in records:
            for file, line, default in self._place(r)[1]:
                key = (file, line, r.option)
                if default and edits.get(key, Edit("", 0, "remove", "")).action == "remove":
                    edits[key] = Edit(file, line, "remove", r.option, section=r.section,
                                      why=f"Kolla renders it from {self.conn}")
                else:
                    edits[key] = Edit(file, line, "replace", r.option, f"{{{{ {self.conn} }}}}", r.section)
        return Repair(tuple(edits.values()), reconfigure(self.projects_of(records)))

    def projects_of(self, records) -> set[str]:
        """The projects a repair of ``records`` reconfigures: every URL consumer's, and theirs."""
        return self.projects | {self._place(r)[0] for r in records}


def reconfigure(projects) -> str:
    return f"kolla-ansible -i INVENTORY reconfigure --tags {','.join(sorted(p for p in projects if p))}"
