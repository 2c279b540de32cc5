"""Installs for the project's own tests, as an operator would make them: the wheel built from the
checkout (``pip wheel --no-deps``), fresh venvs of a given Python outside the checkout. Venvs are kept
under .cache/venvs/ (or $COORDCHECK_TEST_VENVS: .ci/run keeps them for the next run on the machine), named
by what went into them: one is built again only when what pip resolves changes (a wheel's code alone is
reinstalled).

    venv = cached_venv("kolla-20.3.0", "3.11", [str(wheel()), "kolla-ansible==20.3.0"])
    venv.run("pip", "check").returncode   # -> 0
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PROJECT

CACHE = PROJECT / ".cache"
VENVS = Path(os.environ.get("COORDCHECK_TEST_VENVS") or CACHE / "venvs")
#: what a copy of the checkout leaves out: venvs, caches, build output
NOT_SOURCES = (".git", ".venv*", ".cache", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis")
PIP_TIMEOUT = 900
#: a cached venv not used for this long is removed when another of its name is made
STALE = 24 * 3600


def copy_sources(dest: Path) -> Path:
    """The checkout's sources alone (a build/ or egg-info left in it would add to a wheel)."""
    shutil.copytree(PROJECT, dest, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    return dest


@functools.cache   # asked for each venv's key: once per Python is enough
def python(minor: str) -> str:
    """A Python ``minor`` (e.g. "3.9") that really runs, as its own path (not a pyenv shim's or a venv's
    link to it): on PATH, else pyenv's (a pyenv shim of a version not enabled only prints an error)."""
    pyenv = sorted(Path.home().glob(f".pyenv/versions/{minor}.*/bin/python{minor}"), reverse=True)
    for candidate in [shutil.which(f"python{minor}"), *map(str, pyenv)]:
        found = candidate and subprocess.run(
            [candidate, "-c", "import venv, ensurepip, os, sys; print(os.path.realpath(sys.executable))"],
            capture_output=True, text=True, timeout=60)
        if found and found.returncode == 0:
            return found.stdout.strip()
    raise AssertionError(f"no Python {minor} here (python{minor} on PATH or ~/.pyenv/versions/{minor}.*): "
                         "the tests of coordcheck beside Kolla need it")


def _content_hash(wheel: Path) -> str:
    """A wheel's files and their bytes (not the archive's timestamps)."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            digest.update(name.encode() + b"\0" + hashlib.sha256(archive.read(name)).digest())
    return digest.hexdigest()[:16]


def _locked(name: str, where: Path = CACHE):
    where.mkdir(parents=True, exist_ok=True)
    lock = open(where / f".{name}.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def wheel() -> Path:
    """The wheel of the checkout as it is now (``pip wheel --no-deps``), built once per state of its
    sources: .cache/wheels/<hash of the sources>/."""
    with tempfile.TemporaryDirectory() as tmp:
        sources = copy_sources(Path(tmp) / "src")
        keep = CACHE / "wheels" / _tree_hash(sources)
        with _locked("coordcheck-wheel"):
            made = next(keep.glob("coordcheck-*.whl"), None)
            if made is None:
                done = subprocess.run([python("3.11"), "-m", "pip", "wheel", "-q", "--no-deps",
                                       "--disable-pip-version-check", "-w", str(Path(tmp) / "wheel"), str(sources)],
                                      capture_output=True, text=True, timeout=PIP_TIMEOUT)
                assert done.returncode == 0, f"pip wheel: {done.stderr[-2000:]}"
                built = next((Path(tmp) / "wheel").glob("coordcheck-*.whl"))
                for old in keep.parent.glob("*/"):   # not used for a day: removed
                    if time.time() - old.stat().st_mtime > STALE:
                        shutil.rmtree(old, ignore_errors=True)
                keep.mkdir(parents=True)
                shutil.copy2(built, keep / built.name)
                made = keep / built.name
            os.utime(keep)
            return made


@dataclass
class Venv:
    path: Path

    def bin(self, name: str) -> str:
        return str(self.path / "bin" / name)

    def run(self, command: str, *args: str, cwd: Path | None = None, timeout: float = 300,
            env: dict | None = None) -> subprocess.CompletedProcess:
        """``bin/command args`` outside the checkout (its sources must not answer an import)."""
        environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return subprocess.run([self.bin(command), *args], capture_output=True, text=True, timeout=timeout,
                              cwd=cwd or tempfile.gettempdir(), env={**environ, **(env or {})})


def pip_install(venv: Path, requirements: list[str]) -> float:
    """One ``pip install`` of all ``requirements`` into ``venv`` (pip resolves them together); its seconds."""
    started = time.monotonic()
    done = subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           *requirements], capture_output=True, text=True, timeout=PIP_TIMEOUT)
    assert done.returncode == 0, f"pip install {' '.join(requirements)}: {done.stderr[-3000:]}"
    return time.monotonic() - started


def fresh_venv(path: Path, minor: str) -> Path:
    done = subprocess.run([python(minor), "-m", "venv", str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"python{minor} -m venv: {done.stderr[-2000:]}"
    return path


def _wheel_of(requirement: str) -> Path | None:
    """The wheel file of ``path.whl`` or ``name[extra] @ file:///path.whl``."""
    where = requirement.rpartition(" @ ")[2]
    path = urllib.parse.urlparse(where).path if where.startswith("file:") else where
    return Path(path) if path.endswith(".whl") else None


def _dependencies(wheel: Path) -> str:
    """What pip resolves from a wheel: its name, Python and requirements (METADATA), not its code."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    return "\n".join(line for line in metadata.splitlines()
                     if line.startswith(("Name:", "Requires-Python:", "Requires-Dist:", "Provides-Extra:")))


def _resolved(requirement: str) -> str:
    """What pip resolves from one argument: a wheel's dependencies, a file's (``-c FILE``) content."""
    if wheel := _wheel_of(requirement):
        return _dependencies(wheel)
    path = Path(requirement)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_absolute() and path.is_file() else requirement


def cached_venv(name: str, minor: str, requirements: list[str]) -> Venv:
    """A venv of Python ``minor`` with ``requirements`` installed in one `pip install`, kept under
    VENVS/<name>-<hash>: of the Python and what pip resolves (a wheel's dependencies, not its code; a
    file's content, not its path). A wheel whose code changed since is reinstalled alone (``--no-deps``)."""
    wheels = [w for w in map(_wheel_of, requirements) if w]
    key = hashlib.sha256(json.dumps([python(minor), [_resolved(r) for r in requirements]]).encode()).hexdigest()[:12]
    root, path = VENVS, VENVS / f"{name}-{key}"
    done = path / ".coordcheck-installed"
    code = [_content_hash(w) for w in wheels]
    with _locked(f"venv-{name}-{key}", VENVS):
        if done.exists() and not (path / "pyvenv.cfg").is_file():   # no longer a venv: made again
            done.unlink()
        if not done.exists():
            root.mkdir(parents=True, exist_ok=True)
            for old in root.glob(f"{name}-*/.coordcheck-installed"):   # not used for a day: removed
                if time.time() - old.stat().st_mtime > STALE:
                    shutil.rmtree(old.parent, ignore_errors=True)
            shutil.rmtree(path, ignore_errors=True)
            seconds = pip_install(fresh_venv(path, minor), requirements)
            done.write_text(json.dumps({"requirements": requirements, "install_seconds": round(seconds, 1),
                                        "code": code}))
        marker = json.loads(done.read_text())
        if marker.get("code") != code:
            pip_install(path, ["--no-deps", "--force-reinstall", *map(str, wheels)])
            done.write_text(json.dumps({**marker, "code": code}))
        os.utime(done)
        return Venv(path)   # its marker keeps what the one `pip install` took


#: kolla-ansible release -> the Python its deploy hosts run it with, and the ansible-core series it then gets
KOLLA = {"19.8.0": ("3.10", "2.17"), "20.3.0": ("3.11", "2.18"), "23.0.0": ("3.12", "2.21")}


def beside_kolla(release: str) -> Venv:
    """kolla-ansible ``release`` and the checkout's wheel, installed together in one venv."""
    return cached_venv(f"kolla-ansible-{release}", KOLLA[release][0], [str(wheel()), f"kolla-ansible=={release}"])


#: Kolla 2024.2's images: Rocky 9's Python, upper-constraints' tooz and redis-py
OLD_PYTHON, OLD_CLIENTS = "3.9", ["tooz==6.3.0", "redis==5.0.8"]


def old_clients() -> Venv:
    """Python 3.9 with Kolla 2024.2's tooz and redis-py: where the shipped probes must run."""
    return cached_venv("kolla-2024.2-clients", OLD_PYTHON, OLD_CLIENTS)


def installed() -> Venv:
    """The wheel (and its dependencies, at the checkout's pins) in a fresh venv, with the ``fixtures`` package."""
    return cached_venv("installed", "3.11", ["-c", str(PROJECT / "requirements.txt"), "fixtures", str(wheel())])


def parallel_extra() -> Venv:
    """The wheel with its ``parallel`` extra, resolved by pip alone (no pins)."""
    return cached_venv("coordcheck-parallel", "3.11", [f"coordcheck[parallel] @ {wheel().as_uri()}"])


#: every venv above, for tests/prepare.py to make before the tests
PREPARED = [old_clients, installed, parallel_extra, *(functools.partial(beside_kolla, release) for release in KOLLA)]
