"""``coordcheck watch`` and ``coordcheck prometheus-rules``: the checklist as
a monitor, and the alerting rules on its metrics.

    coordcheck watch --every 60s --textfile /var/lib/node_exporter/coordcheck.prom \\
        --hosts=controllers --inventory=/etc/kolla/multinode --configdir=/etc/kolla
    coordcheck watch --once --textfile ... [check options]       # from cron
    coordcheck prometheus-rules > /etc/kolla/config/prometheus/coordcheck.rules

Every option watch does not know is a check option (``coordcheck check``'s, e.g. ``-m sentinel``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
SHORTEST = 0.1


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """One line for a bad option (no usage block); check options are never abbreviations of ours."""

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message: str):
        raise UsageError(message)


def seconds(text: str) -> float:
    """``60s``, ``5m``, ``1m30s``, ``500ms`` or plain seconds (``90``)."""
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        parts = DURATION.findall(text)
        if not parts or "".join(a + b for a, b in parts) != text:
            raise argparse.ArgumentTypeError(f"{text[:40]!r}: give a duration (60s, 5m, 1m30s, 500ms)") from None
        value = sum(float(number) * UNITS[unit] for number, unit in parts)
    if not SHORTEST <= value <= 86400 or value != value:
        raise argparse.ArgumentTypeError(f"{text[:40]!r}: must be between {SHORTEST:g} s and 24 h")
    return value


def watch_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="coordcheck watch", description="The live checklist on a timer: node_exporter's "
                     "textfile collector serves its metrics to Prometheus. Other options are check options.")
    parser.add_argument("--every", type=seconds, default=60.0, metavar="DURATION",
                        help="start a round this often (default 60s); with --once, how often cron runs it")
    parser.add_argument("--textfile", required=True, metavar="FILE",
                        help="the metrics, rewritten atomically after every round "
                             "(e.g. /var/lib/node_exporter/textfile_collector/coordcheck.prom)")
    parser.add_argument("--round-deadline", type=seconds, metavar="DURATION",
                        help="stop a round that runs longer (default: --every); a round longer than --every delays the "
                             "next (the slots it ran into are skipped: rounds never overlap)")
    parser.add_argument("--once", action="store_true", help="one round, then exit with its status (for cron)")
    return parser


def watch(argv: list[str]) -> int:
    from coordcheck.watch.loop import Settings, Watch

    try:
        options, check_args = watch_parser().parse_known_args(argv)
        textfile = Path(options.textfile)
        if not textfile.name.endswith(".prom"):
            raise UsageError(f"--textfile {options.textfile}: node_exporter reads only files named *.prom")
        if textfile.is_dir() or not textfile.parent.is_dir() or not os.access(textfile.parent, os.W_OK):
            raise UsageError(f"--textfile {options.textfile}: cannot be written (its folder must exist)")
        if not any(a == "--inventory" or a.startswith("--inventory=") for a in check_args):
            raise UsageError("--inventory is required: watch checks a deployment (coordcheck check's options)")
    except UsageError as exc:
        print(f"coordcheck watch: error: {exc}", file=sys.stderr)
        return 2
    settings = Settings(check_args, textfile, every=options.every, deadline=options.round_deadline,
                        once=options.once)
    return Watch(settings).run()


def prometheus_rules(argv: list[str]) -> int:
    from coordcheck.watch import rules

    parser = _Parser(prog="coordcheck prometheus-rules",
                     description="Prometheus alerting rules on coordcheck's metrics (YAML, to stdout)")
    parser.add_argument("--stale-rounds", type=int, default=3, metavar="N",
                        help="alert when the last verdict is older than N rounds (default 3)")
    try:
        options = parser.parse_args(argv)
        if options.stale_rounds < 1:
            raise UsageError("--stale-rounds must be at least 1")
    except UsageError as exc:
        print(f"coordcheck prometheus-rules: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(rules.as_yaml(stale_rounds=options.stale_rounds))
    return 0
