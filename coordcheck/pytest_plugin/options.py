"""The checklist's and the gate's command-line options, each checked before
any work (one clear line for a bad value). The deployment they point at is
`coordcheck.fixtures.deployment`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from coordcheck import kolla
from coordcheck.observe import service_logs

DEFAULT_FORKS = 10


def add(parser: pytest.Parser) -> None:
    group = parser.getgroup("coordcheck", "coordcheck: the deployment to check")
    group.addoption("--inventory", help="Kolla inventory (e.g. /etc/kolla/multinode); "
                    "without it, a local deployment is started and checked")
    group.addoption("--configdir", help="Kolla config dir holding passwords.yml and globals.yml (default: /etc/kolla)")
    group.addoption("--passwords", help="passwords.yml (default: CONFIGDIR/passwords.yml)")
    group.addoption("--probe-timeout", type=str, default="2",
                    help="connect and read timeout of every probe, seconds (default 2)")
    group.addoption("--tooz-timeout", type=str, default="5",
                    help="wall-time bound of one tooz handshake, seconds (default 5)")
    group.addoption("--logs-since", default="1h",
                    help="how far back the service containers' logs are read: a duration (30m, 1h, 1h30m) or an "
                         "ISO time (2026-11-25T10:00:00; default 1h)")
    group.addoption("--probe-from", choices=["controller", "runner"], default="controller",
                    help="where sentinels and data nodes are probed from: inside a running service container of "
                         "a controller (its network, its redis-py; the default), or this machine")
    group.addoption("--failover-wait", type=str, default="30",
                    help="when the master stops answering during the run, follow the sentinels' failover "
                         "this long, seconds (default 30)")
    group.addoption("--allow-failover", action="store_true",
                    help="run the failover drill (-m failover_drill): SENTINEL FAILOVER on the live master, then "
                         "each consumer's own client until it works against the new one (within --failover-wait)")
    group.addoption("--flavor", choices=sorted(kolla.FLAVORS), default="redis",
                    help="flavor of the local deployment (without --inventory)")
    group.addoption("--vault-password-file", help="opens an ansible-vault encrypted passwords.yml / globals.yml")
    group.addoption("--checklist", action="store_true",
                    help="run coordcheck's checklist (coordcheck.checklist) when no test path is given; implied by "
                         "--inventory, --hosts and --gate (`coordcheck check` passes it)")
    group.addoption("--gate", action="store_true",
                    help="check the URLs Kolla would render from --configdir (a config repository), contacting "
                         "no host; implied by `-m config` without --hosts")
    group.addoption("--sentinel-auth", choices=["required", "none", "auto"], default="auto",
                    help="gate: do the sentinels require a password? auto: a requirepass in "
                         "config/<redis|valkey>/<flavor>-sentinel.conf says so (default auto)")


    group.addoption("--forks", type=int, default=DEFAULT_FORKS,
                    help=f"observe at most this many hosts at once (default {DEFAULT_FORKS})")
    group.addoption("--ssh-control-dir", metavar="DIR",
                    help="keep the SSH master connections in DIR after the run (coordcheck watch: warm across "
                         "rounds); default: a temporary folder removed with them")
    group.addoption("--report-json", metavar="FILE", help="write the run's verdict, matrix and causes as JSON")
    group.addoption("--prometheus", metavar="FILE",
                    help="write metrics for node_exporter's textfile collector (e.g. /var/lib/node_exporter/coordcheck.prom)")
    group.addoption("--html", metavar="FILE", help="write a self-contained HTML report")
    group.addoption("--sarif", metavar="FILE", help="write SARIF 2.1.0 (merge-request annotations: file:line of each cause)")
    group.addoption("--gitlab-codequality", metavar="FILE",
                    help="write a GitLab Code Quality report (artifacts:reports:codequality)")
    gate = parser.getgroup("coordcheck-gate", "coordcheck: the config-repository gate")
    gate.addoption("--kolla-release", help="gate: the kolla-ansible release or series to render for "
                   "(default: openstack_release in globals.yml)")
    gate.addoption("--facts", help="gate: an Ansible jsonfile fact cache (kolla-ansible gather-facts with "
                   "fact caching): API addresses as Kolla renders them")
    gate.addoption("--kolla-ansible", metavar="auto|PATH", help="gate: render with this installed kolla-ansible "
                   "(auto: the one on PATH) instead of the built-in tables")

#: Seconds options: (smallest allowed, largest allowed).
SECONDS = {"probe_timeout": ("--probe-timeout", 0.1, 600), "tooz_timeout": ("--tooz-timeout", 1, 3600),
           "failover_wait": ("--failover-wait", 0, 3600)}
GO_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")


def validate(config: pytest.Config, checklist_run: bool) -> None:
    """Every option checked before any work: one clear line each."""
    markexpr = config.getoption("markexpr", "") or ""
    if "failover_drill" in markexpr and "not failover_drill" not in markexpr and not config.getoption("allow_failover"):
        raise pytest.UsageError("-m failover_drill triggers SENTINEL FAILOVER on the live master: "
                                "give --allow-failover to run the drill")
    for dest, (flag, low, high) in SECONDS.items():
        text = str(getattr(config.option, dest))
        try:
            value = float(text)
        except ValueError:
            raise pytest.UsageError(f"{flag} {text!r}: not a number of seconds") from None
        if not low <= value <= high or value != value:
            raise pytest.UsageError(f"{flag} {text}: must be between {low:g} and {high:g} seconds")
        setattr(config.option, dest, value)
    since = str(config.option.logs_since)
    if not GO_DURATION.match(since):
        try:
            service_logs.iso_time(since)
        except ValueError:
            raise pytest.UsageError(f"--logs-since {since!r}: give a duration (30m, 1h, 1h30m) or an ISO time "
                                    "(2026-11-25T10:00:00)") from None
    hosts = config.getoption("hosts")
    if hosts is not None and not [h for h in hosts.split(",") if h.strip()]:
        raise pytest.UsageError("--hosts is empty: name a group (e.g. controllers) or hosts")
    if config.getoption("forks") < 1:
        raise pytest.UsageError("--forks must be at least 1")
    if checklist_run:
        _check_markers(config)
    for flag, path in (("--junitxml", getattr(config.option, "xmlpath", None)),
                       ("--report-json", config.getoption("report_json")),
                       ("--prometheus", config.getoption("prometheus")), ("--html", config.getoption("html")),
                       ("--sarif", config.getoption("sarif")),
                       ("--gitlab-codequality", config.getoption("gitlab_codequality"))):
        _check_output_file(config, flag, path)


def _check_markers(config: pytest.Config) -> None:
    expression = config.getoption("markexpr") or ""
    known = {line.split(":")[0].strip() for line in config.getini("markers")}
    unknown = sorted(set(re.findall(r"[A-Za-z_]\w*", expression)) - known - {"and", "or", "not"})
    if unknown:
        raise pytest.UsageError(f"-m {expression!r}: unknown marker {', '.join(map(repr, unknown))} "
                                f"(markers: {', '.join(sorted(known))})")


def _check_output_file(config: pytest.Config, flag: str, path: str | None) -> None:
    """A report file must be writable before the run, not after it."""
    if not path:
        return
    folder = Path(path).absolute().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise pytest.UsageError(f"{flag} {path}: its folder cannot be created ({exc.strerror})") from None
    if Path(path).is_dir() or not os.access(folder, os.W_OK):
        raise pytest.UsageError(f"{flag} {path}: cannot be written")


