"""The service configs of a host that carry ``[coordination] backend_url``,
found in one command per host (here through testinfra's local backend, on
real files): a config with a URL, one whose section has none, one that is
not text, one too large; the consumers' own configs by their files."""

import pytest
import testinfra

from coordcheck.consumers import CONSUMERS
from coordcheck.kolla import KollaError
from coordcheck.observe import host_configs

URL = "redis://default:pw@127.0.5.110:26379?sentinel=kolla&sentinel_password=pw"


@pytest.fixture(scope="module")
def host():
    return testinfra.get_host("local://")


def config(root, service: str, name: str, content: bytes, mode: int = 0o600):
    path = root / service / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    path.chmod(mode)
    return path


def test_each_config_with_coordination_is_found_with_its_mode(host, tmp_path):
    config(tmp_path, "cinder-volume", "cinder.conf", f"[coordination]\nbackend_url = {URL}\n".encode(), 0o640)
    config(tmp_path, "nova-api", "nova.conf", b"[DEFAULT]\ndebug = False\n")
    config(tmp_path, "designate-worker", "designate.conf", b"[coordination]\nheartbeat = 1\n")
    config(tmp_path, "mistral-api", "mistral.conf", b"\x00\xff binary\n")
    found = {c.service: c for c in host_configs.discover(host, "ctl1", str(tmp_path))}
    assert sorted(found) == ["cinder-volume", "designate-worker", "mistral-api"]   # nova has no coordination
    cinder = found["cinder-volume"]
    assert (cinder.host, cinder.project, cinder.mode, cinder.error) == ("ctl1", "cinder", 0o640, None)
    assert cinder.url.sentinels == [("127.0.5.110", 26379)]
    assert "has a [coordination] section without backend_url" in found["designate-worker"].error
    assert found["mistral-api"].unreadable and "is not text" in found["mistral-api"].error


def test_a_config_too_large_is_not_read(host, tmp_path):
    big = config(tmp_path, "cinder-volume", "cinder.conf",
                 b"[coordination]\nbackend_url = x\n" + b"#" * host_configs.MAX_CONFIG_BYTES)
    [found] = host_configs.discover(host, "ctl1", str(tmp_path))
    assert found.unreadable and found.error == f"{big} is larger than 4 MB: not a service config"


def test_a_missing_node_config_directory_is_one_line(host, tmp_path):
    with pytest.raises(KollaError, match=f"node_config_directory {tmp_path / 'kolla'} does not exist on host ctl2"):
        host_configs.discover(host, "ctl2", str(tmp_path / "kolla"))


def test_the_consumers_are_found_by_their_files_when_they_use_redis(host, tmp_path):
    config(tmp_path, "octavia-worker", "octavia.conf", b"[task_flow]\njobboard_enabled = true\n")
    config(tmp_path, "octavia-api", "octavia.conf", b"[task_flow]\njobboard_enabled = false\n")
    config(tmp_path, "gnocchi-metricd", "gnocchi.conf", b"[incoming]\nredis_url = redis://x\n")
    found = host_configs.discover_consumers(host, "ctl1", str(tmp_path))
    assert [(service, consumer.name) for service, consumer, _ in found] == [
        ("gnocchi-metricd", "gnocchi"), ("octavia-worker", "octavia-jobboard")]
    assert found[1][1] is CONSUMERS["octavia-jobboard"] and found[1][2] == str(tmp_path / "octavia-worker/octavia.conf")


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
    with pytest.raises(KollaError, match="does not exist on host ctl1"):
        host_configs.discover(testinfra.get_host("local://"), "ctl1", str(tmp_path / "nope"))
