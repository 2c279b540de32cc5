"""backend_url parsing, masking and fixing: pure functions, read as tooz reads."""

from urllib.parse import quote

import pytest

from coordcheck import url as urls
from coordcheck.secrets import Secret

INCIDENT = ("redis://default:PW@10.0.2.110:26379?sentinel=kolla&sentinel_fallback=10.0.2.111:26379"
            "&sentinel_fallback=10.0.2.112:26379&db=0&socket_timeout=60&retry_on_timeout=yes")


def test_incident_url_parses_like_tooz():
    url = urls.parse(INCIDENT)
    assert url.master_name == "kolla"
    assert url.sentinels == [("10.0.2.110", 26379), ("10.0.2.111", 26379), ("10.0.2.112", 26379)]
    assert url.username == "default" and url.password == Secret("PW")
    assert url.sentinel_password is None
    assert url.unknown_options == []


def test_netloc_password_is_not_percent_decoded_but_query_is():
    url = urls.parse("redis://default:p%40ss@h:26379?sentinel=kolla&sentinel_password=p%40ss+x")
    assert url.password.reveal() == "p%40ss"
    assert url.sentinel_password.reveal() == "p@ss x"


def test_last_value_wins_except_sentinel_fallback():
    url = urls.parse("redis://h:26379?sentinel=a&sentinel=kolla&db=1&db=2&sentinel_fallback=x:1&sentinel_fallback=y:2")
    assert url.master_name == "kolla" and url.options["db"] == "2"
    assert url.sentinels[1:] == [("x", 1), ("y", 2)]


def test_typo_is_an_unknown_option():
    assert urls.parse(INCIDENT + "&sentinel_pasword=PW").unknown_options == ["sentinel_pasword"]


@pytest.mark.parametrize("text, says", [
    ("", "empty"),
    ("redis://h:notaport?sentinel=kolla", "cannot be parsed"),
    ("memcached://h:11211?sentinel=kolla", "does not start with redis://"),
    ("redis://:26379?sentinel=kolla", "names no host"),
    ("redis://h:26379?db=0", "no sentinel="),
    ("redis://h:26379?sentinel=kolla&sentinel_fallback=nohostport", "is not host:port"),
    ("redis://h:26379?sentinel=kolla&db=zero", "db='zero' is not int"),
    ("redis://h:26379?sentinel=kolla&socket_timeout=soon", "socket_timeout='soon' is not float"),
])
def test_unusable_urls_say_why(text, says):
    with pytest.raises(urls.URLError, match=says):
        urls.parse(text)


def test_error_messages_are_masked():
    with pytest.raises(urls.URLError) as caught:
        urls.parse("redis://default:TOPSECRET@h:26379?db=0&sentinel_password=TOPSECRET")
    assert "TOPSECRET" not in str(caught.value)


@pytest.mark.parametrize("text, masked", [
    (INCIDENT, INCIDENT.replace(":PW@", ":***@")),
    ("redis://u:a@b@h:1?sentinel_password=x&db=0", "redis://u:***@h:1?sentinel_password=***&db=0"),
    ("not a url sentinel_password=x y", "not a url sentinel_password=*** y"),
    ("redis://h:1?foo&sentinel_password=", "redis://h:1?***&sentinel_password=***"),
])
def test_mask(text, masked):
    assert urls.mask(text) == masked


def test_fix_adds_percent_encoded_sentinel_password_once():
    fixed = urls.with_sentinel_password(INCIDENT + "&sentinel_password=old", Secret("p@ss word"))
    assert fixed.count("sentinel_password=") == 1
    assert urls.parse(fixed).sentinel_password.reveal() == "p@ss word"
    assert fixed.startswith(INCIDENT)


def test_repr_never_shows_a_password():
    url = urls.parse(INCIDENT + "&sentinel_password=PW")
    assert "PW" not in repr(url) and "PW" not in f"{url.password} {url.sentinel_password}"


def test_corrected_url_writes_each_option_once_with_the_value_tooz_would_use():
    """The lab's URL_UNKNOWN_OPTION (``&socket_timout=5`` after Kolla's ``socket_timeout=60``):
    renamed, it would repeat socket_timeout; tooz takes the last value, so that one stays."""
    broken = ("redis://default:pw@10.0.2.110:26379?sentinel=kolla&sentinel_fallback=10.0.2.111:26379"
              "&sentinel_fallback=10.0.2.112:26379&db=0&socket_timeout=60&retry_on_timeout=yes&socket_timout=5")
    fixed = urls.corrected(broken)
    assert fixed.count("socket_timeout=") == 1 and fixed.endswith("&retry_on_timeout=yes&socket_timeout=5")
    assert fixed.count("sentinel_fallback=") == 2   # a list: every value kept
    with_password = urls.with_sentinel_password(broken, Secret("pw2"))
    assert with_password.count("socket_timeout=") == 1 and with_password.count("sentinel_password=") == 1


@pytest.mark.parametrize("password", ["Zq/9#x?k&w=p%40", "a?b&c=d", "p@ss:w/rd", "x#y?z=0"])
def test_the_fixes_keep_a_password_with_url_characters_whole_and_mask_all_of_it(password):
    """Kolla writes the password as it is: ``? & #`` inside the user:password part are not the query."""
    kolla_url = INCIDENT.replace(":PW@", f":{password}@")
    fixed = urls.with_sentinel_password(kolla_url + "&sentinel_pasword=x", Secret(password))
    assert fixed == f"{kolla_url}&sentinel_password={quote(password, safe='')}"
    assert urls.without_option(fixed, "sentinel_password") == kolla_url == urls.corrected(kolla_url)
    assert urls.mask(fixed) == urls.mask(INCIDENT) + "&sentinel_password=***"
