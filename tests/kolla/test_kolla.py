"""coordcheck.kolla (the package): Kolla's names per flavor, how Kolla builds the coordination URL, which
flavor a deployment uses, and a service config's [coordination] backend_url — bad input in one line."""

import pytest

from coordcheck import kolla
from coordcheck.secrets import Secret


@pytest.mark.parametrize("passwords, says", [
    ({}, "has no redis_master_password"),
    ({"redis_master_password": ""}, "redis_master_password is empty"),
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


def test_a_master_password_is_a_secret_that_never_prints(tmp_path):
    password = kolla.master_password({"valkey_master_password": 4242}, kolla.FLAVORS["valkey"], tmp_path / "p.yml")
    assert password.reveal() == "4242" and "4242" not in f"{password} {password!r}"


def test_the_groups_of_enabled_services_that_coordinate():
    groups = {"cinder-volume", "cinder-api", "designate-worker", "mistral-api", "nova-compute"}
    assert kolla.coordination_groups(groups, {"enable_cinder": "yes", "enable_designate": "no",
                                              "enable_mistral": True}) == ["cinder-api", "cinder-volume", "mistral-api"]
    assert kolla.coordination_groups(groups, {}) == []


@pytest.mark.parametrize("value, truth", [("yes", True), (" True ", True), ("1", True), ("on", True), (True, True),
                                          ("no", False), ("false", False), ("", False), (None, False), (0, False)])
def test_truthy_reads_ansible_booleans(value, truth):
    assert kolla.truthy(value) is truth
