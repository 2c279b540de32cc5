"""coordcheck.kolla.target: the deployment a run checks, resolved once from the command line (inventory,
configdir, passwords.yml, hosts, flavor, addresses) — or one line saying what is wrong and where."""

import pytest

from coordcheck import kolla
from coordcheck.address import Address
from coordcheck.kolla import KollaError
from coordcheck.kolla.target import Target
from tests.kolla.bad_input import BAD_DEPLOYMENTS, write

INVENTORY = """
[control]
ctl1 ansible_host=10.0.2.110
ctl2 ansible_host=10.0.2.111

[storage]
stor1

[redis:children]
control

[cinder-volume:children]
storage
"""


@pytest.mark.parametrize("what, inventory, passwords, globals_yml, says", BAD_DEPLOYMENTS,
                         ids=[row[0] for row in BAD_DEPLOYMENTS])
def test_bad_deployment_input_is_one_line(tmp_path, what, inventory, passwords, globals_yml, says):
    write(tmp_path / "multinode", inventory)
    write(tmp_path / "passwords.yml", passwords)
    write(tmp_path / "globals.yml", globals_yml)
    with pytest.raises(KollaError) as caught:
        Target.load(tmp_path / "multinode", tmp_path)
    message = str(caught.value)
    assert says.format(d=tmp_path) in message
    assert "\n" not in message and "s3cret" not in message


def test_target_needs_a_backend_group(tmp_path):
    (tmp_path / "multinode").write_text("[control]\nctl1\n")
    (tmp_path / "passwords.yml").write_text("redis_master_password: x\n")
    with pytest.raises(kolla.KollaError, match="no hosts in group 'redis'"):
        Target.load(tmp_path / "multinode", tmp_path)


def test_target_needs_configdir(tmp_path):
    (tmp_path / "multinode").write_text("[redis]\nctl1\n")
    with pytest.raises(kolla.KollaError, match="is not a directory"):
        Target.load(tmp_path / "multinode", tmp_path / "nope")


@pytest.fixture
def deployment(tmp_path):
    (tmp_path / "multinode").write_text(INVENTORY)
    (tmp_path / "passwords.yml").write_text("redis_master_password: t4rget-pw\n")
    return tmp_path


def test_a_target_holds_its_hosts_flavor_and_sentinels(deployment):
    target = Target.load(deployment / "multinode", deployment)
    assert target.hosts == ["ctl1", "ctl2"] and target.flavor.name == "redis" and target.backend_hosts == ["ctl1", "ctl2"]
    assert target.sentinels == [Address("10.0.2.110", 26379), Address("10.0.2.111", 26379)]
    assert target.data_nodes == [Address("10.0.2.110", 6379), Address("10.0.2.111", 6379)]
    assert target.password.reveal() == "t4rget-pw" and "t4rget-pw" not in repr(target)
    assert (target.container_engine, target.service_containers) == ("docker", True)


def test_globals_yml_chooses_the_engine_and_the_hosts_of_coordinating_services(deployment):
    (deployment / "globals.yml").write_text('kolla_container_engine: podman\nenable_cinder: "yes"\n'
                                            "coordcheck_service_containers: no\n")
    target = Target.load(deployment / "multinode", deployment, hosts=None)
    assert target.hosts == ["stor1"]  # cinder-volume's group; no other service that coordinates is on
    assert (target.container_engine, target.service_containers) == ("podman", False)
    (deployment / "globals.yml").write_text("enable_cinder: no\n")
    with pytest.raises(KollaError, match="no enabled service that uses coordination has hosts"):
        Target.load(deployment / "multinode", deployment, hosts=None)
