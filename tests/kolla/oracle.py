"""Real kolla-ansible renders for the tests, cached under .cache/kolla-ansible: venvs per release,
renders (the options and the rendered tree) keyed by the release, every input's content and the oracle's own code.

``make test`` makes them before the tests, while the images build (tests/prepare.py). A render is never
stale, so .ci/run keeps the renders a run used for the next run on the machine (each use touches it).
"""
import dataclasses, fcntl, hashlib, json, os, shutil, tempfile
from concurrent.futures import Executor
from pathlib import Path

from coordcheck.kolla.render import installed as ka
from coordcheck.kolla.render import values as records
from coordcheck.kolla.render import venvs
from tests.kolla import scenarios

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "kolla-ansible"


def _venvs() -> Path:
    """Where the venvs per release are: under CACHE, or where $COORDCHECK_TEST_VENVS keeps the test venvs
    (.ci/run: for the next run on the machine), by the installer's code (a change to it installs them again)."""
    kept = os.environ.get("COORDCHECK_TEST_VENVS")
    installer = hashlib.sha256(Path(venvs.__file__).read_bytes()).hexdigest()[:12]
    return Path(kept) / f"kolla-ansible-{installer}" if kept else CACHE


VENVS = _venvs()
REDIS_ERA, BOTH_FLAVORS, VALKEY_ONLY = "20.3.0", "20.6.0", "23.0.0"
RELEASES = (REDIS_ERA, BOTH_FLAVORS, VALKEY_ONLY)


def key(release, *paths):
    h = hashlib.sha256(release.encode() + Path(ka.__file__).read_bytes() + Path(records.__file__).read_bytes())
    for p in paths:
        for f in sorted([p] if p.is_file() else p.rglob("*")):
            if f.is_file():
                h.update(str(f.relative_to(p) if p.is_dir() else f.name).encode() + f.read_bytes())
    return h.hexdigest()[:20]


def _rendered(release: str, repo: Path, vault=None, facts=None) -> tuple[Path, Path]:
    """(options JSON, tree <host>/<service>/<file>) of one render, made once per key however many workers ask."""
    venv = ka.install(release, VENVS)
    configdir, inventory = repo / "etc/kolla", repo / "multinode"
    cached = CACHE / "renders" / f"{key(release, configdir, inventory, *[p for p in (vault, facts) if p])}.json"
    tree = cached.with_suffix(".tree")
    cached.parent.mkdir(parents=True, exist_ok=True)
    with open(cached.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a render another worker runs is waited for, not run again
        if not (cached.exists() and tree.is_dir()):
            with tempfile.TemporaryDirectory(dir=cached.parent) as tmp:
                r = ka.render(venv, configdir, inventory, vault, facts, keep=Path(tmp) / "work")
                shutil.rmtree(tree, ignore_errors=True)
                out = Path(tmp) / "work/out"
                if out.is_dir():
                    out.rename(tree)
                else:  # a repo may render nothing
                    tree.mkdir()
            part = cached.with_suffix(f".{os.getpid()}")
            part.write_text(json.dumps(dataclasses.asdict(r)))
            part.replace(cached)  # atomic: a reader without the lock never sees half a file
        os.utime(cached)  # used now: what .ci/run keeps for the next run (the renders a run used)
    return cached, tree


def render(release: str, repo: Path, vault=None, facts=None) -> ka.Rendering:
    """The oracle's Rendering of repo (etc/kolla + multinode), cached by content."""
    data = json.loads(_rendered(release, repo, vault, facts)[0].read_text())
    return ka.Rendering(**{**data, "records": [ka.Record(**x) for x in data["records"]]})


def tree(release: str, repo: Path, vault=None, facts=None) -> Path:
    """The files that render wrote, <host>/<service>/<file> (the same render as `render`'s)."""
    return _rendered(release, repo, vault, facts)[1]


def _render_case(case: tuple) -> str:
    release, repo, facts = case
    _rendered(release, repo, scenarios.vault_file(repo), facts)
    return f"{release} {repo.name}"


def prepare(pool: Executor) -> int:
    """Install RELEASES and render every example and scenario repo with each (what test_agreement.py and
    render/test_installed.py ask for) on ``pool``, the scenario repos first (``full``, the largest, leads).
    Returns how many renders."""
    list(pool.map(ka.install, RELEASES, [VENVS] * len(RELEASES)))
    with tempfile.TemporaryDirectory(prefix="coordcheck-oracle-") as base:
        made = scenarios.built(Path(base))
        cases = [(release, *scenarios.repo_for(name, made, release))
                 for name in [*scenarios.BUILT, *scenarios.EXAMPLES] for release in RELEASES]
        return len(list(pool.map(_render_case, cases)))
