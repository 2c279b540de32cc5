"""``coordcheck watch`` and ``coordcheck prometheus-rules`` on the command
line (`coordcheck.cli.watch`): durations as an operator writes them, every
bad option one line and exit 2, and the systemd unit shipped with the
package runs a watch command line coordcheck accepts, stops it with
SIGTERM, and restarts it on failure."""

import argparse
import configparser
import shlex
import subprocess
import sys
from importlib import resources

import pytest

from coordcheck.cli.watch import seconds, watch_parser
from tests.conftest import run_cli


def unit() -> configparser.ConfigParser:
    text = resources.files("coordcheck.watch").joinpath("coordcheck-watch.service").read_text()
    parsed = configparser.ConfigParser(strict=False, interpolation=None)
    parsed.optionxform = str
    parsed.read_string(text.replace("\\\n", " "))
    return parsed


@pytest.mark.parametrize("text, value", [("60s", 60), ("5m", 300), ("1m30s", 90), ("500ms", 0.5), ("90", 90),
                                         (" 1h ", 3600), ("0.1", 0.1), ("24h", 86400)])
def test_durations_as_an_operator_writes_them(text, value):
    assert seconds(text) == pytest.approx(value)


@pytest.mark.parametrize("text, says", [("soon", "give a duration"), ("1m 30s", "give a duration"),
                                        ("5d", "give a duration"), ("0s", "must be between"),
                                        ("25h", "must be between"), ("nan", "must be between")])
def test_a_duration_it_cannot_use_says_why(text, says):
    with pytest.raises(argparse.ArgumentTypeError, match=says):
        seconds(text)


@pytest.mark.parametrize("args, said", [
    (["--textfile", "x.txt", "--inventory=i"], "--textfile x.txt: node_exporter reads only files named *.prom"),
    (["--textfile", "/nonexistent/x.prom", "--inventory=i"], "cannot be written (its folder must exist)"),
    (["--textfile", "x.prom", "--every", "soon", "--inventory=i"], "'soon': give a duration"),
    (["--textfile", "x.prom", "--every", "0s", "--inventory=i"], "must be between 0.1 s and 24 h"),
    (["--textfile", "x.prom"], "--inventory is required"),
    (["--inventory=i"], "the following arguments are required: --textfile"),
])
def test_bad_options_are_one_line(args, said, tmp_path):
    done = subprocess.run([sys.executable, "-m", "coordcheck", "watch", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and said in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr


def test_a_bad_prometheus_rules_option_is_one_line():
    done = run_cli("prometheus-rules", "--stale-rounds", "zero", check=False)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1 and "--stale-rounds" in done.stderr


def test_the_unit_runs_a_watch_coordcheck_accepts():
    service = unit()["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0].endswith("/coordcheck") and argv[1] == "watch"
    options, check_args = watch_parser().parse_known_args(argv[2:])
    assert options.every == 60 and options.textfile.endswith(".prom") and not options.once
    assert any(a.startswith("--inventory=") for a in check_args)
    assert service["KillSignal"] == "SIGTERM" and service["Restart"] == "on-failure"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"
