"""The systemd unit shipped with the package runs a watch command line that
coordcheck accepts, stops it with SIGTERM, and restarts it on failure."""

import configparser
import shlex
from importlib import resources

from coordcheck.cli.watch import watch_parser


def unit() -> configparser.ConfigParser:
    text = resources.files("coordcheck.watch").joinpath("coordcheck-watch.service").read_text()
    parsed = configparser.ConfigParser(strict=False, interpolation=None)
    parsed.optionxform = str
    parsed.read_string(text.replace("\\\n", " "))
    return parsed


def test_the_unit_runs_a_watch_coordcheck_accepts():
    service = unit()["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0].endswith("/coordcheck") and argv[1] == "watch"
    options, check_args = watch_parser().parse_known_args(argv[2:])
    assert options.every == 60 and options.textfile.endswith(".prom") and not options.once
    assert any(a.startswith("--inventory=") for a in check_args)
    assert service["KillSignal"] == "SIGTERM" and service["Restart"] == "on-failure"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"
