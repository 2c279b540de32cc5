"""Install a kolla-ansible release in its own venv (cached), with the
collections Galaxy would bring, taken from PyPI's ``ansible`` package."""
from __future__ import annotations

import fcntl, re, shutil, subprocess, sys, tempfile, zipfile
from pathlib import Path

from coordcheck import interrupt

ANSIBLE_FOR_CORE = {17: "10.7.0", 18: "11.13.0", 19: "12.3.0", 20: "13.8.0", 21: "14.5.0"}
COLLECTIONS = tuple(f"ansible_collections/{c}/" for c in
                    ("ansible/utils", "ansible/netcommon", "community/general", "ansible/posix"))
TIMEOUT = 600


class KollaAnsibleError(RuntimeError):
    """One line saying what failed."""


def _run(cmd: list, what: str, **kw) -> subprocess.CompletedProcess:
    """``cmd`` bounded by TIMEOUT, its process group killed on timeout or Ctrl-C
    (an ansible-playbook's forks with it)."""
    argv = [str(c) for c in cmd]
    returncode, stdout, stderr = interrupt.run_bounded(argv, TIMEOUT, **kw)
    if returncode is None:
        raise KollaAnsibleError(f"{what}: timed out after {TIMEOUT}s")
    p = subprocess.CompletedProcess(argv, returncode, stdout, stderr)
    if p.returncode:
        lines = [l.strip() for l in (p.stderr + p.stdout).splitlines() if l.strip() and "is ignored" not in l]
        err = next((l for l in reversed(lines) if re.search(r"ERROR|rror:|fatal|FAILED", l)), (lines or [""])[-1])
        raise KollaAnsibleError(f"{what}: {err if len(err) < 500 else err[:150] + ' ... ' + err[-350:]}")
    return p


# --- installation -------------------------------------------------------------

def _python_for(release: str) -> str:
    """23.x needs Python >= 3.12 (pyenv's on these machines); older releases run on this 3.11."""
    if int(release.split(".")[0]) < 23:
        return sys.executable
    for cand in [shutil.which(f"python3.{m}") for m in (12, 13)] + sorted(
            Path.home().glob(".pyenv/versions/3.1[23]*/bin/python3.1[23]")):
        if cand and subprocess.run([cand, "-c", "import sys, venv; assert sys.version_info >= (3, 12)"],
                                   capture_output=True).returncode == 0:
            return str(cand)
    raise KollaAnsibleError(f"kolla-ansible {release} needs Python >= 3.12, none found")


def install(release: str, root: Path) -> Path:
    """Create once, and return, root/release: a venv with kolla-ansible==release and its collections."""
    root = Path(root).resolve()
    venv, what = root / release, f"kolla-ansible {release}"
    done = venv / ".coordcheck-installed"
    if done.exists():
        return venv
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{release}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        _run([_python_for(release), "-m", "venv", venv], f"{what}: venv")
        py = venv / "bin/python"
        _run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", f"kolla-ansible=={release}"],
             f"{what}: pip install")
        core = _run([py, "-c", "import ansible.release as r; print(r.__version__)"], what).stdout.strip()
        ansible = ANSIBLE_FOR_CORE.get(int(core.split(".")[1]))
        if not ansible:
            raise KollaAnsibleError(f"{what}: no collections known for ansible-core {core}")
        with tempfile.TemporaryDirectory() as wheels:  # what Galaxy would bring, from PyPI's `ansible`
            _run([py, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", f"ansible=={ansible}",
                  "-d", wheels], f"{what}: pip download ansible=={ansible}")
            with zipfile.ZipFile(next(Path(wheels).glob("*.whl"))) as z:
                z.extractall(venv / "collections", [n for n in z.namelist() if n.startswith(COLLECTIONS)])
        done.write_text(f"{release} ansible-core {core} collections from ansible {ansible}\n")
    return venv


