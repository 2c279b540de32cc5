"""Compose for `coordcheck up --engine compose`: v2 when the Docker CLI has
it, else v1, else one line naming the package; one project per lab folder."""

import subprocess

import pytest

from coordcheck.lab import compose_engine
from coordcheck.lab.compose_engine import ComposeError


def test_the_command_found_runs():
    done = subprocess.run([*compose_engine.command(), "version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_no_compose_is_one_line_naming_the_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))   # neither docker nor docker-compose there
    with pytest.raises(ComposeError) as raised:
        compose_engine.command()
    assert str(raised.value) == ("neither `docker compose` nor `docker-compose` is installed "
                                 "(apt-get install docker-compose)")


def test_one_project_per_lab_folder(tmp_path):
    first, second = compose_engine.project(tmp_path / "a"), compose_engine.project(tmp_path / "b")
    assert first == compose_engine.project(tmp_path / "a") and first != second
    assert first.startswith("coordcheck-") and len(first) == len("coordcheck-") + 10


def test_a_project_never_started_has_no_containers(tmp_path):
    assert compose_engine.states(tmp_path / "never-up") == {}
