"""What the gate models of one kolla-ansible point release, read from its wheel as data (never executed):
the consumer templates' relevant lines, the connection-string and flavor group_vars, the consumer roles'
services, their site.yml plays and the inventory's flavor groups. Cached by the wheel's sha256; the wheels of
every published point release fetched once (``pip download --no-deps``) into .cache/kolla-wheels.

    facts(wheel("20.6.0"), FACTS)["var:enable_valkey"]   # -> '"no"'
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import yaml

from coordcheck.kolla.releases.points import PUBLISHED, key

ROOT = Path(__file__).resolve().parents[2]
WHEELS, FACTS = ROOT / ".cache" / "kolla-wheels", ROOT / ".cache" / "kolla-facts"
INDEX_HOURS = 12  # how long the index's list of versions is taken from the cache
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]

#: The roles whose templates the gate renders (coordcheck.kolla.releases' projects) and the flavors' roles.
ROLES = ("cinder designate masakari mistral gnocchi octavia horizon ironic keystone glance heat magnum neutron nova "
         "nova-cell placement trove zun redis valkey").split()
#: group_vars and role defaults the tables read (or that would change what they render).
KEYS = re.compile(r"redis|valkey|coordination|incoming_storage|osprofiler|session_cache|horizon_backend_database|"
                  r"memcached_port|jobboard|octavia_provider_drivers|enable_etcd$|^enable_(cinder|designate|masakari|"
                  r"mistral|gnocchi|octavia|horizon|ironic|keystone|glance|heat|magnum|neutron|nova|placement|trove|"
                  r"zun|openstack_core|memcached|cells)$|cinder_backend|enabled_backends|designate_backend$|"
                  r"notifications_sink|glance_backend|glance_api_hosts|glance_file_datadir|nova_console|nova_spice|"
                  r"neutron_plugin_agent|_services$")
#: Sections of a consumer's .conf template taken whole.
SECTIONS = ("coordination", "profiler", "task_flow", "incoming")
MARKER = re.compile(r"coordination|profiler|redis|valkey|jobboard|sentinel|connection_string", re.I)
#: Role defaults of no consequence to a rendered option (images, volumes, health checks).
NOISE = re.compile(r"image|_tag$|volumes|healthcheck|dimensions|conf_path")
CONTROL = re.compile(r"^\s*\{%-?\s*(if|elif|else|endif)\b")
PREFIX = re.compile(r"^kolla_ansible-[^/]+\.data/data/share/kolla-ansible/ansible/")
VERSION = 4  # of what facts() extracts: a change re-extracts every cached wheel


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _conf_lines(text: str) -> list[str]:
    """A .conf template's consumer sections whole (with the control line just before each header), and
    elsewhere the lines naming a consumer with the control line that guards them."""
    out, section, guard = [], "", ""
    for line in text.splitlines():
        stripped = line.strip()
        header = re.match(r"^\[([\w.\-]+)\]$", stripped)
        if header:
            if section in SECTIONS and guard and out and out[-1] == guard:
                out.pop()  # the guard of the next section, not a line of this one
            section = header.group(1)
            if section in SECTIONS:
                out += [guard, stripped] if guard else [stripped]
        elif section in SECTIONS and stripped:
            out.append(stripped)
        elif MARKER.search(stripped):
            out += [guard, stripped] if guard and guard != stripped and (not out or out[-1] != guard) else [stripped]
        guard = stripped if CONTROL.match(stripped) else ("" if stripped else guard)
    return out


def _settings_lines(text: str) -> list[str]:
    """horizon's kolla settings: the session and cache block (up to the first setting after it)."""
    lines = [l.strip() for l in text.splitlines()]
    end = next((i for i, l in enumerate(lines) if l.startswith("SESSION_COOKIE")), len(lines))
    return [l for l in lines[:end] if l and not l.startswith("#")]


def _services(value) -> dict | None:
    """A role's ``<project>_services`` mapping reduced to what the gate models: group, enabled, host_in_groups."""
    if not isinstance(value, dict) or not value or not all(isinstance(v, dict) and "group" in v
                                                            for v in value.values()):
        return None
    return {name: {k: str(s.get(k)) for k in ("group", "enabled", "host_in_groups") if k in s}
            for name, s in sorted(value.items())}


def _mapping(z: zipfile.ZipFile, name: str) -> dict:
    try:
        data = yaml.safe_load(z.read(name))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def extract(wheel: Path) -> dict[str, str]:
    """Facts of one wheel: name -> text (a name says where in the release it was read)."""
    out: dict[str, str] = {}
    defaults: dict[str, str] = {}  # role defaults: where no group_vars sets the same name
    with zipfile.ZipFile(wheel) as z:
        files = {PREFIX.sub("", n): n for n in z.namelist() if PREFIX.match(n)}
        for rel in sorted(files):
            name = files[rel]
            if re.fullmatch(r"group_vars/all(\.yml|/[\w\-]+\.yml)", rel):
                for key, value in _mapping(z, name).items():
                    if KEYS.search(key) and not NOISE.search(key) and not key.endswith("_services"):
                        out[f"var:{key}"] = json.dumps(value, sort_keys=True)  # group_vars win over role defaults
            parts = rel.split("/")
            if len(parts) < 4 or parts[0] != "roles" or parts[1] not in ROLES:
                continue
            role = parts[1]
            if parts[2:] == ["defaults", "main.yml"]:
                for key, value in _mapping(z, name).items():
                    services = _services(value) if key.endswith("_services") else None
                    if services is not None:
                        out.update({f"services:{role}:{s}": json.dumps(v, sort_keys=True) for s, v in services.items()})
                    elif KEYS.search(key) and not NOISE.search(key) and not key.endswith("_services"):
                        defaults.setdefault(f"var:{key}", json.dumps(value, sort_keys=True))
            elif parts[2] == "templates" and rel.endswith(".conf.j2"):
                lines = _conf_lines(z.read(name).decode(errors="replace"))
                if lines:
                    out[f"template:{role}/{'/'.join(parts[3:])}"] = "\n".join(lines)
            elif parts[2] == "templates" and parts[-1] == "_9998-kolla-settings.py.j2":
                out[f"template:{role}/{parts[-1]}"] = "\n".join(_settings_lines(z.read(name).decode(errors="replace")))
        out = defaults | out
        out["roles:flavors"] = " ".join(r for r in ("redis", "valkey") if f"roles/{r}/defaults/main.yml" in files)
        inventory = z.read(files["inventory/multinode"]).decode(errors="replace") if "inventory/multinode" in files else ""
        for flavor in ("redis", "valkey"):
            block = re.search(rf"^\[{flavor}(:children)?\]\n((?:[^\[\n].*\n?)*)", inventory, re.M)
            out[f"inventory:{flavor}"] = " ".join(block.group(2).split()) if block else "(none)"
        for play in yaml.safe_load(z.read(files["site.yml"])) or []:
            roles = [r["role"] if isinstance(r, dict) else r for r in play.get("roles", []) or []]
            for role in (r for r in roles if r in ROLES):
                out[f"site:{role}"] = json.dumps(play.get("hosts"))
    return out


def facts(wheel: Path, cache: Path) -> dict[str, str]:
    """extract(wheel), cached under ``cache`` by the wheel's sha256 (and VERSION)."""
    digest = sha256(wheel)
    path = Path(cache) / f"{digest[:24]}-v{VERSION}.json"
    if path.is_file():
        return json.loads(path.read_text())
    found = extract(wheel)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(f".{os.getpid()}")
    part.write_text(json.dumps(found, sort_keys=True))
    part.replace(path)
    return found


# --- the wheels ---------------------------------------------------------------

def _pip(*args: str, timeout: int = 120) -> str:
    try:
        done = subprocess.run(PIP + list(args), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"pip {args[0]}: no answer in {timeout}s") from None
    assert done.returncode == 0, f"pip {' '.join(args)}: {(done.stderr.strip().splitlines() or ['failed'])[-1]}"
    return done.stdout


def published() -> list[str]:
    """kolla-ansible's versions of 19.x-23.x on the index (23.x asks for Python 3.12), cached INDEX_HOURS."""
    cached = WHEELS / "index.json"
    if cached.is_file() and time.time() - cached.stat().st_mtime < INDEX_HOURS * 3600:
        return json.loads(cached.read_text())
    out = _pip("index", "versions", "kolla-ansible", "--python-version", "3.12", timeout=60)
    listed = re.search(r"Available versions: (.*)", out)
    assert listed, f"pip index versions kolla-ansible: no versions in {out[:200]!r}"
    versions = sorted((v.strip() for v in listed.group(1).split(",") if v.strip().split(".")[0] in PUBLISHED),
                      key=key)
    WHEELS.mkdir(parents=True, exist_ok=True)
    part = cached.with_suffix(f".{os.getpid()}")
    part.write_text(json.dumps(versions))
    part.replace(cached)  # atomic: parallel workers may ask at once
    return versions


def wheel(version: str) -> Path:
    """The release's wheel, downloaded once (under a lock: parallel workers share the cache)."""
    path = WHEELS / f"kolla_ansible-{version}-py3-none-any.whl"
    if not path.is_file():
        WHEELS.mkdir(parents=True, exist_ok=True)
        with open(WHEELS / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.is_file():
                _pip("download", "--no-deps", "--ignore-requires-python", "--only-binary=:all:",
                     f"kolla-ansible=={version}", "-d", str(WHEELS))
    assert path.is_file(), f"pip download kolla-ansible=={version} left no {path.name}"
    return path


def published_facts() -> dict[str, dict[str, str]]:
    """point release -> facts(wheel), for every published point release the tables know (PUBLISHED)."""
    return {v: facts(wheel(v), FACTS) for series in PUBLISHED.values() for v in series}
