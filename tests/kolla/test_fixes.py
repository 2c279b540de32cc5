"""coordcheck.kolla.fixes: how to fix a coordination URL in Kolla — the URL Kolla would render, once for
every service through the extras or per service, then reconfigure — and how a fix is printed once
(`merged_fix_lines`): the container run gives one fix per service container, alike but for the project."""

import urllib.parse

import jinja2
import pytest

from coordcheck import kolla
from coordcheck.kolla.config_file import read_service_config
from coordcheck.kolla.fixes import INDENT, Expected, extras_for, merged_fix_lines, project_of, reconfigure
from coordcheck.kolla.releases import build
from coordcheck.secrets import Secret

HOSTS = ("10.0.2.110", "10.0.2.111", "10.0.2.112")
URL = ("redis://default:pw@10.0.2.110:26379?sentinel=kolla&sentinel_fallback=10.0.2.111:26379"
       "&sentinel_fallback=10.0.2.112:26379&db=0&socket_timeout=60&retry_on_timeout=yes")


def config(service: str, project: str):
    return read_service_config("ctl1", f"/etc/kolla/{service}/{project}.conf",
                               f"[coordination]\nbackend_url = {URL}\n", 0o600)


def test_fixes_alike_but_for_the_project_print_once_with_every_project():
    expected = Expected(kolla.FLAVORS["redis"], Secret("pw"), HOSTS, True)
    fixes = [expected.add_sentinel_password([config(s, p)]) for s, p in
             (("designate-worker", "designate"), ("cinder-volume", "cinder"), ("masakari-api", "masakari"),
              ("mistral-api", "mistral"))]
    assert len(set(fixes)) == 4
    lines = merged_fix_lines(fixes)
    assert len(lines) == 5 and sum("once for every service" in line for line in lines) == 1
    assert lines[3].startswith("or per service: config/<project>.conf (config/cinder.conf, config/designate.conf, "
                               "config/masakari.conf, config/mistral.conf) [coordination]")
    assert lines[4] == "then: kolla-ansible -i INVENTORY reconfigure --tags cinder,designate,masakari,mistral"
    assert all(line == line.strip() for line in lines)


def test_other_fixes_keep_their_lines_once_in_order():
    assert merged_fix_lines(["a\n   b", "b\n c", "a"]) == ["a", "b", "c"]


def test_the_fix_that_removes_a_sentinel_password_gives_kollas_url_without_it():
    expected = Expected(kolla.FLAVORS["redis"], Secret("pw"), HOSTS, False)
    lines = expected.remove_sentinel_password([config("cinder-volume", "cinder")]).splitlines()
    assert [line.strip() for line in lines] == [
        "remove sentinel_password from backend_url (the sentinels have no password)",
        f"corrected URL: {URL.replace(':pw@', ':***@')}",
        'in Kolla, once for every service: globals.yml: redis_connection_string_extras: '
        '"&db=0&socket_timeout=60&retry_on_timeout=yes"',
        "or per service: config/<project>.conf (config/cinder.conf) [coordination] backend_url = <corrected URL>",
        "then: kolla-ansible -i INVENTORY reconfigure --tags cinder"]
    assert "pw" not in expected.remove_sentinel_password([config("cinder-volume", "cinder")]).replace("password", "")


def test_with_no_sentinel_host_no_url_can_be_rendered():
    expected = Expected(kolla.FLAVORS["valkey"], Secret("pw"), (), None)
    assert expected.url() == "" and repr(expected) == "Expected(valkey, (), sentinel_auth=None)"
    assert "corrected URL: none can be rendered: the inventory's valkey group has no hosts" in expected.fix(
        [config("mistral-api", "mistral")], "change it")


def test_the_extras_keep_the_operators_options_with_tooz_names():
    valkey = Expected(kolla.FLAVORS["valkey"], Secret("a1b2"), ("10.0.2.110",), True)
    extras = extras_for("&db=0&socket_timout=5&sentinel_password=old&colour=red&flag", valkey.sentinel_password_value())
    assert extras == "&db=0&socket_timeout=5&sentinel_password={{ valkey_master_password }}"
    assert extras_for("&sentinel_password=old", None) == ""


@pytest.mark.parametrize("password, encoded", [("Ab3xY7", False), ("Ab3/xY:7@q", False), ("Ab3&k=1", True),
                                               ("Ab3%40x", True), ("Ab3+x", True)])
def test_a_password_tooz_would_decode_or_cut_in_the_query_goes_through_urlencode(password, encoded):
    """Query values are percent-decoded ('+' a space) and end at '&': what Jinja's urlencode writes survives."""
    value = Expected(kolla.FLAVORS["redis"], Secret(password), ("10.0.2.110",), True).sentinel_password_value()
    assert value == ("{{ redis_master_password | urlencode }}" if encoded else "{{ redis_master_password }}")
    written = jinja2.Environment().from_string(value).render(redis_master_password=password)
    assert urllib.parse.parse_qs(f"sentinel_password={written}")["sentinel_password"] == [password]


def test_reconfigure_names_each_project_once_sorted():
    assert reconfigure({"mistral", None, "cinder", ""}) == "kolla-ansible -i INVENTORY reconfigure --tags cinder,mistral"
    assert project_of(build("23.0.0"), "designate-worker") == "designate" and project_of(build("23.0.0"), "x") is None


def test_a_password_no_url_can_carry_is_to_be_changed_with_the_servers_reconfigured():
    """tooz reads Kolla's URL back (its own parse): a / ? # [ ] ends or breaks the user:password part."""
    for password in ("a/b", "a?b", "a#b", "a[b", "a]b", "a?sentinel=x"):
        expected = Expected(kolla.FLAVORS["redis"], Secret(password), HOSTS, True)
        assert expected.password_unusable().startswith("redis_master_password holds a character (/ ? # [ ])")
        assert expected.fix([config("cinder-api", "cinder")], "change it").split(INDENT) == [
            "set redis_master_password in passwords.yml to a password without / ? # [ ] {{ {% {# (kolla-genpwd makes "
            "letters and digits)", f"corrected URL: none: {expected.password_unusable()}",
            "then: kolla-ansible -i INVENTORY reconfigure --tags cinder,redis"]
    templated = Expected(kolla.FLAVORS["redis"], Secret("a{{b}}c"), HOSTS, True)
    assert templated.password_templated().startswith("redis_master_password holds Jinja")
    assert templated.password_unusable() is None  # as written it fits a URL: Kolla's render is what fails
    for password in ("a&b=c", "a@b:c", "a%40b", "a+b c", "pw", "a{b}c"):
        expected = Expected(kolla.FLAVORS["valkey"], Secret(password), HOSTS, True)
        assert expected.password_unusable() is None and expected.password_templated() is None
        assert "corrected URL: redis://default:***@10.0.2.110:26379?" in expected.fix([config("cinder-api", "cinder")],
                                                                                       "change it")
