"""The run's single contact (`coordcheck.runbook.observer.Observer`), over a
lab written and never started: each host's service configs read once, the
master name the URLs ask for, a host whose configs cannot be read named
(CONFIG_MISSING), the reference URL when no sentinel answers, and every
URL's failure from the host it was probed on."""

from coordcheck import kolla
from tests.runbook.conftest import observer_of


def test_each_hosts_service_configs_are_read_once(observer, written_lab):
    configs = observer.configs("ctl1")
    assert [c.service for c in configs] == [s.service for h, s in written_lab.placement() if h == "ctl1"]
    assert all(c.url is not None and c.url.master_name == kolla.MASTER_NAME for c in configs)
    assert observer.configs("ctl1") is configs and observer.master_name == kolla.MASTER_NAME
    assert observer.unreachable("ctl1") is None   # a local connection runs commands
    assert len(observer.all_configs()) == sum(len(observer.configs(h)) for h in ("ctl1", "ctl2", "ctl3"))


def test_a_host_whose_configs_cannot_be_read_is_config_missing(written_lab, tmp_path):
    inventory = tmp_path / "multinode"
    inventory.write_text(written_lab.inventory.read_text().replace(
        f"node_config_directory={written_lab.root / 'ctl3'}", "node_config_directory=/nonexistent/kolla"))
    observer = observer_of(inventory, written_lab.root)
    assert observer.configs("ctl3") == ()
    assert "/nonexistent/kolla" in observer.config_errors["ctl3"]
    found = observer.client_findings("ctl3", with_handshake=False)
    assert [f.id for f in found] == ["CONFIG_MISSING"] and found[0].where.host == "ctl3"


def test_no_sentinel_answering_leaves_sentinel_auth_undecided_and_says_why(observer):
    assert observer.sentinels_require_password is None
    expected = observer.expected
    assert expected.sentinel_auth is None and expected.sentinel_auth_reason.startswith("no sentinel answered")
    assert expected.sentinel_hosts == tuple(observer.target.inventory.address(h) for h in observer.target.backend_hosts)


def test_every_url_fails_from_the_host_it_was_probed_on(observer):
    found = observer.client_findings("ctl2", with_handshake=True)
    assert found and {f.where.host for f in found} == {"ctl2"}
    assert "TOOZ_HANDSHAKE_FAILED" in {f.id for f in found}
    assert all("cause: SENTINEL_UNREACHABLE" in f.evidence for f in found if f.id == "TOOZ_HANDSHAKE_FAILED")
    assert observer.known_view("ctl2") is observer.at("ctl2") and observer.known_view("ctl3") is None
    assert observer.default is observer.at("ctl1")   # the run's reference answers: the first host's
