"""A fix as data: every edit of the config repository that the cause needs
(file, line, action set | remove | replace, key, value) — the overrides that
would keep it alive included — then the one command; and the mechanical
application of those edits, so that "the fix takes" can be proven.

    repair = Repair((Edit("etc/kolla/globals.yml", 12, "set", "redis_connection_string_extras", "&db=0..."),
                     Edit("etc/kolla/config/mistral.conf", 3, "remove", "backend_url", section="coordination")),
                    "kolla-ansible -i INVENTORY reconfigure --tags mistral")
    apply_edits(repair.as_dict()["edits"])
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Edit:
    file: str                   # as the gate was given it (relative to the working directory, or absolute)
    line: int | None            # the line acted on, 1-based; None: the key is not there yet (set appends)
    action: str                 # set | remove | replace
    key: str                    # a YAML key, an INI option (with section), a Python name
    value: str | None = None    # what set / replace writes (a Jinja template Kolla renders)
    section: str | None = None  # INI files: the section of key
    why: str = ""

    def text(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f"[{self.section}] {self.key}" if self.section else self.key
        if self.action == "remove":
            return f"{where}: remove {key}" + (f" ({self.why})" if self.why else "")
        verb = "rewrite" if self.action == "replace" else "set"
        shown = self.value if self.section or not self.file.endswith((".yml", ".yaml")) else json.dumps(self.value)
        return f"{where}: {verb} {key}{' =' if self.section or not self.file.endswith(('.yml', '.yaml')) else ':'} {shown}" + (f" ({self.why})" if self.why else "")


@dataclass(frozen=True)
class Repair:
    edits: tuple[Edit, ...]
    command: str | None

    def as_dict(self) -> dict:
        return {"edits": [{k: v for k, v in asdict(e).items() if k != "why"} for e in self.edits],
                "command": self.command}

    def lines(self) -> list[str]:
        steps = [e.text() for e in self.edits]
        first = [f"in the repository: {steps[0]}"] + [f"                   {s}" for s in steps[1:]] if steps else []
        return first + ([f"then: {self.command}"] if self.command else [])


def ini_lines(text: str, section: str, option: str) -> list[int]:
    """Every line of an INI text that sets ``[section] option`` (1-based)."""
    current, found = "DEFAULT", []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and "]" in stripped:
            current = stripped[1:stripped.index("]")].strip()
        elif current == section and "=" in stripped and not stripped.startswith(("#", ";")):
            if stripped.split("=", 1)[0].strip() == option:
                found.append(number)
    return found


def yaml_lines(text: str, key: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if re.match(rf"['\"]?{re.escape(key)}['\"]?\s*:", line)]


# -- applying ----------------------------------------------------------------------------------------------------
def _line_for(edit: dict) -> str:
    value = edit["value"]
    if edit.get("section") is not None:
        return f"{edit['key']} = {value}"
    if str(edit["file"]).endswith((".yml", ".yaml")):
        return f"{edit['key']}: {json.dumps(value)}"
    return f"{edit['key']} = {value}"


def _append(lines: list[str], edit: dict) -> None:
    section = edit.get("section")
    if section is None:
        lines.append(_line_for(edit))
        return
    for number, line in enumerate(lines):
        if line.strip() == f"[{section}]":
            lines.insert(number + 1, _line_for(edit))
            return
    lines += ["", f"[{section}]", _line_for(edit)]


def apply_edits(edits: list[dict]) -> None:
    """Apply edits as the report states them (dicts of `Edit` fields): per file, the numbered lines from the
    bottom up (numbers stay true), then the appends. The same edit twice is applied once."""
    by_file: dict[str, list[dict]] = defaultdict(list)
    for edit in edits:
        if edit not in by_file[edit["file"]]:
            by_file[edit["file"]].append(edit)
    for file, todo in by_file.items():
        path = Path(file)
        lines = path.read_text().splitlines() if path.is_file() else []
        numbered = sorted((e for e in todo if e["line"]), key=lambda e: -e["line"])
        done = set()
        for edit in numbered:
            if edit["line"] in done:
                continue
            done.add(edit["line"])
            start = end = edit["line"] - 1
            if edit.get("section") is None and file.endswith((".yml", ".yaml")):  # a value over several lines
                while end + 1 < len(lines) and lines[end + 1][:1] in (" ", "\t") and lines[end + 1].strip():
                    end += 1
            lines[start:end + 1] = [] if edit["action"] == "remove" else [_line_for(edit)]
        for edit in (e for e in todo if not e["line"]):
            _append(lines, edit)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
