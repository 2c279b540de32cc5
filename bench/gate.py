"""How the config-repository gate scales: a generated Kolla config repository
of N hosts x 10 coordination services, with overrides at every level of
Kolla's merge order (global, project, service, and one per host), evaluated
in-process (render + every config check) and as a pytest run.

    python bench/gate.py [--hosts 10 100 1000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from coordcheck import config_checks  # noqa: E402
from coordcheck.kolla.fixes import Expected  # noqa: E402
from coordcheck.kolla.render import Renderer, sentinels_require_password  # noqa: E402
from coordcheck.kolla.target import Target  # noqa: E402

SERVICES = {"cinder": ["cinder-api", "cinder-scheduler", "cinder-volume", "cinder-backup"],
            "designate": ["designate-central", "designate-worker"],
            "masakari": ["masakari-api"],
            "mistral": ["mistral-api", "mistral-engine", "mistral-executor"]}
URL = ("redis://default:{{ redis_master_password }}@127.0.2.110:26379?sentinel=kolla"
       "&sentinel_fallback=127.0.2.111:26379&sentinel_fallback=127.0.2.112:26379&db=0"
       "&socket_timeout=60&retry_on_timeout=yes&sentinel_password={{ redis_master_password }}")


def generate(root: Path, hosts: int) -> Path:
    """A repository whose every override level sets backend_url (all equal)."""
    kolla = root / "etc" / "kolla"
    config = kolla / "config"
    (config / "redis").mkdir(parents=True)
    names = [f"node{i:04d}" for i in range(hosts)]
    lines = ["[control]"] + [f"{n} ansible_host=127.0.3.{i % 250 + 1}" for i, n in enumerate(names[:3])]
    lines += ["[compute]"] + names[3:]
    lines += ["[redis:children]", "control"]
    for services in SERVICES.values():
        for service in services:
            lines += [f"[{service}:children]", "control", "compute"]
    (root / "multinode").write_text("\n".join(lines) + "\n")
    enable = "".join(f"enable_{p}: 'yes'\n" for p in SERVICES)
    (kolla / "globals.yml").write_text(f"enable_redis: 'yes'\n{enable}"
                                       "redis_connection_string_extras: \"&db=0&socket_timeout=60&retry_on_timeout=yes"
                                       "&sentinel_password={{ redis_master_password }}\"\n")
    (kolla / "passwords.yml").write_text("redis_master_password: s3cretpassword\n")
    (config / "redis" / "redis-sentinel.conf").write_text("requirepass {{ redis_master_password }}\n")
    addresses = {n: f"127.0.3.{i % 250 + 1}" for i, n in enumerate(names[:3])}
    url = URL.replace("127.0.2.110", addresses[names[0]]).replace("127.0.2.111", addresses[names[1]]) \
             .replace("127.0.2.112", addresses[names[2]])
    section = f"[coordination]\nbackend_url = {url}\n"
    (config / "global.conf").write_text(section)
    for project, services in SERVICES.items():
        (config / project).mkdir()
        (config / f"{project}.conf").write_text(section)
        for service in services:
            (config / project / f"{service}.conf").write_text(section)
        for name in names:
            (config / project / name).mkdir()
            (config / project / name / f"{project}.conf").write_text(section)
    return root


def evaluate(root: Path) -> tuple[float, int, int]:
    """In-process: load, render every service on every host, run every config check."""
    started = time.monotonic()
    target = Target.load(root / "multinode", root / "etc" / "kolla", hosts=None)
    renderer = Renderer(target)
    auth = sentinels_require_password(target)
    hosts = tuple(target.inventory.address(h) for h in target.backend_hosts)
    expected = Expected(target.flavor, target.password, hosts, *auth)
    everything, findings = [], []
    for host in target.hosts:
        configs = renderer.configs(host)
        everything += configs
        for check in (config_checks.urls_parse, config_checks.url_options_known, config_checks.users_default,
                      config_checks.passwords_match, config_checks.sentinel_password_present,
                      config_checks.sentinels_match_inventory):
            findings += check(configs, expected)
    findings += config_checks.urls_identical(everything, expected)
    return time.monotonic() - started, len(everything), len(findings)


def pytest_run(root: Path) -> tuple[float, int]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "config",
                           "--configdir", str(root / "etc" / "kolla"), "--inventory", str(root / "multinode"),
                           "--sentinel-auth=required"], cwd=PROJECT, capture_output=True, text=True)
    return time.monotonic() - started, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args()
    print("coordcheck gate bench: N hosts x 10 services, backend_url set at all 4 override levels")
    print(f"{'hosts':>6} {'configs':>8} {'findings':>8} {'evaluate (in-process)':>22} {'pytest -m config (wall)':>24}")
    for hosts in args.hosts:
        with tempfile.TemporaryDirectory(prefix="coordcheck-gate-") as tmp:
            root = generate(Path(tmp), hosts)
            seconds, configs, findings = evaluate(root)
            wall, code = pytest_run(root)
            print(f"{hosts:>6} {configs:>8} {findings:>8} {seconds:>20.3f} s {wall:>20.3f} s (exit {code})")


if __name__ == "__main__":
    main()
