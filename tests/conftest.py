"""Helpers for the project's own tests: run the CLI and the checklist as a
user would (subprocesses), and keep a local deployment up per module (each
lab on a free address range of its own, so tests run under pytest-xdist)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from coordcheck.secrets import Secret, spellings

PROJECT = Path(__file__).resolve().parent.parent
CHECKLIST_IDS = ("SENTINEL_AUTH_MISSING",)
#: the pytest runs this suite starts (the checklist, the gate, `coordcheck check`, watch's rounds) load the
#: plugins of an operator's venv: hypothesis is this suite's alone, and its plugin imports all of hypothesis
#: at each run's end (0.3 s a run; 1.4 s where bytecode is not written)
CHILD_PYTEST_ADDOPTS = "-p no:hypothesispytest"


@pytest.fixture(scope="session", autouse=True)
def _compose_range_kept():
    """docker-compose.sentinel.yml's fixed 127.0.2.0/24 is kept for the test
    that runs it (tests/lab/test_compose.py): every other lab of the run picks
    another range, else a module's lab holding it would starve that test."""
    from coordcheck.lab import network

    with network.reserved(network.DEFAULT_NETWORK):
        yield


@pytest.fixture(scope="session", autouse=True)
def _children_without_hypothesis():
    """Every pytest this run starts, whatever starts it, gets CHILD_PYTEST_ADDOPTS (this run's own options
    are parsed by now: they keep hypothesis)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTEST_ADDOPTS", CHILD_PYTEST_ADDOPTS)
        yield


@pytest.fixture(autouse=True)
def _secrets_of_one_test():
    """What one test teaches coordcheck's redactor is forgotten after it: a
    value registered as a password by one test must not mask another's output."""
    from coordcheck.secrets import KNOWN

    state = KNOWN.saved()
    yield
    KNOWN.restore(state)


def load_script(path: Path):
    """A script of the checkout that is not a package's module (bench/common.py, docs/generate.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"script_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_cli(*args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "coordcheck", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=PROJECT)
    if check and done.returncode != 0:
        raise AssertionError(f"coordcheck {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


@dataclass
class Run:
    """One run of the checklist: exit code, output, and junit results."""

    returncode: int
    stdout: str
    stderr: str
    junit: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr + self.junit

    def outcomes(self) -> dict[str, str]:
        """test id (module::name[param]) -> passed | failed | skipped | error."""
        results = {}
        for case in ET.fromstring(self.junit).iter("testcase"):
            module = case.get("classname", "").rpartition(".")[2]
            state = "passed"
            for tag in ("failure", "error", "skipped"):
                if case.find(tag) is not None:
                    state = {"failure": "failed"}.get(tag, tag)
            results[f"{module}::{case.get('name')}"] = state
        return results

    def failures(self) -> dict[str, str]:
        """failed test id -> its failure message."""
        found = {}
        for case in ET.fromstring(self.junit).iter("testcase"):
            failure = case.find("failure")
            if failure is not None:
                module = case.get("classname", "").rpartition(".")[2]
                found[f"{module}::{case.get('name')}"] = (failure.get("message") or "") + (failure.text or "")
        return found


def run_checklist(*args: str, tmp_path: Path, cwd: Path = PROJECT, timeout: float = 180,
                  env: dict[str, str] | None = None) -> Run:
    junit = tmp_path / "junit.xml"
    # as an operator's terminal shows it: pytest prints whole failure messages in its short summary when $CI is set
    # and with no PYTEST_ADDOPTS of this suite's caller (the checklist's output is the operator's)
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "BUILD_NUMBER")}
    environ["PYTEST_ADDOPTS"] = CHILD_PYTEST_ADDOPTS
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={junit}", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd, env={**environ, **(env or {})})
    return Run(done.returncode, done.stdout, done.stderr, junit.read_text() if junit.exists() else "")


@dataclass
class Deployment:
    root: Path
    flavor: str = "redis"

    @property
    def inventory(self) -> Path:
        return self.root / "multinode"

    @property
    def password(self) -> Secret:
        data = yaml.safe_load((self.root / "passwords.yml").read_text())
        return Secret(str(data[f"{self.flavor}_master_password"]))

    @property
    def hosts(self) -> dict[str, str]:
        """host -> address, as the lab claimed them (its range is its own)."""
        state = json.loads((self.root / ".coordcheck" / "state.json").read_text())
        return state["layout"]["hosts"]

    def address(self, host: str) -> str:
        return self.hosts[host]

    def checklist_args(self) -> list[str]:
        return ["--hosts=controllers", "--inventory", str(self.inventory), "--configdir", str(self.root)]


@contextlib.contextmanager
def lab(root: Path, *up_args: str):
    """``coordcheck up --dir root *up_args`` for the block, ``down`` after it."""
    run_cli("up", "--dir", str(root), *up_args)
    try:
        yield Deployment(root)
    finally:
        run_cli("down", "--dir", str(root))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A local deployment (``coordcheck up``) for one test module, on a free
    address range of its own: modules run in parallel (pytest -n) and share nothing."""
    with lab(tmp_path_factory.mktemp("deployment") / "kolla") as made:
        yield made


#: Tests whose labs hold Kolla's container names run on one xdist worker, one after another (``--dist
#: loadgroup``), rather than one worker waiting on the other's lock.
CONTAINER_NAMES = pytest.mark.xdist_group("kolla-container-names")


@contextlib.contextmanager
def kolla_container_names():
    """Held while a lab runs service containers (`up --containers`): they
    carry Kolla's names (cinder_volume ...), which the checklist looks for
    and one engine holds once, so two such labs cannot run at once. Every
    other lab runs in parallel on a range of its own."""
    from coordcheck.lab.network import runtime_dir

    folder = runtime_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "kolla-container-names.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def assert_no_secret(text: str, *secrets: Secret) -> None:
    for secret in secrets:
        for spelling in spellings(secret):
            assert spelling not in text, "a password appears in the output"


def reported(run: Run) -> dict[str, list[str]]:
    """finding id -> the places (junit properties) the checklist reported it at."""
    found: dict[str, list[str]] = {}
    for prop in ET.fromstring(run.junit).iter("property"):
        if prop.get("name") == "finding":
            finding_id, _, where = prop.get("value").partition(" at ")
            found.setdefault(finding_id, []).append(where)
    return found


def processes_under(root: Path) -> list[int]:
    """Processes whose working directory is in ``root`` (a lab's servers run in its folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if os.readlink(entry / "cwd").removesuffix(" (deleted)").startswith(str(root)):
                    found.append(int(entry.name))
    return found


def claims_under(root: Path) -> list[str]:
    """Address ranges still claimed for a lab in ``root`` or below it."""
    from coordcheck.lab.network import runtime_dir
    found = []
    for claim in (runtime_dir() / "ranges").glob("*.json"):
        with contextlib.suppress(OSError, ValueError):
            if Path(json.loads(claim.read_text()).get("root", "")).is_relative_to(root):
                found.append(claim.name)
    return found
