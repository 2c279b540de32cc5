"""coordcheck.kolla.config_file: a service's config as Kolla writes it, its [coordination] backend_url read
as tooz reads it — or one line saying why the service cannot use it (a failed check, never a traceback)."""

import pytest

from coordcheck.kolla.config_file import read_in_container, read_service_config
from tests.kolla.bad_input import BAD_CONFIG_FILES, BAD_DEPLOYMENTS, BAD_URLS

PATH = "/etc/kolla/cinder-volume/cinder.conf"
URL = "redis://default:s3cret@10.0.2.110:26379?sentinel=kolla&sentinel_fallback=10.0.2.111:26379"


@pytest.mark.parametrize("url, says", BAD_URLS)
def test_bad_backend_url_is_a_failed_check(url, says):
    config = read_service_config("ctl1", PATH, f"[coordination]\nbackend_url = {url}\n", 0o600)
    assert config is not None and config.url is None
    assert says in config.error and "\n" not in config.error and "s3cret" not in config.error


@pytest.mark.parametrize("text, says", BAD_CONFIG_FILES)
def test_bad_service_config_is_a_failed_check(text, says):
    config = read_service_config("ctl1", PATH, text, 0o600)
    assert config is not None and config.error and says in config.error
    assert "\n" not in config.error and "s3cret" not in config.error


def test_corpus_is_large_enough():
    assert len(BAD_URLS) + len(BAD_CONFIG_FILES) + len(BAD_DEPLOYMENTS) >= 30


def test_a_service_config_names_its_service_project_and_sentinels():
    config = read_service_config("ctl1", PATH, f"[DEFAULT]\ndebug = true\n[coordination]\nbackend_url = {URL}\n", 0o640)
    assert (config.host, config.service, config.project, config.mode, config.error) == (
        "ctl1", "cinder-volume", "cinder", 0o640, None)
    assert config.url.master_name == "kolla" and config.url.sentinels == [("10.0.2.110", 26379), ("10.0.2.111", 26379)]
    assert str(config.where) == f"host ctl1, service cinder-volume, file {PATH}"
    assert "s3cret" not in repr(config) and repr(config) == f"ServiceConfig(ctl1:{PATH})"


def test_a_file_without_coordination_is_no_service_config():
    assert read_service_config("ctl1", "/etc/kolla/nova-api/nova.conf", "[DEFAULT]\ndebug = true\n", 0o600) is None
    assert read_service_config("ctl1", PATH, "[other]\nbackend_url = redis://h\n", 0o600) is None


def test_the_copy_inside_a_container_is_read_as_the_hosts():
    host_copy = read_service_config("ctl1", PATH, f"[coordination]\nbackend_url = {URL}\n", 0o600)
    inside = read_in_container(host_copy, "cinder_volume", "/etc/cinder/cinder.conf",
                               f"[coordination]\nbackend_url = {URL}&db=1\n")
    assert (inside.service, inside.container, inside.mode, inside.error) == ("cinder-volume", "cinder_volume", None, None)
    assert inside.url.options["db"] == "1" and "(inside cinder_volume)" in inside.place.detail()
    missing = read_in_container(host_copy, "cinder_volume", "/etc/cinder/cinder.conf", "[DEFAULT]\n")
    assert missing.url is None and missing.error == "/etc/cinder/cinder.conf inside cinder_volume has no [coordination] backend_url"
    broken = read_in_container(host_copy, "cinder_volume", "/etc/cinder/cinder.conf", "backend_url = x\n")
    assert broken.error.startswith("cinder_volume:/etc/cinder/cinder.conf is not a valid config file")
