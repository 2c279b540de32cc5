"""coordcheck.kolla.render.venvs: a kolla-ansible release in a venv of its own, with the collections Galaxy
would bring, made once (cached) — or one line saying what failed."""

import pytest

from coordcheck.kolla.render import installed as ka
from coordcheck.kolla.render.venvs import KollaAnsibleError, install
from tests.kolla import oracle


def test_install_is_cached_and_idempotent(release):
    name, venv = release
    assert ka.install(name, oracle.VENVS) == venv
    assert (venv / "share/kolla-ansible/ansible/site.yml").exists()
    assert (venv / "collections/ansible_collections/ansible/utils").is_dir()


def test_install_failure_is_one_line(tmp_path):
    with pytest.raises(ka.KollaAnsibleError) as e:
        ka.install("0.0.0-no-such-release", tmp_path)
    assert "\n" not in str(e.value) and "pip install" in str(e.value)


def test_a_venv_marked_installed_is_taken_as_it_is(tmp_path):
    marked = tmp_path / "20.3.0"
    marked.mkdir()
    (marked / ".coordcheck-installed").write_text("20.3.0 ansible-core 2.18.0 collections from ansible 11.13.0\n")
    assert install("20.3.0", tmp_path) == marked  # nothing is run: no python, no pip
    assert sorted(p.name for p in marked.iterdir()) == [".coordcheck-installed"]


def test_a_release_without_a_python_for_it_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no python3.12 or 3.13 here; HOME's pyenv neither
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(KollaAnsibleError, match=r"^kolla-ansible 23.0.0 needs Python >= 3.12, none found$"):
        install("23.0.0", tmp_path / "venvs")
