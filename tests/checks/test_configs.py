"""The configuration checks (coordcheck/checks/configs.py) are pure: findings from hand-made service
configs and discoveries, no servers."""

import pytest

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.checks import configs as config_checks
from coordcheck.kolla.config_file import ServiceConfig, parse_url_into
from coordcheck.kolla.fixes import Expected
from coordcheck.observe.probe import Address, Discovery, SentinelAnswer
from coordcheck.secrets import Secret
from tests.checks.samples import EXPECTED, NO_SENTINEL_AUTH, PW, SENTINELS, URL, config, ids


def test_healthy_config_has_no_findings():
    configs = [config(), config(service="mistral-api")]
    assert config_checks.passwords_match(configs, EXPECTED) == []
    assert config_checks.sentinel_password_present(configs, EXPECTED) == []
    assert config_checks.sentinels_match_inventory(configs, EXPECTED) == []
    assert config_checks.urls_identical(configs, EXPECTED) == [] and config_checks.configs_private(configs) == []


def test_missing_sentinel_password_gives_the_fixed_url_masked():
    broken = config(urls.without_option(URL, "sentinel_password"))
    valkey = Expected(kolla.FLAVORS["valkey"], PW, EXPECTED.sentinel_hosts, True)
    [finding] = config_checks.sentinel_password_present([broken], valkey)
    assert finding.id == "SENTINEL_AUTH_MISSING"
    assert "valkey_connection_string_extras" in finding.fix and "{{ valkey_master_password }}" in finding.fix
    assert "s3cret" not in finding.render() and "&sentinel_password=***" in finding.fix


def test_no_finding_when_sentinels_need_no_password():
    broken = config(urls.without_option(URL, "sentinel_password"))
    assert config_checks.sentinel_password_present([broken], NO_SENTINEL_AUTH) == []


def test_sentinel_password_to_sentinels_without_one_is_a_warning_with_the_fix():
    [finding] = config_checks.sentinel_password_present([config()], NO_SENTINEL_AUTH)
    assert finding.id == "SENTINEL_AUTH_UNEXPECTED" and finding.severity == "warn"
    assert 'redis_connection_string_extras: "&db=0&socket_timeout=60&retry_on_timeout=yes"' in finding.fix
    assert "sentinel_password=***" not in finding.fix


def test_unknown_sentinel_auth_is_not_a_pass():
    unknown = Expected(kolla.FLAVORS["redis"], PW, EXPECTED.sentinel_hosts, None)
    assert ids(config_checks.sentinel_password_present([config()], unknown)) == ["SENTINEL_UNREACHABLE"]


def test_password_mismatch_names_the_part():
    [finding] = config_checks.passwords_match([config(URL.replace(":s3cret@", ":other@"))], EXPECTED)
    assert finding.id == "PASSWORD_MISMATCH" and "user:password part" in finding.evidence
    assert "corrected URL: redis://default:***@10.0.2.110:26379?sentinel=kolla" in finding.fix


@pytest.mark.parametrize("url, says", [
    (URL.replace(":s3cret@", ":%73%33cret@"), "the user:password part is percent-encoded"),
    (URL, None),
])
def test_url_encoding_slips(url, says):
    found = config_checks.passwords_match([config(url)], EXPECTED)
    assert ids(found) == (["URL_ENCODING"] if says else [])
    if says:
        assert says in found[0].evidence


def test_plus_in_a_query_password_is_a_space_to_tooz():
    plus = Secret("s3c+ret")
    url = URL.replace(":s3cret@", ":s3c+ret@").replace("sentinel_password=s3cret", "sentinel_password=s3c+ret")
    expected = Expected(kolla.FLAVORS["redis"], plus, EXPECTED.sentinel_hosts, True)
    [finding] = config_checks.passwords_match([config(url)], expected)
    assert finding.id == "URL_ENCODING" and "'+' becomes a space" in finding.evidence
    assert "s3c+ret" not in finding.render()


def test_an_ampersand_in_a_query_password_cuts_it_and_its_tail_is_no_option_to_remove():
    """tooz reads sentinel_password=s3c&k=1 as s3c and an option k: one slip, nothing of the password named."""
    cut = Secret("s3c&k=1")
    url = URL.replace(":s3cret@", ":s3c&k=1@").replace("sentinel_password=s3cret", "sentinel_password=s3c&k=1")
    expected = Expected(kolla.FLAVORS["redis"], cut, EXPECTED.sentinel_hosts, True)
    found = config_checks.passwords_match([config(url)], expected) + config_checks.url_options_known([config(url)],
                                                                                                     expected)
    assert ids(found) == ["URL_ENCODING"] and "ends them at '&'" in found[0].evidence
    assert "sentinel_password={{ redis_master_password | urlencode }}" in found[0].fix


def test_fallback_mismatch():
    wrong = config(URL.replace("10.0.2.112", "10.0.2.113"))
    assert ids(config_checks.sentinels_match_inventory([wrong], EXPECTED)) == ["FALLBACK_MISMATCH"]


def test_drift_that_only_a_password_makes_is_named():
    configs = [config(), config(service="mistral-api"), config(URL.replace(":s3cret@", ":old@"), host="ctl2")]
    [finding] = config_checks.urls_identical(configs, EXPECTED)
    assert finding.id == "URL_DRIFT" and "only in a password" in finding.evidence and finding.where.host == "ctl2"


def test_world_readable_config():
    assert ids(config_checks.configs_private([config(mode=0o644)])) == ["CONFIG_WORLD_READABLE"]


def test_unknown_option():
    [finding] = config_checks.url_options_known([config(URL + "&sentinel_pasword=x")], EXPECTED)
    assert finding.id == "URL_UNKNOWN_OPTION" and "sentinel_pasword" in finding.evidence


def test_discovery_reasons_are_classified():
    configs = [config()]
    found = Discovery([SentinelAnswer(SENTINELS[0], error="AuthenticationError: WRONGPASS invalid username-password pair"),
                       SentinelAnswer(SENTINELS[1], error="ConnectionError: Error 111 connecting. Connection refused."),
                       SentinelAnswer(SENTINELS[2], error="ResponseError: AUTH <password> called without any password configured for the default user")],
                      error="MasterNotFoundError: No master found for 'kolla'")
    assert sorted(ids(config_checks.discovery_findings(configs, found, EXPECTED))) == [
        "SENTINEL_AUTH_UNEXPECTED", "SENTINEL_AUTH_WRONG", "SENTINEL_UNREACHABLE"]


def test_master_user_wrong():
    found = Discovery([SentinelAnswer(SENTINELS[0], master_addr=Address("10.0.2.110", 6379))],
                      master_addr=Address("10.0.2.110", 6379),
                      master_error="AuthenticationError: WRONGPASS invalid username-password pair")
    admin = config(URL.replace("default:", "admin:"))
    assert ids(config_checks.discovery_findings([admin], found, EXPECTED)) == ["MASTER_USER_WRONG"]


def test_discovery_failed_when_no_sentinel_gives_a_reason():
    found = Discovery([SentinelAnswer(SENTINELS[0], master_addr=Address("10.0.2.110", 6379))],
                      error="MasterNotFoundError: No master found for 'kolla'")
    assert ids(config_checks.discovery_findings([config()], found, EXPECTED)) == ["DISCOVERY_FAILED"]


def test_url_naming_a_data_node_bypasses_sentinel_and_gets_kollas_url():
    direct = parse_url_into(ServiceConfig("ctl1", "cinder-volume", "cinder", "/etc/kolla/cinder-volume/cinder.conf",
                                          0o600), "redis://default:pw@10.0.2.110:6379?db=0&socket_timeout=60")
    found = config_checks.urls_parse([direct, config()], EXPECTED)
    assert ids(found) == ["URL_BYPASSES_SENTINEL"]
    assert "10.0.2.110:6379 itself" in found[0].evidence and "READONLY" in found[0].evidence
    assert "corrected URL: redis://default:***@10.0.2.110:26379?sentinel=kolla&sentinel_fallback=10.0.2.111:26379" \
        in found[0].advice
    assert "pw" not in found[0].render().replace("password", "")
    invalid = parse_url_into(ServiceConfig("ctl1", "cinder-volume", "cinder", "/x", 0o600),
                             "redis://default:pw@10.0.2.110:26379?sentinel=kolla&socket_timeout=x")
    assert ids(config_checks.urls_parse([invalid], EXPECTED)) == ["URL_INVALID"]
