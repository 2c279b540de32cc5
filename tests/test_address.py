"""coordcheck.address: a server's address, host and port, printed as a URL writes it."""

from coordcheck.address import Address


def test_an_address_prints_as_a_url_writes_it():
    assert [str(a) for a in (Address("10.0.2.110", 26379), Address("fd00::1", 6379), Address("ctl1", 26379))] == [
        "10.0.2.110:26379", "[fd00::1]:6379", "ctl1:26379"]


def test_an_address_is_a_value():
    seen = {Address("10.0.2.110", 26379): "sentinel"}
    assert seen[Address("10.0.2.110", 26379)] == "sentinel" and Address("10.0.2.110", 6379) not in seen
    host, port = Address("fd00::1", 6379)
    assert (host, port) == ("fd00::1", 6379) and sorted([Address("b", 1), Address("a", 2)])[0].host == "a"
