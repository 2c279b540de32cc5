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
from dataclasses import dataclass

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.secrets import Secret

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

    def fix(self, configs, change: str, fixed_url: str | None = None, sentinel_password: bool | None = None) -> str:
        """``change``, the corrected URL (masked; Kolla's by default) and how
        to apply it for the projects of ``configs``."""
        projects = sorted({c.project for c in configs})
        extras = kolla.DEFAULT_EXTRAS
        if self.sentinel_auth if sentinel_password is None else sentinel_password:
            extras += f"&sentinel_password={{{{ {self.flavor.password_key} }}}}"
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
