"""The wire under every probe: a raw PING read under a wall-clock bound
names a server that does not speak RESP (issue 10, item 5) by its first
bytes (escaped, masked) within the probe timeout, with no redis-py
traceback; a healthy or password-protected server still speaks RESP."""

import time

import pytest
import redis

from coordcheck.checks import servers as checks
from coordcheck.findings import render
from coordcheck.observe import probe, wire
from coordcheck.secrets import Secret
from tests.observe.probing import PW, SLACK, TIMEOUT, assert_clean, timed
from tests.observe.servers import free_port


# -- the hello: RESP or not, from the first bytes -----------------------------------
@pytest.mark.parametrize("data, verdict", [
    (b"+PONG\r\n", "resp"),
    (b"-NOAUTH Authentication required.\r\n", "resp"),
    (b"-DENIED Redis is running in protected mode\r\n", "resp"),
    (b"+PO", None),
    (b"-ERR slow", None),
    (b"-ERR x\r", None),
    (b"+PONG\r\n+PONG\r\n", "garbage"),     # bytes nobody asked for
    (b"+OK\r\n", "garbage"),
    (b"HTTP/1.1 400 Bad Request\r\n", "garbage"),
    (b"\x00\xff", "garbage"),
    (b"-ERR \x1b[31m\r\n", "garbage"),
    (b"-\r\n", "garbage"),
    (b"-" + b"A" * 600, "long"),
])
def test_first_bytes_are_judged(data, verdict):
    assert probe._judge(data) == verdict


def test_what_a_foreign_server_sent_is_shown_escaped_short_and_masked():
    text = probe.shown(b"\x1b[2J\x00requirepass s3cret-Pw/#?&\r\n" + b"x" * 500, [PW])
    assert text.startswith("'\\x1b[2J\\x00requirepass ***\\r\\nxxx") and "s3cret" not in text
    assert text.endswith("'... (532 bytes)") and len(text) < 80


@pytest.mark.parametrize("mode, says", [
    ("junk", "'\\x00\\xff\\xfe\\x01junk\\x9c\\x1b[31m garbage \\r\\n"),
    ("close", "closed the connection without answering PING"),
    ("trickle", "sent only '-"),
    ("huge", "a line longer than 512 bytes: '-ERR AAAA"),
    ("resp-then-junk", "answered PING in RESP, then a reply redis-py cannot parse (InvalidResponse"),
])
def test_evidence_quotes_the_first_bytes(garbage, mode, says):
    obs = probe.observe_node(garbage(mode), PW, TIMEOUT)
    assert says in obs.login.not_redis


def test_a_password_a_garbage_server_sends_back_is_masked(garbage):
    """In its first bytes (the hello), and in what redis-py quotes of a
    reply it cannot parse (AUTH <password> sent back)."""
    banner = garbage("say:" + f"requirepass {PW.reveal()}\r\n".encode().hex())
    echo = garbage("resp-then-echo")
    for addr in (banner, echo):
        obs = probe.observe_sentinel(addr, "kolla", PW, TIMEOUT)
        assert obs.login.not_redis and "***" in obs.login.not_redis, obs.login
        assert_clean(render(checks.sentinel_answers(obs, [obs], "redis_master_password")))
        assert_clean(str(obs))


def test_pong_then_a_trickle_is_cut_at_the_bound(garbage):
    """The hello passes; redis-py then reads a byte every 0.5 s, each read
    within its socket timeout: the bound, wall clock, ends it."""
    addr = garbage("resp-then-trickle")
    seconds, obs = timed(lambda: probe.observe_sentinel(addr, "kolla", PW, TIMEOUT))
    assert seconds < TIMEOUT + SLACK
    assert "no complete answer within the 1 s bound" in obs.login.error


def test_silent_server_is_unreachable_not_garbage(garbage):
    seconds, obs = timed(lambda: probe.observe_node(garbage("silent"), PW, TIMEOUT))
    assert seconds < TIMEOUT + SLACK
    assert "Timeout" in obs.login.error and obs.login.not_redis is None
    assert [f.id for f in checks.login_findings(obs.login, "data node", "k")] == ["NODE_UNREACHABLE"]


# -- real servers still speak RESP, at no extra cost ---------------------------------
def test_server_requiring_a_password_speaks_resp(password_server):
    greeting = probe.hello(password_server, probe.Bound(TIMEOUT), [PW])
    assert greeting.reply == "NOAUTH Authentication required." and greeting.not_redis is None
    obs = probe.observe_node(password_server, PW, TIMEOUT)
    assert obs.login.requires_password and obs.login.password_ok and obs.role == "master"
    wrong = probe.observe_node(password_server, Secret("not-it"), TIMEOUT)
    assert wrong.login.reachable and wrong.login.password_ok is False and wrong.login.not_redis is None


# -- the client and the words -----------------------------------------------------------
def test_the_client_fails_at_once_without_retries():
    refused = probe.Address("127.0.0.1", free_port())
    seconds, raised = timed(lambda: pytest.raises(redis.ConnectionError, wire.client(refused, PW, timeout=2.0).ping))
    assert seconds < 1.0 and "refused" in wire.describe(raised.value, PW)


def test_an_error_is_one_line_with_its_class_and_no_password():
    said = wire.describe(RuntimeError(f"AUTH {PW.reveal()}\nfailed"), PW)
    assert said == "RuntimeError: AUTH *** failed"
    assert wire.is_noauth("NOAUTH Authentication required.") and not wire.is_noauth("WRONGPASS invalid") \
        and not wire.is_noauth(None)


def test_a_bound_never_leaves_a_zero_timeout():
    bound = wire.Bound(0.05)
    try:
        assert 0 < bound.left() <= 0.05
        time.sleep(0.1)
        assert bound.passed and bound.left() == 0.001
    finally:
        bound.close()
