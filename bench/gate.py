"""How the config-repository gate scales: a generated Kolla config repository
of N hosts x 10 coordination services, with overrides at every level of
Kolla's merge order (global, project, service, and one per host), evaluated
in-process (render + every config check) and as a pytest run; then N hosts
with every consumer of a release on (every service group of its tables, each
project enabled, osprofiler on Redis/Valkey), for 2025.1 and 2026.2.

    python bench/gate.py [--hosts 10 100 1000] [--every-consumer-hosts 100 1000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT, table, write_section  # the project on sys.path

from coordcheck.checks.consumers import consumer_findings, sentinel_auth  # noqa: E402
from coordcheck.kolla.releases import release_for  # noqa: E402
from coordcheck.kolla.render import render_repo  # noqa: E402

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


def generate_every_consumer(root: Path, hosts: int, series: str) -> Path:
    """N hosts (3 controllers, the rest compute) in every service group of
    ``series``' tables, every project and osprofiler on Redis/Valkey."""
    release = release_for(series)
    flavor, kolla = release.flavor, root / "etc" / "kolla"
    kolla.mkdir(parents=True)
    groups = {s.group for services in release.services.values() for s in services if "{" not in s.group}
    groups |= {v for k, v in release.defaults.items() if k.endswith("_group") and "{" not in str(v)}
    names = [f"node{i:04d}" for i in range(hosts)]
    lines = ["[control]"] + [f"{n} ansible_host=127.0.3.{i + 1}" for i, n in enumerate(names[:3])]
    lines += ["[compute]"] + names[3:] + [f"[{flavor}:children]", "control"]
    lines += [line for g in sorted(groups - {"compute", "control"}) for line in (f"[{g}:children]", "control", "compute")]
    (root / "multinode").write_text("\n".join(lines) + "\n")
    switches = sorted(set(release.enable.values()) | {"enable_osprofiler", "enable_gnocchi_statsd", "enable_ironic_inspector"})
    extras = f'"&db=0&socket_timeout=60&retry_on_timeout=yes&sentinel_password={{{{ {flavor}_master_password }}}}"'
    (kolla / "globals.yml").write_text(f"enable_{flavor}: 'yes'\n" + "".join(f"{s}: 'yes'\n" for s in switches)
                                       + f"osprofiler_backend: redis\n{flavor}_connection_string_extras: {extras}\n")
    (kolla / "passwords.yml").write_text(f"{flavor}_master_password: s3cretpassword\n")
    return root


def evaluate_consumers(root: Path, series: str = "2025.1") -> tuple[float, int, int]:
    """In-process: the per-release renderer (every consumer option) and the consumer checks."""
    started = time.monotonic()
    rendered = render_repo(root / "etc" / "kolla", root / "multinode", release=series)
    findings = consumer_findings(rendered, sentinel_auth(rendered, "required"))
    return time.monotonic() - started, len(rendered.records), len(findings)


RUN = ("import resource, sys, pytest; rc = pytest.main(sys.argv[1:]); "
       "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)")


def pytest_run(root: Path, *paths: str, series: str = "2025.1") -> tuple[float, int, int, int]:
    """Wall seconds, exit code, test cases and peak memory (MB) of `pytest -m config` (on ``paths``)."""
    started = time.monotonic()
    # hypothesis is in this venv for the project's own tests only (its plugin's summary costs ~1 s): not the gate's
    done = subprocess.run([sys.executable, "-c", RUN, "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
                           "-m", "config",
                           "--configdir", str(root / "etc" / "kolla"), "--inventory", str(root / "multinode"),
                           "--kolla-release", series, "--sentinel-auth=required", *paths], cwd=PROJECT, capture_output=True, text=True)
    wall = time.monotonic() - started
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    cases = sum(int(n) for n, word in (w.split(" ", 1) for w in tail.split(" in ")[0].split(", ") if " " in w)
                if word.split()[0] in ("passed", "failed", "error", "errors") and n.isdigit())
    rss = next((int(l.split()[1]) // 1024 for l in done.stderr.splitlines() if l.startswith("MAXRSS")), 0)
    return wall, done.returncode, cases, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--every-consumer-hosts", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    print("coordcheck gate bench: N hosts x 10 services, backend_url set at all 4 override levels")
    levels, every = [], []
    for hosts in args.hosts:
        with tempfile.TemporaryDirectory(prefix="coordcheck-gate-") as tmp:
            root = generate(Path(tmp), hosts)
            seconds, records, findings = evaluate_consumers(root)
            print(f"{hosts:>5} hosts  every consumer (built-in tables + consumer checks, in-process): {records} "
                  f"options, {findings} findings, {seconds:.2f} s")
            wall, code, cases, rss = pytest_run(root)
            print(f"{hosts:>5} hosts  pytest -m config (the whole gate): {wall:.2f} s wall, {cases} cases, "
                  f"peak {rss} MB (exit {code})")
            levels.append([f"{hosts:,}", f"{records:,}", f"{seconds:.2f} s", f"{wall:.2f} s", f"{rss} MB", cases])
    print("every consumer on: every service group of the release's tables, every project, osprofiler on Redis/Valkey")
    for series in ("2025.1", "2026.2"):
        for hosts in args.every_consumer_hosts:
            with tempfile.TemporaryDirectory(prefix="coordcheck-gate-") as tmp:
                root = generate_every_consumer(Path(tmp), hosts, series)
                seconds, records, findings = evaluate_consumers(root, series)
                wall, code, cases, rss = pytest_run(root, series=series)
                print(f"{series} {hosts:>5} hosts  {records} options, {findings} findings, in-process {seconds:.2f} s; "
                      f"pytest -m config {wall:.2f} s wall, {cases} cases, peak {rss} MB (exit {code})")
                every.append([series, f"{hosts:,}", f"{records:,}", f"{seconds:.2f} s", f"{wall:.2f} s", f"{rss} MB",
                              cases])
    columns = ["consumer options rendered", "evaluation (render + every check, in-process)",
               "`pytest -m config` wall time", "peak memory", "cases"]
    write_section("gate", table(["hosts", *columns], levels))
    write_section("gate-every-consumer", table(["release", "hosts", *columns], every))

if __name__ == "__main__":
    main()
