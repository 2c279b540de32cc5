"""coordcheck.observe.host_configs: every service config on a host that carries [coordination] backend_url,
read through the host (testinfra), each parsed as tooz reads it."""

import pytest
import testinfra

from coordcheck import kolla
from coordcheck.observe import host_configs


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
