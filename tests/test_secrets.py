"""No form of a password in any output: property-based, with passwords drawn
from printable Unicode plus the characters URLs cut at (``/ # ? & @ : % + =
;`` and spaces), written as they are and percent-encoded, in the netloc and
in the query, through the URL and finding code and through the gate."""

import logging
import shutil
from urllib.parse import quote, quote_plus

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordcheck import kolla
from coordcheck.checks import configs as checks
from coordcheck.findings import render
from coordcheck.kolla.fixes import Expected
from coordcheck.secrets import KNOWN, MASK, Secret, mask_log_records, redact, reveal
from coordcheck.kolla.config_file import read_service_config
from tests.conftest import PROJECT, run_checklist

URL_CHARACTERS = "/#?&@:%+=; "
PASSWORD = st.text(alphabet=st.characters(categories=("L", "N", "P", "S")) | st.sampled_from(URL_CHARACTERS),
                   min_size=8, max_size=24).filter(
    lambda p: p == p.strip() and "*" not in p and p.isprintable() and sum(c.isalnum() for c in p) >= 4)
HOSTS = ("10.0.2.110", "10.0.2.111", "10.0.2.112")


def dangerous(password: str) -> set[str]:
    """What must never print: the password as written, percent-encoded, and
    every piece of 6+ characters a URL parser may cut it into."""
    found = {password, quote(password, safe=""), quote(password), quote_plus(password)}
    pieces = [password]
    for cut in "/#?&@:":
        pieces = [part for piece in pieces for part in piece.split(cut)]
    return found | {p.strip() for p in pieces if len(p.strip()) >= 6}


def assert_hidden(text: str, password: str) -> None:
    for form in dangerous(password):
        assert form not in text, f"a form of the password printed: {form!r} in {text[:400]!r}"


@pytest.fixture(autouse=True)
def clean_slate():
    KNOWN.clear()
    yield
    KNOWN.clear()


@settings(max_examples=150, deadline=None)
@given(PASSWORD)
def test_a_known_secret_is_masked_in_every_form(password):
    KNOWN.clear()
    Secret(password)
    text = "\n".join(f"evidence <{form}> and more" for form in dangerous(password))
    assert_hidden(redact(text), password)


def url_with(password: str, place: str) -> str:
    netloc = f"redis://default:{password if place == 'netloc' else 'other-pw'}@{HOSTS[0]}:26379"
    query = f"?sentinel=kolla&sentinel_fallback={HOSTS[1]}:26379&sentinel_fallback={HOSTS[2]}:26379&db=0"
    extra = {"netloc": "", "query-raw": f"&sentinel_password={password}",
             "query-encoded": f"&sentinel_password={quote(password, safe='')}",
             "misspelled": f"&sentinel_pasword={password}", "unknown-option": f"&colour={quote(password, safe='')}"}
    return netloc + query + extra[place]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(PASSWORD, st.sampled_from(["netloc", "query-raw", "query-encoded", "misspelled", "unknown-option"]),
       st.booleans())
def test_url_findings_never_show_a_password(password, place, in_passwords_yml):
    """Every finding a URL can give, rendered (cause, where, evidence, the
    corrected URL), leaves the boundary without the password — also when
    passwords.yml does not know it."""
    KNOWN.clear()
    config = read_service_config("ctl1", "/etc/kolla/cinder-volume/cinder.conf",
                                 f"[coordination]\nbackend_url = {url_with(password, place)}\n", 0o600)
    expected = Expected(kolla.FLAVORS["redis"], Secret(password if in_passwords_yml else "pw-of-passwords-yml"),
                        HOSTS, True)
    findings = checks.urls_parse([config], expected)
    if config.url is not None:
        findings += (checks.url_options_known([config], expected) + checks.passwords_match([config], expected)
                     + checks.sentinel_password_present([config], expected))
    assert findings or place in ("query-encoded",) and in_passwords_yml
    assert_hidden(redact(render(findings) + repr(config) + str(config.error)), password)


def test_corrected_url_renames_a_misspelled_option_and_carries_no_password():
    KNOWN.clear()
    config = read_service_config("ctl1", "/etc/kolla/cinder-volume/cinder.conf",
                                 f"[coordination]\nbackend_url = {url_with('hunter2-secret', 'misspelled')}\n", 0o600)
    expected = Expected(kolla.FLAVORS["redis"], Secret("hunter2-secret"), HOSTS, True)
    [unknown] = checks.url_options_known([config], expected)
    [missing] = checks.sentinel_password_present([config], expected)
    assert "rename sentinel_pasword to sentinel_password" in unknown.advice
    corrected = missing.advice.split("corrected URL: ")[1].split()[0]
    assert "sentinel_pasword" not in corrected and corrected.endswith(f"&sentinel_password={MASK}")
    assert "hunter2-secret" not in render([unknown, missing])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(PASSWORD)
def test_the_gate_prints_no_form_of_a_password(tmp_path_factory, password):
    """passwords.yml holds the password; globals.yml writes it raw into the
    query (Kolla does), an override misspells sentinel_password: -vv, DEBUG
    logs and junit carry no form of it."""
    tmp = tmp_path_factory.mktemp("gate")
    repo = tmp / "repo"
    shutil.copytree(PROJECT / "examples" / "config-repos" / "healthy", repo)
    kolla_dir = repo / "etc" / "kolla"
    (kolla_dir / "passwords.yml").write_text(yaml.safe_dump({"redis_master_password": password}))
    (kolla_dir / "config" / "masakari.conf").write_text(
        "[coordination]\nbackend_url = redis://default:{{ redis_master_password }}@127.0.2.110:26379"
        "?sentinel=kolla&sentinel_pasword={{ redis_master_password }}\n")
    run = run_checklist("-m", "config", "--configdir", str(kolla_dir), "--inventory", str(repo / "multinode"),
                        "-vv", "--log-level=DEBUG", "-rA", tmp_path=tmp, cwd=tmp)
    assert run.returncode == 1 and any(i in run.output for i in ("URL_UNKNOWN_OPTION", "URL_INVALID", "URL_NOT_LOADABLE"))
    assert_hidden(run.output, password)


LIVE_PASSWORDS = ["p@ss:w%rd+&=;ünï€&sentinel_password=x", "a&b=c;d%20e%2F+f", "Ĳ€@:;=%41+&&=="]


@pytest.mark.parametrize("password", LIVE_PASSWORDS, ids=["url-characters", "encoded-lookalike", "unicode"])
def test_a_live_incident_prints_no_form_of_its_passwords(tmp_path, password):
    """The lab with such a password, the incident reproduced, an inventory
    become password, -vv, DEBUG logs of every logger (testinfra's command and
    ansible-inventory logs too) and junit: zero occurrences anywhere."""
    from tests.conftest import run_cli

    root = tmp_path / "kolla"
    (tmp_path / "pw").write_text(password + "\n")
    become = "become-" + password[::-1].replace(" ", "_")
    run_cli("up", "--dir", str(root), "--password-file", str(tmp_path / "pw"))
    try:
        run_cli("repro", "--dir", str(root))
        inventory = root / "multinode"
        inventory.write_text(inventory.read_text() + f"\n[all:vars]\nansible_become_password={become}\n")
        run = run_checklist("--hosts=controllers", "--inventory", str(inventory), "--configdir", str(root), "-vv",
                            "--log-level=DEBUG", "-o", "log_cli=true", "--log-cli-level=DEBUG", "-rA",
                            tmp_path=tmp_path, cwd=tmp_path)
    finally:
        run_cli("down", "--dir", str(root))
    assert run.returncode == 1 and "SENTINEL_AUTH_MISSING" in run.output
    assert "ansible-inventory" in run.output  # testinfra's own log of the inventory is there, masked
    assert_hidden(run.output, password)
    assert_hidden(run.output, become)


def test_a_secret_never_prints_and_compares_by_value():
    password = Secret("c0mpare-Pw")
    assert (str(password), repr(password), f"{password:>20}") == (MASK, MASK, MASK)
    assert password == Secret("c0mpare-Pw") and password != Secret("other-Pw") and password != "c0mpare-Pw"
    assert len({password, Secret("c0mpare-Pw")}) == 1 and not Secret("", by_value=False)
    assert reveal(password) == "c0mpare-Pw" and reveal(None) is None and "c0mpare-Pw" in KNOWN


def test_a_password_inside_an_allowed_path_stays_readable_and_elsewhere_is_masked():
    Secret("kolla")
    KNOWN.allow("/home/kolla/etc")
    assert KNOWN.mask("read /home/kolla/etc/globals.yml with kolla") == "read /home/kolla/etc/globals.yml with ***"


def test_what_the_redactor_knows_is_saved_and_restored():
    Secret("b3fore-Pw")
    state = KNOWN.saved()
    Secret("aft3r-Pw")
    KNOWN.restore(state)
    assert KNOWN.mask("b3fore-Pw aft3r-Pw") == "*** aft3r-Pw"


def test_log_records_leave_masked(caplog):
    previous = logging.getLogRecordFactory()
    mask_log_records()
    try:
        Secret("l0gged-Pw")
        with caplog.at_level(logging.INFO, logger="coordcheck-test"):
            logging.getLogger("coordcheck-test").info("AUTH %s failed", "l0gged-Pw")
        assert caplog.records[-1].getMessage() == "AUTH *** failed" and "l0gged-Pw" not in caplog.text
    finally:
        logging.setLogRecordFactory(previous)
