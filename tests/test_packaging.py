"""coordcheck as an operator installs it: a wheel in a fresh venv outside the
checkout carries the checklist (``coordcheck.checklist``) and its fixtures
(``coordcheck.fixtures``), and the card's command runs it from any folder.
It installs beside OpenStack's test stacks: no top-level package but
``coordcheck`` (the PyPI ``fixtures`` package, which oslotest and tooz's tests
import, keeps working)."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests import installs
from tests.conftest import PROJECT

@pytest.fixture(scope="module")
def wheel() -> Path:
    return installs.wheel()


@pytest.fixture(scope="module")
def installed() -> Path:
    """A fresh venv with the wheel (and its dependencies, at the checkout's pins), nothing else."""
    return installs.installed().path


@pytest.fixture(scope="module")
def pipx_installed(wheel, tmp_path_factory) -> Path:
    """``pipx install`` of the wheel, as an operator installs a tool: the folder of its ``coordcheck``."""
    root = tmp_path_factory.mktemp("pipx")
    subprocess.run([sys.executable, "-m", "venv", str(root / "pipx")], check=True)
    subprocess.run([str(root / "pipx" / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "pipx"],
                   check=True, capture_output=True)
    env = {**os.environ, "PIPX_HOME": str(root / "home"), "PIPX_BIN_DIR": str(root / "bin"),
           "PIPX_MAN_DIR": str(root / "man")}
    done = subprocess.run([str(root / "pipx" / "bin" / "pipx"), "install", "--pip-args",
                           f"-c {PROJECT / 'requirements.txt'}", str(wheel)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return root / "bin"


def run_in(venv: Path, *argv: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """A command of the installed venv, as an operator runs it: its bin first on PATH, no checkout in sight."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "CI")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(venv / "bin" / argv[0]), *argv[1:]], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


def test_the_wheel_holds_one_top_level_package_and_the_checklist(installed, tmp_path):
    probe = ("import fixtures, coordcheck.checklist, coordcheck.fixtures, importlib.metadata as m; "
             "print(fixtures.Fixture.__module__); "
             "print([e.value for e in m.entry_points(group='pytest11') if e.name == 'coordcheck']); "
             "print(sorted({f.parts[0] for f in m.files('coordcheck') if f.suffix == '.py'})); "
             "print(sorted(f.name for f in m.files('coordcheck') if f.parent.name == 'checklist'))")
    done = run_in(installed, "python", "-c", probe, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    module, entry_point, top_level, checklist = done.stdout.splitlines()
    assert module == "fixtures.fixture"
    assert entry_point == "['coordcheck.pytest_plugin.plugin']"
    assert top_level == "['coordcheck']"
    assert {f"{m}.py" for m in ("test_network", "test_auth", "test_python_client")} <= set(eval(checklist))


def test_every_package_of_the_tree_is_in_the_wheel():
    """pyproject names its packages (two are mapped from the card's folders): none may be missing."""
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {"coordcheck." + ".".join(p.parent.relative_to(PROJECT / "coordcheck").parts)
               for p in (PROJECT / "coordcheck").rglob("__init__.py")}
    folders = {name.rstrip(".") for name in folders}
    assert set(config["packages"]) == folders | set(config["package-dir"])
    assert config["package-dir"] == {"coordcheck.checklist": "tests_infra", "coordcheck.fixtures": "fixtures"}


def test_the_cli_names_every_verb_and_its_version(installed, tmp_path):
    helped = run_in(installed, "coordcheck", "--help", cwd=tmp_path)
    assert helped.returncode == 0
    for verb in ("check", "gate", "render", "up", "repro", "fix", "break", "down"):
        assert f"\n  {verb} " in helped.stdout, verb
    version = run_in(installed, "coordcheck", "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("coordcheck ")
    assert version.stdout.split()[1] == tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["version"]


def test_a_closed_pipe_ends_quietly(installed, tmp_path):
    repo = PROJECT / "examples" / "config-repos" / "healthy"
    done = subprocess.run(f"'{installed}/bin/coordcheck' render --configdir '{repo}/etc/kolla' "
                          f"--inventory '{repo}/multinode' | head -1", shell=True, capture_output=True, text=True,
                          cwd=tmp_path, executable="/bin/bash", timeout=120)
    assert done.stdout.startswith("# rendered by")
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_the_card_runs_the_shipped_checklist_from_any_folder(installed, pipx_installed, tmp_path):
    """The lab by the installed `coordcheck up`, then the card's command from an
    empty folder: green; after `coordcheck repro`, SENTINEL_AUTH_MISSING (by
    `coordcheck check` of a pipx install); the gate works installed too."""
    root = tmp_path / "lab" / "kolla"
    empty = tmp_path / "empty"
    empty.mkdir()
    up = run_in(installed, "coordcheck", "up", "--dir", str(root), cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    try:
        card = ["--hosts=controllers", f"--inventory={root / 'multinode'}", f"--configdir={root}"]
        healthy = run_in(installed, "pytest", *card, "-p", "no:cacheprovider", cwd=empty)
        assert healthy.returncode == 0, healthy.stdout[-2000:]
        assert " passed" in healthy.stdout and "tests_infra/test_auth.py" in healthy.stdout
        assert run_in(installed, "coordcheck", "repro", "--dir", str(root), cwd=tmp_path).returncode == 0
        broken = run_in(pipx_installed.parent, "coordcheck", "check", *card, "-p", "no:cacheprovider", cwd=empty)
        assert broken.returncode == 1 and "SENTINEL_AUTH_MISSING" in broken.stdout
        pyargs = run_in(installed, "pytest", "--pyargs", "coordcheck.checklist", *card, "-m", "auth",
                        "-p", "no:cacheprovider", cwd=empty)
        assert pyargs.returncode == 0 and " passed" in pyargs.stdout, pyargs.stdout[-2000:]
    finally:
        run_in(installed, "coordcheck", "down", "--dir", str(root), cwd=tmp_path)
    repo = PROJECT / "examples" / "config-repos" / "incident"
    gate = run_in(installed, "coordcheck", "gate", f"--configdir={repo / 'etc' / 'kolla'}",
                  f"--inventory={repo / 'multinode'}", "-p", "no:cacheprovider", cwd=empty)
    assert gate.returncode == 1 and "SENTINEL_AUTH_MISSING" in gate.stdout
    noise = "Module already imported so cannot be rewritten"   # pytest's, about coordcheck, on every run
    assert not any(noise in run.stdout for run in (healthy, broken, pyargs, gate))
    assert not list(empty.iterdir()), "the run left files in the folder it ran in"
