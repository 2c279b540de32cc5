"""The `coordcheck` command under hostile input, run as an operator runs it
(``python -m coordcheck ...`` in a subprocess): every bad input is one line
``coordcheck <verb>: error: ...`` and exit 2, within seconds, with no
traceback and no password in any output, and nothing written; a closed
stdout ends quietly (141); Ctrl-C during `up` is one line, exit 130, and
leaves nothing running.

Passwords are checked the way the deployment writes them: the netloc as
written (tooz does not percent-decode it), ``sentinel_password``
percent-encoded (tooz decodes query values, ``+`` as a space), read back
through tooz's own parser (`coordcheck.url.parse`).

Live tests run a real `up`: each lab claims a free address range of its own,
so they run in parallel (pytest -n) beside any other lab."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from coordcheck import kolla
from coordcheck.lab import scenarios
from coordcheck.lab.deployment import DeploymentError, LocalDeployment, password_problem
from coordcheck.observe.probe import Address, client
from coordcheck.secrets import Secret
from coordcheck.lab.templates import HOSTS
from coordcheck.url import URLError, parse
from tests.conftest import PROJECT, assert_no_secret, claims_under, processes_under

FAST = 8.0  # seconds: a rejected command line must not take longer (Python start-up included)
PW = "s3cretPW"  # the root of every password in the corpus, so leaks are easy to find


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None, stdout=subprocess.PIPE,
        timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    environ = {k: v for k, v in os.environ.items() if k != "COORDCHECK_PASSWORD"}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "coordcheck", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=timeout, cwd=cwd, env={**environ, **(env or {})})
    return done, time.monotonic() - started


# (id, argv, env, files to create, says); {tmp} is a scratch folder, {cwd} the empty working folder
CASES = [
    ("dir empty", ["up", "--dir", ""], {}, {}, "coordcheck up: error: argument --dir: empty"),
    ("dir blank", ["up", "--dir", "  "], {}, {}, "argument --dir: empty"),
    ("dir empty (fix)", ["fix", "--dir", ""], {}, {}, "coordcheck fix: error: argument --dir: empty"),
    ("dir under /proc", ["up", "--dir", "/proc/coordcheck-x"], {}, {}, "kernel's proc filesystem"),
    ("dir under /proc/self", ["up", "--dir", "/proc/self/coordcheck"], {}, {}, "kernel's proc filesystem"),
    ("dir under /sys", ["up", "--dir", "/sys/coordcheck-x"], {}, {}, "kernel's sysfs filesystem"),
    ("dir is a file", ["up", "--dir", "{tmp}/afile"], {}, {"afile": "x"}, "exists and is not a folder"),
    ("dir below a file", ["up", "--dir", "{tmp}/afile/kolla"], {}, {"afile": "x"}, "{tmp}/afile is not a folder"),
    ("dir name too long", ["up", "--dir", "{tmp}/" + "x" * 300], {}, {}, "cannot be created or written: File name too long"),
    ("dir with a space", ["up", "--dir", "{tmp}/a b"], {}, {}, "holds a space"),
    ("dir with jinja", ["up", "--dir", "{tmp}/{{x}}"], {}, {}, "holds a space, a quote"),
    ("password empty", ["up", "--password", "", "--dir", "{tmp}/k"], {}, {}, "--password is empty"),
    ("password env empty", ["up", "--dir", "{tmp}/k"], {"COORDCHECK_PASSWORD": ""}, {}, "COORDCHECK_PASSWORD is empty"),
    ("password file missing", ["up", "--password-file", "{tmp}/nope", "--dir", "{tmp}/k"], {}, {},
     "password file {tmp}/nope does not exist"),
    ("password file empty", ["up", "--password-file", "{tmp}/pw", "--dir", "{tmp}/k"], {}, {"pw": "\n\n"},
     "password file {tmp}/pw is empty"),
    ("password file binary", ["up", "--password-file", "{tmp}/pw", "--dir", "{tmp}/k"], {},
     {"pw": b"\x00\xff" + PW.encode()}, "is binary"),
    ("password file /dev/zero", ["up", "--password-file", "/dev/zero", "--dir", "{tmp}/k"], {}, {}, "is binary"),
    ("password file not utf-8", ["up", "--password-file", "{tmp}/pw", "--dir", "{tmp}/k"], {},
     {"pw": b"\xff\xfe" + PW.encode() + b"\n"}, "is not UTF-8 text"),
    ("password file a folder", ["up", "--password-file", "{tmp}", "--dir", "{tmp}/k"], {}, {}, "is a folder"),
    ("password file huge line", ["up", "--password-file", "{tmp}/pw", "--dir", "{tmp}/k"], {},
     {"pw": PW * 20000}, "longer than 64 KiB"),
    ("password with /", ["up", "--password", PW + "/x", "--dir", "{tmp}/k"], {}, {}, "holds '/', '?' or '#'"),
    ("password with #", ["up", "--password", PW + "#x", "--dir", "{tmp}/k"], {}, {}, "holds '/', '?' or '#'"),
    ("password with ?", ["up", "--password", "?" + PW, "--dir", "{tmp}/k"], {}, {}, "holds '/', '?' or '#'"),
    ("password with [", ["up", "--password", PW + "[1", "--dir", "{tmp}/k"], {}, {}, "IPv6"),
    ("password with space", ["up", "--password", PW + " x", "--dir", "{tmp}/k"], {}, {}, "holds a space or a quote"),
    ("password with quote", ["up", "--password", PW + '"x', "--dir", "{tmp}/k"], {}, {}, "holds a space or a quote"),
    ("password with newline", ["up", "--password", PW + "\nx", "--dir", "{tmp}/k"], {}, {}, "control character"),
    ("password not UTF-8", ["up", "--password", PW + "\udcff", "--dir", "{tmp}/k"], {}, {}, "not valid UTF-8"),
    ("password fullwidth slash", ["up", "--password", PW + "\uff0fx", "--dir", "{tmp}/k"], {}, {}, "NFKC"),
    ("password too long", ["up", "--password", PW * 600, "--dir", "{tmp}/k"], {}, {}, "longer than 4096"),
    ("password env with /", ["up", "--dir", "{tmp}/k"], {"COORDCHECK_PASSWORD": PW + "/x"}, {},
     "COORDCHECK_PASSWORD: the password holds '/'"),
    ("password file with ?", ["up", "--password-file", "{tmp}/pw", "--dir", "{tmp}/k"], {}, {"pw": PW + "?x\n"},
     "--password-file {tmp}/pw: the password holds '/', '?' or '#'"),
    ("password and file", ["up", "--password", PW, "--password-file", "{tmp}/pw", "--dir", "{tmp}/k"], {},
     {"pw": PW}, "not allowed with argument --password"),
    ("password option misspelled", ["up", "--pasword=" + PW + "/x", "--dir", "{tmp}/k"], {}, {},
     "unrecognized arguments: --pasword"),
    ("password option misspelled, value apart", ["up", "--pasword", PW + "/x", "--dir", "{tmp}/k"], {}, {},
     "unrecognized arguments: --pasword and 1 value (not shown)"),
    ("password option ambiguous", ["up", "--pass=" + PW + "/x", "--dir", "{tmp}/k"], {}, {}, "ambiguous option"),
    ("flavor unknown", ["up", "--flavor", "memcached", "--dir", "{tmp}/k"], {}, {}, "invalid choice: 'memcached'"),
    ("engine unknown", ["up", "--engine", "k8s", "--dir", "{tmp}/k"], {}, {}, "invalid choice: 'k8s'"),
    ("no verb", [], {}, {}, "coordcheck: error: no verb (verbs: check, gate, render, up,"),
    ("unknown verb", ["upp"], {}, {}, "coordcheck: error: unknown verb 'upp' (verbs: check, gate, render, up,"),
    ("break unknown scenario", ["break", "NOPE", "--dir", "{tmp}/k"], {}, {},
     "unknown scenario 'NOPE' (known: SENTINEL_AUTH_MISSING,"),
    ("break misspelled scenario", ["break", "sentinel_auth_mising", "--dir", "{tmp}/k"], {}, {},
     "did you mean SENTINEL_AUTH_MISSING?"),
    ("break without a deployment", ["break", "SENTINEL_AUTH_MISSING", "--dir", "{tmp}/k"], {}, {},
     "no coordcheck deployment in {tmp}/k"),
    ("status without a deployment", ["status", "--dir", "{tmp}/k"], {}, {}, "no coordcheck deployment in {tmp}/k"),
    ("down without a deployment", ["down", "--dir", "{tmp}/k"], {}, {}, "no coordcheck deployment in {tmp}/k"),
    ("status on a file", ["status", "--dir", "{tmp}/afile"], {}, {"afile": "x"}, "--dir {tmp}/afile is not a folder"),
    ("repro on a broken state", ["repro", "--dir", "{tmp}"], {}, {".coordcheck/state.json": b"\x00junk"},
     "state.json is unreadable"),
    ("status on a state of the wrong shape", ["status", "--dir", "{tmp}"], {}, {".coordcheck/state.json": "[]"},
     "coordcheck status: error: unexpected TypeError"),
]


@pytest.mark.parametrize("argv, env, files, says", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line(tmp_path, argv, env, files, says):
    work, cwd = tmp_path / "scratch", tmp_path / "cwd"
    work.mkdir()
    cwd.mkdir()
    for name, content in files.items():
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    argv = [a.replace("{tmp}", str(work)) for a in argv]
    done, seconds = cli(*argv, cwd=cwd, env=env)
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert says.replace("{tmp}", str(work)) in lines[0]
    assert lines[0].startswith("coordcheck")
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout == ""
    assert seconds < FAST
    secrets = [a.partition("=")[2] if a.startswith("--") else a for a in argv if PW in a] + [v for v in env.values() if v]
    secrets += [c.decode("latin-1") if isinstance(c, bytes) else c for c in files.values() if PW.encode() in
                (c if isinstance(c, bytes) else c.encode())]
    assert PW not in done.stdout + done.stderr
    assert_no_secret(done.stdout + done.stderr, *(Secret(s.strip()) for s in secrets if s.strip() and s.isprintable()
                                                  and s.encode("utf-8", "ignore").decode() == s))
    assert list(cwd.iterdir()) == [], "nothing is written into the current folder"
    assert not (work / "k").exists(), "nothing is written into --dir"


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


def test_break_list_into_a_closed_pipe_ends_quietly(tmp_path):
    """stdout closed before the first line (`| head -1` at its most abrupt)."""
    read, write = os.pipe()
    os.close(read)
    try:
        done, seconds = cli("break", "list", cwd=tmp_path, stdout=write)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr, seconds < FAST) == (128 + signal.SIGPIPE, "", True)


def test_break_list_piped_to_head():
    done = subprocess.run(f"{sys.executable} -m coordcheck break list | head -1", shell=True, capture_output=True,
                          text=True, timeout=FAST, cwd=PROJECT)
    assert done.stdout.startswith("SENTINEL_AUTH_MISSING") and len(done.stdout.splitlines()) == 1
    assert done.stderr == ""


def test_break_list_names_every_scenario(tmp_path):
    done, _ = cli("break", "list", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert [line.split()[0] for line in done.stdout.splitlines()] == list(scenarios.SCENARIOS)


# -- passwords, as the deployment writes them -------------------------------------------------
#: accepted: each must come back from every file the deployment writes exactly as given
ACCEPTED = [
    "p@ss:w%rd",                          # '@' and ':' in the netloc: urlsplit splits at the last '@', first ':'
    PW + "&sentinel_password=evil",       # a query in the netloc stays in the netloc
    PW + "+plus+",                        # '+' in the query would be a space if not percent-encoded
    "%41%2F" + PW + "%",                  # percent signs: tooz does not decode the netloc, must not be decoded
    PW + "=;&=;",
    "ünï€ødé-" + PW,                      # unicode
    "\U0001f600" + PW,                    # outside the BMP
    PW + "\\x41\\",                       # backslashes (Redis reads them literally outside quotes)
    PW + "\u00a0nbsp",                    # a no-break space is not a separator for Redis, Python or tooz
    "\ufeff" + PW,                        # a byte order mark in the middle of a line
    "@:" * 4 + PW,
    "12345678",                           # a number for YAML: must stay a string
    "yes",                                # a boolean for YAML 1.1
    "-" + PW,                             # looks like an option
]
#: refused, with the reason's words
REFUSED = [
    (PW + "/x", "'/', '?' or '#'"), (PW + "?x", "'/', '?' or '#'"), (PW + "#x", "'/', '?' or '#'"),
    ("a/b?c#d&e@f:g%h+i=j;k" + PW, "'/', '?' or '#'"),
    (PW + "[", "IPv6"), ("]" + PW, "IPv6"),
    (PW + " x", "space or a quote"), (" " + PW, "space or a quote"), (PW + "'", "space or a quote"),
    (PW + '"', "space or a quote"),
    (PW + "\t", "control character"), (PW + "\r\n", "control character"), (PW + "\x00", "control character"),
    (PW + "\u2028", "line break"), (PW + "\x85", "control character"),
    (PW + "\uff0f", "NFKC"), (PW + "\uff20", "NFKC"), (PW + "\u2100", "NFKC"),
    (PW + "\udcff", "not valid UTF-8"),
    ("", "empty"),
]


def _read_back(root: Path, flavor: kolla.Flavor) -> dict[str, object]:
    """What tooz, the checklist and Redis read from the files ``write`` made."""
    deployment = LocalDeployment(root)
    found: dict[str, object] = {"passwords.yml": yaml.safe_load((root / "passwords.yml").read_text())[flavor.password_key]}
    for path in deployment.service_config_paths():
        url = parse(kolla.backend_url_of(path.read_text(), str(path)))
        found[f"{path} netloc"] = url.password.reveal()
        found[f"{path} sentinel_password"] = url.sentinel_password.reveal()
        master = deployment.address(deployment.layout().master)  # on the lab's own free range
        assert (url.host, url.port, url.master_name) == (master, kolla.SENTINEL_PORT, kolla.MASTER_NAME)
        assert url.unknown_options == []
    for conf in sorted((root / ".coordcheck").glob("*/*.conf")):
        for line in conf.read_text().splitlines():
            word, _, rest = line.partition(" ")
            if word in ("requirepass", "masterauth"):
                found[f"{conf} {word}"] = rest
            elif line.startswith(("sentinel auth-pass ", "sentinel sentinel-pass ")):
                found[f"{conf} {line.split()[1]}"] = line.split(" ", 3 if "auth-pass" in line else 2)[-1]
    return found


@pytest.mark.parametrize("password", ACCEPTED, ids=[ascii(p) for p in ACCEPTED])
def test_accepted_password_reads_back_everywhere(tmp_path, password):
    """Written by `LocalDeployment.write` (nothing starts), read back as tooz
    (netloc as written, query decoded), YAML and Redis read them."""
    assert password_problem(password) is None
    flavor = kolla.FLAVORS["redis"]
    root = tmp_path / "kolla"
    deployment = LocalDeployment(root)
    deployment.write(flavor, Secret(password), sentinel_auth=True)
    try:
        found = _read_back(root, flavor)
        assert len(found) == 1 + 12 * 2 + 3 * 2 + 3 * 3  # passwords.yml, 12 service configs, 3 servers, 3 sentinels
        assert {k: v for k, v in found.items() if v != password} == {}
    finally:
        deployment.down()
    assert not root.exists()


@pytest.mark.parametrize("password, says", REFUSED, ids=[ascii(p) for p, _ in REFUSED])
def test_refused_password_says_why_and_writes_nothing(tmp_path, password, says):
    problem = password_problem(password)
    assert problem and says in problem and "\n" not in problem
    if len(password) >= 3:
        assert password not in problem and PW not in problem
    root = tmp_path / "kolla"
    if says == "not valid UTF-8":
        return  # a Secret cannot hold it (the command line's case is in CASES)
    with pytest.raises(DeploymentError) as caught:
        LocalDeployment(root).write(kolla.FLAVORS["valkey"], Secret(password), sentinel_auth=True)
    assert str(caught.value) == problem
    assert not root.exists()


@pytest.mark.parametrize("password", ["a/b", "a?b", "a#b", "a[b"])
def test_refused_netloc_characters_really_break_tooz(password):
    """Why they are refused: the URL Kolla writes does not parse, or tooz
    reads another password; and percent-encoding cannot help, since tooz
    takes the netloc password as written."""
    url = kolla.connection_string(kolla.FLAVORS["redis"], list(HOSTS.values()), Secret(password)).reveal()
    try:
        parsed = parse(url)
    except URLError:
        pass
    else:
        assert parsed.password is None or parsed.password.reveal() != password
    encoded = parse("redis://default:a%2Fb@127.0.2.110:26379?sentinel=kolla")
    assert encoded.password.reveal() == "a%2Fb"


def test_query_values_are_percent_decoded_by_tooz():
    """Why sentinel_password is written percent-encoded (quote(safe='')):
    tooz reads the query with parse_qs, where '+' is a space."""
    assert parse("redis://h:26379?sentinel=kolla&sentinel_password=a+b").sentinel_password.reveal() == "a b"
    assert parse("redis://h:26379?sentinel=kolla&sentinel_password=a%2Bb").sentinel_password.reveal() == "a+b"


@pytest.mark.parametrize("password", ["a b", 'a"b', "a'b"])
def test_sentinel_cannot_start_from_its_own_rewrite_of_such_a_password(tmp_path, password):
    """Why spaces and quotes are refused: Sentinel's CONFIG REWRITE writes
    ``sentinel auth-pass <master> <password>`` unquoted (sentinel.c), and
    Redis then refuses the line at the next start."""
    conf = tmp_path / "sentinel.conf"
    conf.write_text(f"port 0\nbind 127.0.0.1\ndir {tmp_path}\nsentinel monitor kolla 127.0.0.1 6399 2\n"
                    f"sentinel auth-pass kolla {password}\n")
    proc = subprocess.Popen(["redis-server", str(conf), "--sentinel"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=tmp_path)
    try:
        out, _ = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the sentinel started")
    assert proc.returncode != 0 and "FATAL CONFIG FILE ERROR" in out


def test_password_file_first_line_stripped(tmp_path):
    from coordcheck.lab.deployment import read_password_file
    (tmp_path / "pw").write_text(f"  {PW}  \nsecond line\n")
    assert read_password_file(tmp_path / "pw") == PW


def test_password_from_the_environment(monkeypatch):
    """COORDCHECK_PASSWORD keeps the password off the command line (ps, shell history)."""
    import argparse
    from coordcheck.lab.verbs import _password
    monkeypatch.setenv("COORDCHECK_PASSWORD", PW)
    assert _password(argparse.Namespace(password=None, password_file=None, flavor="redis")).reveal() == PW


# -- live: `up` really starting servers --------------------------------------------------------
def test_up_with_a_nasty_password_from_a_file(tmp_path):
    """The whole path: --password-file, servers started with it, URLs that
    tooz reads back to credentials the sentinels and master accept."""
    password = "p@ss:w%rd+&=;ünï€\\x%41+&sentinel_password=x" + PW
    (tmp_path / "pw").write_text(password + "\n")
    root = tmp_path / "kolla"
    done, _ = cli("up", "--dir", str(root), "--password-file", str(tmp_path / "pw"), cwd=tmp_path)
    try:
        assert done.returncode == 0, done.stderr
        assert_no_secret(done.stdout + done.stderr, Secret(password))
        url = parse(kolla.backend_url_of((root / "ctl1/cinder-volume/cinder.conf").read_text(), "cinder.conf"))
        assert url.password.reveal() == url.sentinel_password.reveal() == password
        for host, port in url.sentinels:
            sentinel = client(Address(host, port), url.sentinel_password)
            master = sentinel.execute_command("SENTINEL", "get-master-addr-by-name", url.master_name)
            assert client(Address(master[0], int(master[1])), url.password).ping()
    finally:
        down, _ = cli("down", "--dir", str(root), cwd=tmp_path)
    assert down.returncode == 0 and not root.exists()


@pytest.mark.parametrize("when", ["0.3 s after start", "once the servers start"])
def test_ctrl_c_during_up_leaves_nothing(tmp_path, when):
    root = tmp_path / "kolla"
    proc = subprocess.Popen([sys.executable, "-m", "coordcheck", "up", "--dir", str(root)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if when.startswith("0.3"):
        time.sleep(0.3)
    else:
        deadline = time.monotonic() + 10
        while not (root / ".coordcheck" / "state.json").exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.2)
    try:
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=20)
        assert time.monotonic() - sent < 6
        assert (proc.returncode, err, out) == (130, "coordcheck up: interrupted\n", "")
        status, _ = cli("status", "--dir", str(root), cwd=tmp_path)
        assert status.returncode == 2 and "no coordcheck deployment" in status.stderr
        assert processes_under(root) == []
        assert claims_under(root.resolve()) == []
        assert not root.exists()
    finally:  # a failure must not leave the lab's addresses taken for the next test
        if root.exists():
            cli("down", "--dir", str(root), cwd=tmp_path)
