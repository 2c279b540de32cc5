"""The README's CI jobs (GitLab, GitHub, Zuul) pass as written on a repository that applied the gate's fix:
each gate command line is taken from the README's yaml code blocks (the lines that run `pytest -m config`
or `coordcheck gate`), run in the repository's root as the job would, with no flag added."""
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from coordcheck.checks.consumers import consumer_findings, sentinel_auth
from coordcheck.kolla.render import render_repo
from coordcheck.kolla.repairs import apply_edits
from tests.conftest import PROJECT

GATE_LINE = re.compile(r"^\s*(?:-\s+)?(?P<command>\S*(?:pytest -m config|coordcheck gate)\b.*)$")


def ci_commands(text: str) -> list[str]:
    """Every gate command line of the README's yaml blocks (the CI jobs), as written."""
    blocks = re.findall(r"```ya?ml\n(.*?)```", text, re.S)
    return [m["command"].strip() for block in blocks for line in block.splitlines() if (m := GATE_LINE.match(line))]


def runnable(command: str) -> list[str]:
    """The job's line with its pytest (``pytest``, ``~/cc/bin/pytest``) or coordcheck being this checkout's."""
    words = shlex.split(command)
    head = words[0].rsplit("/", 1)[-1]
    return ([sys.executable, "-m", "pytest"] if head == "pytest" else [sys.executable, "-m", "coordcheck"]) + words[1:]


def fixed(tmp_path, name: str, sentinel_override: bool):
    """The incident repository with the gate's own repairs applied (and the sentinel override kept or not)."""
    repo = tmp_path / name
    shutil.copytree(PROJECT / "examples/config-repos/incident", repo)
    if not sentinel_override:
        (repo / "etc/kolla/config/redis/redis-sentinel.conf").unlink()
    rendered = render_repo(repo / "etc/kolla", repo / "multinode")
    found = consumer_findings(rendered, sentinel_auth(rendered, "required"))
    apply_edits([e for f in found if f.repair is not None for e in f.repair.as_dict()["edits"]])
    (repo / ".vault-pass").write_text("the CI job's vault password")  # the jobs write it from a CI secret
    return repo


def test_the_readme_has_the_ci_jobs():
    commands = ci_commands((PROJECT / "README.md").read_text())
    assert len(commands) >= 3, commands  # GitLab, GitHub, Zuul


@pytest.mark.parametrize("sentinel_override", [True, False], ids=["sentinel-override", "urls-carry-the-password"])
def test_the_readme_ci_jobs_pass_on_a_fixed_repo(tmp_path, sentinel_override):
    repo = fixed(tmp_path, "repo", sentinel_override)
    for command in ci_commands((PROJECT / "README.md").read_text()):
        (repo / "coordcheck.xml").unlink(missing_ok=True)
        done = subprocess.run(runnable(command), cwd=repo, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-2000:])
        if "--junitxml=coordcheck.xml" in command:
            assert "<testsuite" in (repo / "coordcheck.xml").read_text()
