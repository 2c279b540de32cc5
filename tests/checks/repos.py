"""Config repositories under tmp_path for the checks' gate runs: the healthy
example with octavia's jobboard and horizon's cache on, their sentinel
passwords given (so the stock renders pass), and overrides laid over them;
and the gate's report read back (findings, and the structured fixes of its
--report-json applied to the repository)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from coordcheck.checks.consumers import consumer_findings, sentinel_auth
from coordcheck.kolla.render import render_repo
from coordcheck.kolla.repairs import apply_edits
from tests.conftest import reported, run_checklist

HEALTHY = Path(__file__).resolve().parents[2] / "examples" / "config-repos" / "healthy"
EXTRAS = "&db=0&socket_timeout=60&retry_on_timeout=yes&sentinel_password={{ %s_master_password }}"
GROUPS = ("octavia-api", "octavia-worker", "horizon")
#: the fixes of JOBBOARD_NO_SENTINEL_AUTH and HORIZON_NO_SENTINEL_AUTH, as the catalogue gives them
OCTAVIA_AUTH = "[task_flow]\njobboard_redis_sentinel_password = {{ %s_master_password }}\n"
HORIZON_AUTH = "CACHES['default']['OPTIONS']['SENTINEL_KWARGS'] = {'password': '{{ valkey_master_password }}'}\n"


def _yaml(path: Path, **values) -> None:
    path.write_text(yaml.safe_dump((yaml.safe_load(path.read_text()) or {}) | values))


def consumers_repo(base: Path, valkey: bool = True, overrides: dict[str, str] | None = None) -> Path:
    """The healthy example with octavia (and, on Valkey's 2026.1, horizon) on and their sentinel passwords
    set; ``overrides``: relative path under etc/kolla -> text appended to it."""
    repo = base / "repo"
    shutil.copytree(HEALTHY, repo)
    kolla_dir, flavor = repo / "etc/kolla", "valkey" if valkey else "redis"
    inventory = (repo / "multinode").read_text()
    if valkey:  # 2026.1 deploys Valkey only: its names, its group, its password; no Redis sentinel override
        inventory = inventory.replace("[redis:children]", "[valkey:children]")
        shutil.rmtree(kolla_dir / "config/redis")
        passwords = yaml.safe_load((kolla_dir / "passwords.yml").read_text())
        passwords["valkey_master_password"] = passwords.pop("redis_master_password")
        (kolla_dir / "passwords.yml").write_text(yaml.safe_dump(passwords))
        settings = yaml.safe_load((kolla_dir / "globals.yml").read_text())
        for key in ("enable_redis", "redis_connection_string_extras"):
            settings.pop(key)
        (kolla_dir / "globals.yml").write_text(yaml.safe_dump(settings))
        _yaml(kolla_dir / "globals.yml", openstack_release="2026.1", enable_valkey="yes", enable_horizon="yes",
              valkey_connection_string_extras=EXTRAS % "valkey")
    (repo / "multinode").write_text(inventory + "".join(f"\n[{g}:children]\ncontrol\n" for g in GROUPS))
    _yaml(kolla_dir / "globals.yml", enable_octavia="yes")
    (kolla_dir / "config/octavia.conf").write_text(OCTAVIA_AUTH % flavor)
    if valkey:
        (kolla_dir / "config/horizon").mkdir(parents=True)
        (kolla_dir / "config/horizon/_9999-custom-settings.py").write_text(HORIZON_AUTH)
    for relative, text in (overrides or {}).items():
        path = kolla_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as f:
            f.write(text)
    return repo


def gate(repo: Path, tmp_path: Path, *more: str):
    """The real gate (`pytest -m config`) on ``repo``: the run, what it reported, its --report-json."""
    report = tmp_path / "report.json"
    run = run_checklist("-m", "config", "--configdir", str(repo / "etc/kolla"), "--inventory", str(repo / "multinode"),
                        "--report-json", str(report), *more, tmp_path=tmp_path, cwd=tmp_path)
    return run, reported(run), json.loads(report.read_text()) if report.exists() else {}


def judged(repo: Path, release: str | None = None) -> list:
    """The gate's findings on ``repo``, in this process (render_repo, sentinel_auth, consumer_findings)."""
    rendered = render_repo(repo / "etc/kolla", repo / "multinode", None, release)
    return consumer_findings(rendered, sentinel_auth(rendered, "auto"))


def apply_fixes(document: dict, ids: set[str]) -> list[dict]:
    """The structured fix (causes[].repairs[].edits) of each of ``ids`` in a --report-json, applied."""
    edits = [e for c in document["causes"] if c["id"] in ids for r in c["repairs"] for e in r["edits"]]
    apply_edits(edits)
    return edits
