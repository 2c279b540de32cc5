"""docs/ tells the truth: its generated pages are what the code generates,
every link and every path it names resolves, the outputs' keys are the
code's, and the README's CI jobs pass as written."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import PROJECT, load_script

DOCS = PROJECT / "docs"
PAGES = [PROJECT / "README.md", PROJECT / "bench" / "README.md", *sorted(DOCS.glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
#: a path of this checkout, as the pages write it in backticks
NAMED_PATH = re.compile(r"`((?:coordcheck|tests|tests_infra|bench|examples|docs)/[\w./-]+)`")


def generator():
    return load_script(DOCS / "generate.py")


def prose(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as '-'."""
    found = set()
    for line in prose(page.read_text()):
        if line.startswith("#"):
            slug = re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
            found.add(slug if slug not in found else f"{slug}-1")
    return found


def test_generated_pages_are_what_the_code_generates():
    assert generator().stale() == [], "run: python docs/generate.py"


def test_the_catalogue_page_is_the_findings_entry_point():
    done = subprocess.run([sys.executable, "-m", "coordcheck.findings", "--markdown"], capture_output=True,
                          text=True, timeout=60, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (DOCS / "catalogue.md").read_text()


def test_the_catalogue_page_lists_every_entry():
    from coordcheck.findings import CATALOGUE
    page = (DOCS / "catalogue.md").read_text()
    assert [row.split("`")[1] for row in page.splitlines() if row.startswith("| `")] == list(CATALOGUE)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_every_link_resolves(page):
    for target in LINK.findall("\n".join(prose(page.read_text()))):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.name}: {target}"
        if anchor:
            assert anchor in anchors(resolved), f"{page.name}: {target} (no such heading)"


def test_readme_links_every_reference_page():
    readme = (PROJECT / "README.md").read_text()
    for page in DOCS.glob("*.md"):
        assert f"](docs/{page.name})" in readme, page.name
    assert "](bench/README.md)" in readme


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_every_path_a_page_names_exists(page):
    for named in NAMED_PATH.findall(page.read_text()):
        assert (PROJECT / named.rstrip("/.")).exists(), f"{page.name} names {named}"


def test_outputs_page_names_every_json_key_and_metric():
    from coordcheck.pytest_plugin import outputs
    page = (DOCS / "outputs.md").read_text()
    for key in outputs.SCHEMA["required"]:
        assert f"| `{key}` |" in page, key
    for place in outputs.SCHEMA["properties"]["causes"]["items"]["required"]:
        assert place in page.partition("| `causes` |")[2].partition("\n")[0], place
    assert outputs.SCHEMA_ID in page
    metrics = set(re.findall(r'"(coordcheck_[a-z_]+)"', Path(outputs.__file__).read_text()))
    assert metrics
    for metric in metrics:
        assert f"| `{metric}` |" in page, metric


def ci_gate_lines() -> list[str]:
    """The gate's command line of each CI job in the README (GitLab, GitHub, Zuul)."""
    readme = (PROJECT / "README.md").read_text()
    jobs = readme.partition("## The gate in CI")[2].partition("\n## ")[0]
    blocks = re.findall(r"```yaml\n(.*?)```", jobs, re.S)
    return [line[line.index("coordcheck gate"):] for block in blocks for line in block.splitlines()
            if "coordcheck gate" in line]


def run_gate_line(line: str, example: str, tmp_path: Path) -> subprocess.CompletedProcess:
    repo = tmp_path / example
    shutil.copytree(PROJECT / "examples" / "config-repos" / example, repo)
    vault = repo / "vault-password.txt"
    (repo / ".vault-pass").write_text(vault.read_text() if vault.exists() else "not-used")
    argv = shlex.split(line)
    assert argv[:2] == ["coordcheck", "gate"], line
    return subprocess.run([sys.executable, "-m", "coordcheck", *argv[1:]], capture_output=True, text=True,
                          timeout=180, cwd=repo)


def test_the_readme_has_three_ci_jobs_that_install_the_checkout():
    lines = ci_gate_lines()
    assert len(lines) == 3, lines
    readme = (PROJECT / "README.md").read_text()
    assert readme.count("requirements.txt /opt/coordcheck") == 2 and "requirements.txt ~/coordcheck" in readme
    assert (PROJECT / "requirements.txt").is_file() and (PROJECT / "pyproject.toml").is_file()


@pytest.mark.parametrize("job", range(3), ids=["gitlab", "github", "zuul"])
def test_ci_job_passes_on_a_repository_with_the_fix(job, tmp_path):
    line = ci_gate_lines()[job]
    example = "vaulted" if "--vault-password-file" in line else "healthy"
    done = run_gate_line(line, example, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    if "--junitxml" in line:
        cases = ET.parse(tmp_path / example / "coordcheck.xml").getroot().iter("testcase")
        assert any(True for _ in cases)


def test_ci_job_fails_on_the_incident(tmp_path):
    done = run_gate_line(ci_gate_lines()[2], "incident", tmp_path)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "SENTINEL_AUTH_MISSING" in done.stdout
    assert "SENTINEL_AUTH_MISSING" in (tmp_path / "incident" / "coordcheck.xml").read_text()
