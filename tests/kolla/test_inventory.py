"""coordcheck.kolla.inventory: Ansible inventories read with ansible-core itself — groups, hosts, Kolla's
addresses, --hosts patterns — and bad inventories in one clear line."""

import pytest

from coordcheck import kolla
from coordcheck.kolla.inventory import Inventory
from coordcheck.secrets import KNOWN
from tests.conftest import PROJECT

INVENTORY = """
[control]
ctl1 api_interface_address=10.0.2.110
ctl2 ansible_host=10.0.2.111
ctl3

[redis:children]
control

[cinder-volume]
ctl1

[empty]
"""


@pytest.fixture
def inventory(tmp_path):
    path = tmp_path / "multinode"
    path.write_text(INVENTORY)
    return Inventory.load(path)


def test_controllers_means_control(inventory):
    assert inventory.resolve("controllers") == ["ctl1", "ctl2", "ctl3"]


def test_hosts_and_groups_mix(inventory):
    assert inventory.resolve("cinder-volume,ctl3") == ["ctl1", "ctl3"]


@pytest.mark.parametrize("pattern, says", [
    ("nope", "no group or host 'nope'"),
    ("empty", "matches no host"),
    (" , ", "matches no host"),
])
def test_bad_host_patterns(inventory, pattern, says):
    with pytest.raises(kolla.KollaError, match=says):
        inventory.resolve(pattern)


def test_addresses_follow_kolla(inventory):
    assert [inventory.address(h) for h in ("ctl1", "ctl2", "ctl3")] == ["10.0.2.110", "10.0.2.111", "ctl3"]
    assert inventory.node_config_directory("ctl1") == "/etc/kolla"


@pytest.mark.parametrize("text, says", [
    (None, "does not exist"),
    ("[control\nctl1 a b c=\n", "cannot be parsed"),
    ("# nothing\n", "defines no hosts"),
])
def test_bad_inventories(tmp_path, text, says):
    path = tmp_path / "inv"
    if text is not None:
        path.write_text(text)
    with pytest.raises(kolla.KollaError, match=says) as caught:
        Inventory.load(path)
    assert "\n" not in str(caught.value)


def test_example_inventory_resolves_controllers_to_control():
    inventory = Inventory.load(PROJECT / "examples" / "multinode")
    assert inventory.resolve("controllers") == ["ctl1", "ctl2", "ctl3"]
    assert inventory.group_hosts("redis") == ["ctl1", "ctl2", "ctl3"]
    assert inventory.address("ctl2") == "10.0.2.111"


def test_groups_and_membership(inventory):
    assert {"control", "redis", "cinder-volume", "empty"} <= inventory.groups
    assert inventory.group_hosts("absent") == [] and inventory.group_hosts("empty") == []
    assert inventory.in_group("ctl1", "redis") and not inventory.in_group("ctl2", "cinder-volume")
    with pytest.raises(kolla.KollaError, match="host 'ctl9' is not in inventory"):
        inventory.host_vars("ctl9")


def test_group_vars_beside_the_inventory_are_read(tmp_path):
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "control.yml").write_text("node_config_directory: /srv/kolla\n")
    (tmp_path / "multinode").write_text("[control]\nctl1\n")
    assert Inventory.load(tmp_path / "multinode").node_config_directory("ctl1") == "/srv/kolla"


def test_connection_secrets_of_the_inventory_are_masked(tmp_path):
    (tmp_path / "multinode").write_text("[control]\nctl1 ansible_become_password=b3come-Pw\n\n"
                                        "[control:vars]\nldap_secret=gr0up-Secret\n")
    Inventory.load(tmp_path / "multinode")
    assert KNOWN.mask("sudo b3come-Pw ldap gr0up-Secret") == "sudo *** ldap ***"
