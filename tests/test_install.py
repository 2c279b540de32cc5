"""coordcheck as an operator installs it, from the wheel built from the checkout, in fresh venvs outside
the checkout: into the venv of kolla-ansible (2024.2 on Python 3.10, 2025.1 on 3.11, 2026.2 on 3.12), one
`pip install` resolving both, `pip check` clean, and coordcheck working there with the ansible-core that
kolla-ansible pins; alone with its ``parallel`` extra, pip chooses a pytest / pytest-xdist pair whose
``--dist loadgroup`` holds. The venvs are kept (tests/installs.py) until what pip resolves changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import installs
from tests.conftest import PROJECT
from tests.test_xdist_groups import TESTS as GROUPED_TESTS

KOLLA = installs.KOLLA
VAULTED = PROJECT / "examples" / "config-repos" / "vaulted"
#: what the wheel must hold; the checklist (coordcheck.checklist) is imported too once the wheel ships it
MODULES = ["coordcheck", "coordcheck.pytest_plugin.plugin", "coordcheck.observe.handshake", "coordcheck.kolla.vault"]


@pytest.fixture(scope="module")
def wheel() -> Path:
    return installs.wheel()


@pytest.fixture(scope="module", params=sorted(KOLLA))
def beside_kolla(request) -> tuple[str, installs.Venv]:
    return request.param, installs.beside_kolla(request.param)


def _imports(venv: installs.Venv) -> dict:
    probe = ("import importlib, importlib.util, json, sys; import ansible.release, pytest; "
             f"names = {MODULES!r} + (['coordcheck.checklist'] if importlib.util.find_spec('coordcheck.checklist') "
             "else []); "
             "print(json.dumps({'files': {n: importlib.import_module(n).__file__ for n in names}, "
             "'python': '%d.%d' % sys.version_info[:2], 'ansible_core': ansible.release.__version__, "
             "'pytest': pytest.__version__}))")
    done = venv.run("python", "-c", probe)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_one_venv_holds_kolla_ansible_and_coordcheck(beside_kolla):
    release, venv = beside_kolla
    python, series = KOLLA[release]
    check = venv.run("python", "-m", "pip", "check", "--disable-pip-version-check")
    assert check.returncode == 0 and "No broken requirements found" in check.stdout, check.stdout + check.stderr
    seen = _imports(venv)
    assert seen["python"] == python and seen["ansible_core"].startswith(series + "."), seen
    assert all(f.startswith(str(venv.path)) for f in seen["files"].values()), seen["files"]  # not the checkout's
    version = venv.run("python", "-c", "import importlib.metadata as m; print(m.version('coordcheck'))").stdout.strip()
    assert venv.run("coordcheck", "--version").stdout.strip() == f"coordcheck {version}"
    assert "--configdir" in venv.run("pytest", "--help").stdout  # the plugin, loaded by its entry point


def test_render_opens_a_vaulted_repo_with_kolla_ansibles_ansible_core(beside_kolla):
    """passwords.yml vault-encrypted, inline !vault values in globals.yml: read by the ansible-core
    kolla-ansible pins (2.17, 2.18 or 2.21), every password masked."""
    release, venv = beside_kolla
    # the repo's own series (a Valkey one), not the point release of the kolla-ansible installed beside it
    done = venv.run("coordcheck", "render", "--configdir", str(VAULTED / "etc/kolla"), "--inventory",
                    str(VAULTED / "multinode"), "--vault-password-file", str(VAULTED / "vault-password.txt"), "--json",
                    "--kolla-release", "23.0.0")
    assert done.returncode == 0, done.stderr[-2000:]
    rendered = json.loads(done.stdout)
    urls = [r["value"] for r in rendered["records"] if r["option"] == "backend_url"]
    assert not rendered["errors"] and urls
    assert all(u.startswith("redis://default:***@") and "sentinel_password=***" in u for u in urls), urls


def test_the_parallel_extra_resolves_a_pytest_whose_groups_hold(tmp_path):
    """pytest-xdist <= 3.8's --dist loadgroup does not work with pytest 9.2: the extra keeps pip off it."""
    venv = installs.parallel_extra()
    seen = _imports(venv)
    assert tuple(int(p) for p in seen["pytest"].split(".")[:2]) < (9, 2), seen
    (tmp_path / "test_groups.py").write_text(GROUPED_TESTS)
    done = venv.run("pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadgroup",
                    str(tmp_path / "test_groups.py"), cwd=tmp_path, env={"GROUPED": str(tmp_path)})
    assert done.returncode == 0, done.stdout[-2000:]
    assert len({(tmp_path / f"grouped-{n}").read_text() for n in range(6)}) == 1

