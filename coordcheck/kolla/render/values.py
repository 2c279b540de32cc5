"""What a rendering yields: one Record per host × service × file × option,
read from rendered files as the services' parsers see them, and masking.

    >>> mask("redis://default:pw@h:26379?sentinel=kolla&sentinel_password=pw")
    'redis://default:***@h:26379?sentinel=kolla&sentinel_password=***'
"""
from __future__ import annotations

import ast, json, re
from dataclasses import dataclass, field
from pathlib import Path

from coordcheck.consumers import INI_OPTIONS, RECORDS

#: every INI (section, option) a consumer reads (coordcheck/consumers.py)
OPTIONS = INI_OPTIONS
#: the settings files read as Django settings (horizon's _9998-kolla-settings.py)
DJANGO_FILES = frozenset(c.files[0] for c in RECORDS if c.parser == "django")


@dataclass(frozen=True)
class RenderError:
    """A value the repository cannot render (Kolla's deploy stops on it too), or an override that is not INI."""
    host: str
    service: str
    place: str          # "/repo/etc/kolla/config/cinder.conf:3 [coordination] backend_url", or a template's option
    message: str
    unreadable: bool = False

    def __str__(self) -> str:
        return f"{self.host} {self.service}: {self.place}: {self.message}"


@dataclass(frozen=True)
class Record:
    host: str
    service: str
    file: str
    section: str
    option: str
    value: str
    source: str = ""  # where the value comes from (built-in renderer)


@dataclass
class Rendering:
    release: str
    records: list[Record]
    seconds: float
    facts: dict[str, str]  # host -> "fact cache" | "synthesized from <var>"
    notes: list[str] = field(default_factory=list)


# --- parsing ------------------------------------------------------------------

def _ini(path: Path):
    section = "DEFAULT"
    for line in map(str.strip, path.read_text().splitlines()):
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif "=" in line and not line.startswith(("#", ";")):
            k, v = line.split("=", 1)
            yield section, k.strip(), v.strip()


def _flat(d: dict, prefix: str = ""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flat(v, f"{prefix}{k}.")
        else:
            yield prefix + k, (",".join(f"{h}:{p}" for h, p in v) if k == "SENTINELS"
                               else v if isinstance(v, str) else json.dumps(v))


def _django(path: Path):
    """SESSION_ENGINE and CACHES of a horizon settings file, flattened."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if node.targets[0].id == "SESSION_ENGINE":
                yield "", "SESSION_ENGINE", value
            elif node.targets[0].id == "CACHES":
                yield from ((f"CACHES[{alias!r}]", k, v) for alias, c in value.items() for k, v in _flat(c))


def _parse(out: Path) -> list[Record]:
    records = []
    for f in sorted(out.glob("*/*/*")) if out.is_dir() else []:
        host, service = f.parent.parent.name, f.parent.name
        if f.suffix in (".conf", ".ini"):
            last = {(s, o): v for s, o, v in _ini(f) if (s, o) in OPTIONS}  # the last one wins, as in oslo.config
            records += [Record(host, service, f.name, s, o, v) for (s, o), v in last.items()]
        elif f.name in DJANGO_FILES:
            records += [Record(host, service, f.name, s, o, v) for s, o, v in _django(f)]
    return records


def secrets(records: list[Record]) -> set[str]:
    """Every password the records carry: password options, URL netloc passwords, *password= values."""
    out = {r.value for r in records if "password" in r.option.lower()}
    for r in records:
        out.update(re.findall(r"://[^:/@?#]*:([^@]*)@", r.value) + re.findall(r"password=([^&;,]*)", r.value, re.I))
    return {x for x in out if x and x != "***"}


def mask(value: str, option: str = "", known: set[str] = frozenset()) -> str:
    """Hide passwords: a password option, known secrets, a URL's netloc password, *password= values."""
    if "password" in option.lower():
        return "***" if value else value
    for secret in sorted(known, key=len, reverse=True):
        value = value.replace(secret, "***")
    value = re.sub(r"(://[^:/@?#]*:)[^@]*@", r"\1***@", value)
    return re.sub(r"((?:^|[?&;,])[\w.]*password=)[^&;,]*", r"\1***", value, flags=re.I)


