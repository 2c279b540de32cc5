"""Servers that do not speak RESP (issue 10, item 5): junk bytes, a
connection closed at once, bytes trickled one every 0.5 s, an endless line,
RESP to PING then junk. Each is named NOT_A_REDIS_SERVER with its address and
its first bytes (escaped, masked) within the probe timeout, wall clock, with
no redis-py traceback; a healthy or password-protected server still speaks
RESP; and the whole checklist against a cloud of junk is short and says so.

No local deployment: the servers are `coordcheck.scenarios.GARBAGE_SERVER`
on free ports of 127.0.0.1, or on a free 127.77.X.1-3 range of their own.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

import pytest

from coordcheck.checks import servers as checks
from coordcheck.observe import probe
from coordcheck.observe import remote
from coordcheck import url as urls
from coordcheck.findings import render
from coordcheck.lab.scenarios import garbage_cloud, start_garbage_server
from coordcheck.secrets import Secret, spellings
from coordcheck.observe.transport import Result
from tests.conftest import assert_no_secret, run_checklist

PW = Secret("s3cret-Pw/#?&")
TIMEOUT = 1.0
#: a probe of a garbage server ends within its bound, plus this
SLACK = 1.0
GARBAGE = ["junk", "close", "trickle", "huge", "resp-then-junk", "resp-then-echo"]


@pytest.fixture
def garbage():
    """garbage(mode) -> the Address of a GARBAGE_SERVER in that mode."""
    started = []

    def start(mode: str) -> probe.Address:
        proc, [addr] = start_garbage_server(mode, ["127.0.0.1:0"])
        started.append(proc)
        return probe.Address(*addr)

    yield start
    for proc in started:
        proc.kill()
        proc.wait()
        proc.stderr.close()


def timed(action):
    started = time.monotonic()
    result = action()
    return time.monotonic() - started, result


def assert_clean(text: str) -> None:
    """No traceback, no control character, no password."""
    assert "Traceback" not in text and "site-packages/redis" not in text
    assert not any(ord(c) < 0x20 and c not in "\n" for c in text), repr(text)
    assert_no_secret(text, PW)


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


# -- each garbage server, probed -------------------------------------------------------
@pytest.mark.parametrize("kind", ["sentinel", "data node"])
@pytest.mark.parametrize("mode", GARBAGE)
def test_garbage_server_is_named_within_the_bound(garbage, mode, kind):
    addr = garbage(mode)
    if kind == "sentinel":
        seconds, obs = timed(lambda: probe.observe_sentinel(addr, "kolla", PW, TIMEOUT))
        found = checks.sentinel_answers(obs, [obs], "redis_master_password")
    else:
        seconds, obs = timed(lambda: probe.observe_node(addr, PW, TIMEOUT))
        found = checks.password_authenticates(obs.login, "data node", "redis_master_password")
    assert seconds < TIMEOUT + SLACK, f"{mode}: {seconds:.1f} s"
    assert not obs.login.reachable and obs.login.not_redis, obs.login
    [finding] = found
    assert finding.id == "NOT_A_REDIS_SERVER" and finding.severity == "fail"
    assert finding.where.address == str(addr) and str(addr) in finding.evidence
    assert_clean(render(found))


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


def test_probe_shipped_into_a_container_classifies_the_same(garbage, tmp_path):
    """`coordcheck.observe.remote`: probe.py and secrets.py, run by another Python
    (here this one, on stdin), bring not_redis back through JSON."""
    def run_python(script: str) -> Result:
        import sys
        done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=20)
        return Result(done.returncode, done.stdout, done.stderr)

    elsewhere = remote.Remote(run_python, "in a subprocess")
    obs = elsewhere.sentinel(garbage("junk"), "kolla", PW, TIMEOUT)
    assert "\\x00\\xff" in obs.login.not_redis
    assert checks.sentinel_answers(obs, [obs], "k")[0].id == "NOT_A_REDIS_SERVER"


# -- discovery: redis-py stops at a sentinel that does not speak RESP ------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_discovery_names_the_garbage_sentinel_redis_py_stops_at(garbage):
    junk = garbage("junk")
    refused = probe.Address("127.0.0.1", free_port())
    url = urls.parse(f"redis://default:pw@{refused}?sentinel=kolla&sentinel_fallback={junk}"
                     f"&sentinel_password=x")
    seconds, found = timed(lambda: probe.discover(url, TIMEOUT))
    assert seconds < 2 * TIMEOUT + SLACK
    assert not found.ok and found.stopped_at == junk and str(junk) in found.not_redis
    assert "stops there" in found.error
    filtered = found.without_not_redis()
    assert [a.address for a in filtered.answers] == [refused] and filtered.error is None
    [finding] = checks.discovery_not_redis(found, lambda address: checks.Where(host="ctl1", address=address))
    assert finding.id == "NOT_A_REDIS_SERVER" and "redis-py's discovery (tooz's) stops there" in finding.evidence
    assert_clean(render([finding]))


def test_known_garbage_sentinels_are_not_asked_again(garbage):
    junk = garbage("trickle")
    url = urls.parse(f"redis://default:x@{junk}?sentinel=kolla")
    seconds, found = timed(lambda: probe.discover(url, TIMEOUT, {junk: "sent only '-.' (2 bytes)"}))
    assert seconds < 0.5 and found.stopped_at == junk


# -- real servers still speak RESP, at no extra cost ---------------------------------
@pytest.fixture(scope="module")
def redis_server():
    """A redis-server with requirepass on a free port of 127.0.0.1."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (make packages)"
    port, folder = free_port(), tempfile.mkdtemp(prefix="coordcheck-garbage-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--requirepass", PW.reveal(),
                             "--save", "", "--appendonly", "no", "--dir", folder],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    addr = probe.Address("127.0.0.1", port)
    deadline = time.monotonic() + 10
    while probe.hello(addr, probe.Bound(0.5)).reply is None and time.monotonic() < deadline:
        time.sleep(0.05)
    yield addr
    proc.kill()
    proc.wait()
    shutil.rmtree(folder, ignore_errors=True)


def test_server_requiring_a_password_speaks_resp(redis_server):
    greeting = probe.hello(redis_server, probe.Bound(TIMEOUT), [PW])
    assert greeting.reply == "NOAUTH Authentication required." and greeting.not_redis is None
    obs = probe.observe_node(redis_server, PW, TIMEOUT)
    assert obs.login.requires_password and obs.login.password_ok and obs.role == "master"
    wrong = probe.observe_node(redis_server, Secret("not-it"), TIMEOUT)
    assert wrong.login.reachable and wrong.login.password_ok is False and wrong.login.not_redis is None


def test_hello_costs_a_healthy_server_next_to_nothing(redis_server):
    rounds = 50
    seconds, _ = timed(lambda: [probe.observe_node(redis_server, PW, TIMEOUT) for _ in range(rounds)])
    assert seconds / rounds < 0.05, f"{seconds / rounds * 1000:.1f} ms per data node"


# -- the whole checklist against a cloud of junk ---------------------------------------
def test_checklist_against_every_node_answering_junk(tmp_path):
    with garbage_cloud(tmp_path / "kolla", "junk") as root:
        password = Secret(next(line.split(": ", 1)[1].strip() for line in (root / "passwords.yml").read_text().splitlines()
                               if line.startswith("redis_master_password")))
        seconds, run = timed(lambda: run_checklist("--hosts=controllers", "--inventory", str(root / "multinode"),
                                                   "--configdir", str(root), tmp_path=tmp_path, cwd=tmp_path))
    output = run.stdout + run.stderr
    assert run.returncode == 1, output[-3000:]
    assert seconds < 10, f"{seconds:.1f} s"
    # 50 failing tests name their cause per host, and each cause lists its places once (6,023 lines of redis-py
    # tracebacks before)
    assert len(output.splitlines()) < 800, len(output.splitlines())
    assert "Traceback" not in output and "site-packages/redis" not in output
    summary = run.stdout.split("coordcheck summary", 1)[1]
    assert "NOT_A_REDIS_SERVER" in summary and "findings: none" not in summary
    assert "\x1b" not in output and "\\x00\\xff\\xfe\\x01junk" in output
    for spelling in spellings(password):
        assert spelling not in run.output
    # every failed test recorded a catalogue finding, or the summary lists it by name
    unexplained = summary.split("failed without a catalogue finding:", 1)[-1] if "without a catalogue" in summary else ""
    for case in ET.fromstring(run.junit).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            found = [p.get("value") for p in case.iter("property") if p.get("name") == "finding"]
            assert found or f"::{case.get('name')}:" in unexplained, case.get("name")
    assert "failed without a catalogue finding" not in summary
