"""coordcheck installs beside OpenStack's test stacks: no top-level package
but ``coordcheck`` (the PyPI ``fixtures`` package, which oslotest and tooz's
tests import, keeps working), the plugin under ``coordcheck.``."""

import shutil
import subprocess
import sys

from tests.conftest import PROJECT


def test_pip_install_leaves_the_pypi_fixtures_package_alone(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "fixtures"], check=True, capture_output=True)
    source = tmp_path / "source"  # the sources alone: a build/ left in the checkout would add its packages
    shutil.copytree(PROJECT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".cache", "build", "*.egg-info", "__pycache__", ".hypothesis"))
    subprocess.run([*pip, "--no-deps", str(source)], check=True, capture_output=True)
    probe = ("import fixtures, coordcheck, importlib.metadata as m; "
             "print(fixtures.Fixture.__module__); "
             "print([e.value for e in m.entry_points(group='pytest11') if e.name == 'coordcheck']); "
             "print(sorted({f.parts[0] for f in m.files('coordcheck') if f.suffix == '.py'}))")
    done = subprocess.run([str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=True,
                          cwd=tmp_path)  # not the checkout: its egg-info would answer
    module, entry_point, top_level = done.stdout.splitlines()
    assert module == "fixtures.fixture"
    assert entry_point == "['coordcheck.pytest_plugin.plugin']"
    assert top_level == "['coordcheck']"
