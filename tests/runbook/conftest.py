"""Fixtures of the runbook's fast tests: a lab written and never started
(`LocalDeployment.write`: its inventory, passwords, service configs and
claimed address range, no process, so nothing answers there), and an
observer over it as the checklist makes one (testinfra hosts through the
inventory)."""

import pytest
import testinfra

from coordcheck import kolla
from coordcheck.kolla.target import Target
from coordcheck.lab.deployment import LocalDeployment
from coordcheck.runbook.observer import Observer


@pytest.fixture(scope="session")
def written_lab(tmp_path_factory):
    deployment = LocalDeployment(tmp_path_factory.mktemp("written") / "kolla")
    deployment.write(kolla.FLAVORS["redis"], None, sentinel_auth=True)
    try:
        yield deployment
    finally:
        deployment.down()   # its address range goes back


def observer_of(inventory, configdir, probe_from: str = "controller") -> Observer:
    """The checklist's observer of the deployment ``inventory`` describes (short timeouts: nothing answers)."""
    target = Target.load(inventory, configdir)
    return Observer(target, probe_timeout=0.5, tooz_deadline=2.0, probe_from=probe_from,
                    host_for=lambda name: testinfra.get_host(name, connection="ansible", ansible_inventory=str(inventory)))


@pytest.fixture
def observer(written_lab):
    return observer_of(written_lab.inventory, written_lab.root)
