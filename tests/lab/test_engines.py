"""The lab's container engines: its own docker-compose file (its backends'
addresses, its project's container names, no password), and the status of
the containers it would run."""

import pytest
import yaml

from coordcheck import kolla
from coordcheck.lab.compose_engine import project
from coordcheck.lab.deployment import LocalDeployment


@pytest.fixture(scope="module")
def compose_lab(tmp_path_factory):
    """A lab written for `up --engine compose`, its containers never started (the tests only read it)."""
    lab = LocalDeployment(tmp_path_factory.mktemp("compose") / "kolla")
    lab.write(kolla.FLAVORS["redis"], None, sentinel_auth=True, servers="compose")
    yield lab
    lab.down()


def test_the_labs_compose_file_is_its_own(compose_lab):
    text = compose_lab.compose_file.read_text()
    assert text == compose_lab.compose_text(True)
    services = yaml.safe_load(text)["services"]
    names = {s["container_name"] for s in services.values()}
    assert names == {compose_lab.compose_container(h, k) for h in ("ctl1", "ctl2", "ctl3") for k in ("server", "sentinel")}
    assert all(name.startswith(project(compose_lab.root) + "-ctl") for name in names)
    commands = " ".join(s["command"][0] for s in services.values())
    assert all(f"bind {ip}" in commands for ip in compose_lab.sentinel_addresses())
    has_password = compose_lab.password().reveal() in text
    assert not has_password   # it comes from the environment at `compose up`


def test_a_compose_file_without_sentinel_auth_has_no_sentinel_requirepass(compose_lab):
    sentinels = [s["command"][0] for name, s in yaml.safe_load(compose_lab.compose_text(False))["services"].items()
                 if name.endswith("-sentinel")]
    assert len(sentinels) == 3 and not any("requirepass" in command for command in sentinels)
    assert all("auth-pass" in command for command in sentinels)


def test_containers_not_started_are_absent(compose_lab):
    status = compose_lab.container_status()
    assert sorted(status) == sorted((h, compose_lab.compose_container(h, k), "absent")
                                    for h in ("ctl1", "ctl2", "ctl3") for k in ("server", "sentinel"))


def test_a_lab_of_processes_has_no_containers(written_lab):
    assert written_lab.container_status() == []
    assert not written_lab.compose_file.exists()
