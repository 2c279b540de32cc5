"""Fixtures of the plugin's tests: ONE local deployment for every test of this
folder that runs the checklist on a lab (session-scoped, its users on one
xdist worker: tests of several files share it, as test_checklist.py's did),
the incident on it, a copy of the healthy config repository to break, and
runs as the plugin records them (for the outputs' tests)."""

from pathlib import Path

import pytest

from coordcheck.secrets import Secret
from tests.conftest import lab, run_cli
from tests.pytest_plugin import records
from tests.pytest_plugin.repos import copy_of_healthy

FOLDER = Path(__file__).parent
#: every test of this folder that uses the lab: on one worker (``--dist loadgroup``), so one lab starts
ONE_LAB = pytest.mark.xdist_group("pytest-plugin-lab")


@pytest.hookimpl(tryfirst=True)   # before xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(FOLDER) and "deployment" in getattr(item, "fixturenames", ()):
            item.add_marker(ONE_LAB)


@pytest.fixture(scope="session")
def deployment(tmp_path_factory):
    """A local deployment (``coordcheck up``) on a free address range of its own, for the folder."""
    with lab(tmp_path_factory.mktemp("deployment") / "kolla") as made:
        yield made


@pytest.fixture
def incident(deployment):
    """The lab with the incident (``coordcheck repro``), fixed after the test."""
    run_cli("repro", "--dir", str(deployment.root))
    yield deployment
    run_cli("fix", "--dir", str(deployment.root))


@pytest.fixture
def repo(tmp_path):
    """A copy of the healthy example repository, to break."""
    return copy_of_healthy(tmp_path)


@pytest.fixture
def incident_run():
    """A live run as the plugin records it: the incident on three hosts, a runner warning."""
    Secret(records.PW)  # known from here on: every output masks it
    return records.incident_run()


@pytest.fixture
def gate_run():
    """A gate run as the gate records it: one finding, places on four hosts, a consequence."""
    Secret(records.PW)
    return records.gate_run()
