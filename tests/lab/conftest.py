"""Labs for the lab's own tests, cheaper than `coordcheck up`'s three
backends: one only written (its files and a claimed range, nothing
started), one whose ctl1 runs a data node and a sentinel (real processes,
up in about a second) beside a ctl2 that runs nothing."""

import pytest

from coordcheck import kolla
from coordcheck.lab.deployment import LocalDeployment
from tests.lab.diagnosis import Labs


@pytest.fixture
def written_lab(tmp_path):
    """A lab `LocalDeployment.write` wrote (random password) and nothing started; `down` after."""
    lab = LocalDeployment(tmp_path / "kolla")
    lab.write(kolla.FLAVORS["redis"], None, sentinel_auth=True)
    yield lab
    lab.down()


@pytest.fixture(scope="module")
def one_backend_lab(tmp_path_factory):
    """ctl1: a data node and a sentinel, authenticated; ctl2: an address of the lab, nothing on it."""
    lab = LocalDeployment(tmp_path_factory.mktemp("one-backend") / "kolla")
    lab.up(kolla.FLAVORS["redis"], controllers=2, backends=1)
    yield lab
    lab.down()


@pytest.fixture(scope="module")
def labs(tmp_path_factory):
    """The module's labs that scenarios take turns on (tests/lab/diagnosis.py's Labs), down at its end."""
    made = Labs(tmp_path_factory)
    yield made
    made.close()
