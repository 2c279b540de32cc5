"""coordcheck.kolla.render.builtin: the gate's built-in renderer — every consumer option Kolla would write
per host × service × file, Kolla's override merge order, where each value comes from, and every render
error named on each host it concerns."""

from coordcheck.kolla.render.builtin import merge_paths, put_address_in_context
from tests.kolla.hostile import render

PASSWORD = "8Uv6Y4mWcQqU3tXk2fZr"  # the healthy example's redis_master_password


def test_a_template_error_names_every_host_it_concerns(hostile_repo):
    (hostile_repo / "etc/kolla/config/cinder.conf").write_text("[coordination]\nbackend_url = {{ no_such_var }}\n")
    rendered = render(hostile_repo)
    hosts = {e.host for e in rendered.errors if "config/cinder.conf" in e.place}
    assert hosts == {"ctl1", "ctl2", "ctl3", "stor1"}, rendered.errors


def test_an_override_that_is_not_ini_names_every_host_it_concerns(hostile_repo):
    (hostile_repo / "etc/kolla/config/cinder.conf").write_text("backend_url = no section\n")
    rendered = render(hostile_repo)
    assert {e.host for e in rendered.errors if e.unreadable} == {"ctl1", "ctl2", "ctl3", "stor1"}


def test_each_service_gets_kollas_url_and_where_it_came_from(hostile_repo):
    records = render(hostile_repo).records
    assert {(r.host, r.service) for r in records if r.host == "stor1"} == {("stor1", "cinder-volume")}
    url = next(r for r in records if (r.host, r.service) == ("stor1", "cinder-volume"))
    assert url.value == (f"redis://default:{PASSWORD}@127.0.2.110:26379?sentinel=kolla&sentinel_fallback=127.0.2.111:26379"
                         f"&sentinel_fallback=127.0.2.112:26379&db=0&socket_timeout=60&retry_on_timeout=yes"
                         f"&sentinel_password={PASSWORD}")
    assert url.source.startswith("Kolla default (enable_redis from ") and "globals.yml:12" in url.source


def test_overrides_merge_in_kollas_order_the_host_file_last(hostile_repo):
    config = hostile_repo / "etc/kolla/config"
    (config / "cinder.conf").write_text("[coordination]\nbackend_url = redis://every-host:26379?sentinel=kolla\n")
    (config / "cinder" / "stor1").mkdir(parents=True)
    (config / "cinder" / "stor1" / "cinder.conf").write_text(
        "# stor1 only\n[coordination]\nbackend_url = redis://stor1-only:26379?sentinel=kolla\n")
    values = {(r.host, r.service): r for r in render(hostile_repo).records if r.option == "backend_url"}
    assert values[("stor1", "cinder-volume")].value == "redis://stor1-only:26379?sentinel=kolla"
    assert values[("stor1", "cinder-volume")].source.endswith("config/cinder/stor1/cinder.conf:3")
    assert values[("ctl1", "cinder-api")].value == "redis://every-host:26379?sentinel=kolla"
    assert values[("ctl1", "designate-worker")].value.startswith(f"redis://default:{PASSWORD}@")  # not cinder's file


def test_merge_paths_are_kollas_per_project():
    assert merge_paths("cinder", "cinder-volume", "stor1") == [
        "global.conf", "cinder.conf", "cinder/cinder-volume.conf", "cinder/stor1/cinder.conf"]
    assert merge_paths("nova", "nova-compute", "cmp1")[-1] == "nova/cmp1/nova-compute.conf"  # nova-cell's own
    assert merge_paths("glance", "glance-api", "ctl1")[-1] == "glance/ctl1/glance-api.conf"


def test_an_ipv6_address_is_bracketed_in_a_url_only():
    assert put_address_in_context("fd00::10") == "[fd00::10]"
    assert put_address_in_context("fd00::10", "memcache") == "fd00::10"
    assert put_address_in_context("10.0.2.110") == "10.0.2.110" and put_address_in_context("ctl1") == "ctl1"
