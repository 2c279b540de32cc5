"""Reading a Kolla deployment: passwords.yml, globals.yml, inventories (with
ansible-core) and service configs. Bad input gives one clear line."""

import pytest
import testinfra

from coordcheck import kolla
from coordcheck.observe import host_configs
from coordcheck.kolla import variables
from coordcheck.kolla.inventory import Inventory
from coordcheck.secrets import Secret
from coordcheck.kolla.target import Target

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


@pytest.mark.parametrize("text, says", [
    (None, "does not exist"),
    ("ok: 1\na: b: c\n", "line 2 is not valid YAML"),
    ("- a\n- b\n", "must hold a YAML mapping, not list"),
    (b"\xff\xfe\x00junk", "cannot be read"),
    ("$ANSIBLE_VAULT;1.1;AES256\n3132\n", "is ansible-vault encrypted: give --vault-password-file"),
])
def test_bad_yaml(tmp_path, text, says):
    path = tmp_path / "passwords.yml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text)
    with pytest.raises(kolla.KollaError, match=says):
        variables.load_mapping(path, "passwords file")


@pytest.mark.parametrize("passwords, says", [
    ({}, "has no redis_master_password"),
    ({"redis_master_password": ""}, "has no redis_master_password"),
    ({"redis_master_password": ["x"]}, "is not a string"),
])
def test_bad_master_password(tmp_path, passwords, says):
    with pytest.raises(kolla.KollaError, match=says):
        kolla.master_password(passwords, kolla.FLAVORS["redis"], tmp_path / "passwords.yml")


@pytest.mark.parametrize("globals_yml, groups, passwords, flavor", [
    ({"enable_valkey": "yes"}, {"redis"}, {}, "valkey"),
    ({"enable_redis": True}, set(), {}, "redis"),
    ({}, {"valkey"}, {}, "valkey"),
    ({}, set(), {"valkey_master_password": "x"}, "valkey"),
    ({}, set(), {}, "redis"),
])
def test_flavor(globals_yml, groups, passwords, flavor):
    assert kolla.flavor_of(globals_yml, groups, passwords).name == flavor


def test_connection_string_like_kolla():
    url = kolla.connection_string(kolla.FLAVORS["valkey"], ["a", "b", "c"], Secret("pw")).reveal()
    assert url == ("redis://default:pw@a:26379?sentinel=kolla&sentinel_fallback=b:26379"
                   "&sentinel_fallback=c:26379&db=0&socket_timeout=60&retry_on_timeout=yes")


def test_backend_url_only_from_coordination_section():
    assert kolla.backend_url_of("[other]\nbackend_url = x\n", "f") is None
    assert kolla.backend_url_of("[DEFAULT]\nbackend_url = x\n", "f") is None


def test_broken_config_file_is_one_line():
    with pytest.raises(kolla.KollaError, match="f.conf is not a valid config file") as caught:
        kolla.backend_url_of("backend_url = redis://default:SECRET@h\n", "f.conf")
    assert "SECRET" not in str(caught.value)


def test_discovery_reads_every_service_config_on_a_host(tmp_path):
    (tmp_path / "cinder-volume").mkdir()
    (tmp_path / "cinder-volume" / "cinder.conf").write_text(
        "[coordination]\nbackend_url = redis://default:pw@h:26379?sentinel=kolla\n")
    (tmp_path / "nova-api").mkdir()
    (tmp_path / "nova-api" / "nova.conf").write_text("[DEFAULT]\ndebug = true\n")
    (tmp_path / "gnocchi-api").mkdir()
    (tmp_path / "gnocchi-api" / "gnocchi.conf").write_text("[coordination]\nbackend_url = redis://h?db=0\n")
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "odd.conf").write_text("[storage]\nbackend_url = file:///x\n")
    found = host_configs.discover(testinfra.get_host("local://"), "ctl1", str(tmp_path))
    assert [(c.service, c.project, c.error is None) for c in found] == [
        ("cinder-volume", "cinder", True), ("gnocchi-api", "gnocchi", False)]
    assert "no sentinel=" in found[1].error


def test_discovery_of_missing_directory_says_so(tmp_path):
    with pytest.raises(kolla.KollaError, match="does not exist on host ctl1"):
        host_configs.discover(testinfra.get_host("local://"), "ctl1", str(tmp_path / "nope"))


def test_target_needs_a_backend_group(tmp_path):
    (tmp_path / "multinode").write_text("[control]\nctl1\n")
    (tmp_path / "passwords.yml").write_text("redis_master_password: x\n")
    with pytest.raises(kolla.KollaError, match="no hosts in group 'redis'"):
        Target.load(tmp_path / "multinode", tmp_path)


def test_target_needs_configdir(tmp_path):
    (tmp_path / "multinode").write_text("[redis]\nctl1\n")
    with pytest.raises(kolla.KollaError, match="is not a directory"):
        Target.load(tmp_path / "multinode", tmp_path / "nope")


def test_example_inventory_resolves_controllers_to_control():
    from tests.conftest import PROJECT
    inventory = Inventory.load(PROJECT / "examples" / "multinode")
    assert inventory.resolve("controllers") == ["ctl1", "ctl2", "ctl3"]
    assert inventory.group_hosts("redis") == ["ctl1", "ctl2", "ctl3"]
    assert inventory.address("ctl2") == "10.0.2.111"
