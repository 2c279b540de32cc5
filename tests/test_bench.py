"""bench/ is not run by `make test` (it measures; tests do not), but every
script in it must still start (its imports follow the package's layout) and
write its figures into bench/README.md through bench/common.py, between the
markers of a section the file has."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import load_script

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if p.name != "common.py")
WRITES = re.compile(r'write_section\(\s*"([\w-]+)"')


def common():
    return load_script(BENCH / "common.py")


@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_script_starts(script):
    done = subprocess.run([sys.executable, str(BENCH / script), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "usage:" in done.stdout, done.stderr[-2000:]


@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_script_writes_its_sections_of_the_figures(script):
    names = WRITES.findall((BENCH / script).read_text())
    assert names, f"{script} writes no figures into bench/README.md (common.write_section)"
    figures = (BENCH / "README.md").read_text()
    for name in names:
        begin, end = common().markers(name)
        assert figures.count(begin) == 1 and figures.count(end) == 1, name
        section = figures.partition(begin)[2].partition(end)[0].strip()
        assert re.match(r"_(Measured \d{4}-\d\d-\d\d|Not measured)", section), (name, section[:80])


def test_every_section_of_the_figures_has_its_bench():
    written = {name for script in SCRIPTS for name in WRITES.findall((BENCH / script).read_text())}
    sections = set(re.findall(r"^<!-- bench:([\w-]+) -->$", (BENCH / "README.md").read_text(), re.M))
    assert sections == written


def test_write_section_replaces_only_its_section(tmp_path, monkeypatch):
    bench = common()
    figures = tmp_path / "README.md"
    figures.write_text("# Figures\n\nprose before\n\n<!-- bench:a -->\nold a\n<!-- /bench:a -->\n\nprose between\n\n"
                       "<!-- bench:b -->\nold b\n<!-- /bench:b -->\n")
    monkeypatch.setattr(sys, "argv", ["bench/x.py", "--rounds", "1"])
    bench.write_section("a", bench.table(["what", "figure"], [["up", "2.3 s"], ["a | b", 1]]), figures)
    text = figures.read_text()
    assert "old a" not in text and "old b" in text and "prose before" in text and "prose between" in text
    section = text.partition("<!-- bench:a -->\n")[2].partition("<!-- /bench:a -->")[0]
    lines = section.splitlines()
    assert re.fullmatch(r"_Measured \d{4}-\d\d-\d\d by `python bench/x.py --rounds 1` on \d+ cores \(load [\d.]+ at the end\), Python [\d.]+\._",
                        lines[0])
    assert lines[2:] == ["| what | figure |", "|---|---|", "| up | 2.3 s |", "| a \\| b | 1 |"]
    bench.write_section("c", "| new |", figures)
    assert figures.read_text().endswith("<!-- bench:c -->\n" + bench.measured_by() + "\n\n| new |\n<!-- /bench:c -->\n")
    assert list(tmp_path.iterdir()) == [figures], "written in one rename, nothing left beside it"


def test_write_section_refuses_a_section_without_its_end(tmp_path):
    figures = tmp_path / "README.md"
    figures.write_text("<!-- bench:a -->\nold a\n")
    with pytest.raises(SystemExit, match="no end marker"):
        common().write_section("a", "new", figures)
    assert figures.read_text() == "<!-- bench:a -->\nold a\n"


def test_spread_says_median_and_range():
    bench = common()
    assert bench.spread([2.1, 2.3, 3.1]) == "2.3 s (median of 3; 2.1-3.1)"
    assert bench.spread([0.0191], 3) == "0.019 s"
