"""The output boundary (`coordcheck.pytest_plugin.masking`): a secret learnt
in the run leaves masked by value from the terminal's stream, from test
reports (failure text, crash line, captured sections, properties) and from
a file another plugin wrote; what holds no secret is left as it was."""

import io
import uuid

import pytest

from coordcheck.pytest_plugin import masking
from coordcheck.secrets import Secret

PW = "Pw-m4sking-s3cret"


def failed_report(longrepr) -> pytest.TestReport:
    return pytest.TestReport(nodeid="t.py::test_x", location=("t.py", 0, "test_x"), keywords={}, outcome="failed",
                             longrepr=longrepr, when="call", sections=[("Captured stdout call", f"url had {PW}")],
                             user_properties=[("finding", f"SENTINEL_AUTH_MISSING at {PW}")])


def test_the_terminal_stream_masks_every_write_even_of_a_secret_learnt_later():
    # values no other test registers: the registry is the process's, as in a run
    early, late = f"early-{uuid.uuid4().hex}", f"late-{uuid.uuid4().hex}"
    terminal = io.StringIO()
    stream = masking.MaskingStream(terminal)
    stream.write(f"before: {early}\n")
    Secret(early)
    stream.write(f"after: {early} {late}\n")
    Secret(late)
    stream.write(f"now: {late}\n")
    assert terminal.getvalue() == f"before: {early}\nafter: *** {late}\nnow: ***\n"
    assert stream.getvalue() == terminal.getvalue()   # everything else is the wrapped stream's


def test_a_failure_keeps_its_text_and_crash_line_with_the_secret_masked():
    Secret(PW)
    try:
        raise AssertionError(f"NOAUTH: the URL had {PW}")
    except AssertionError as exc:
        report = failed_report(pytest.ExceptionInfo.from_exception(exc).getrepr())
    masking.mask_report(report)
    assert PW not in report.longreprtext and "AssertionError: NOAUTH: the URL had ***" in report.longreprtext
    assert report.longrepr.reprcrash.message == "AssertionError: NOAUTH: the URL had ***"
    assert report.sections == [("Captured stdout call", "url had ***")]
    assert report.user_properties == [("finding", "SENTINEL_AUTH_MISSING at ***")]


@pytest.mark.parametrize("longrepr, masked", [
    (f"collection failed: {PW}", "collection failed: ***"),
    (("t.py", 3, f"Skipped: {PW}"), ("t.py", 3, "Skipped: ***")),
], ids=["text", "skip tuple"])
def test_a_report_in_any_shape_is_masked(longrepr, masked):
    Secret(PW)
    report = failed_report(longrepr)
    masking.mask_report(report)
    assert report.longrepr == masked


def test_a_failure_without_a_secret_is_left_as_pytest_made_it():
    try:
        raise AssertionError("no sentinel answered")
    except AssertionError as exc:
        longrepr = pytest.ExceptionInfo.from_exception(exc).getrepr()
    report = failed_report(longrepr)
    masking.mask_report(report)
    assert report.longrepr is longrepr


def test_a_file_is_masked_once_more_as_a_file(tmp_path):
    Secret(PW)
    junit, clean = tmp_path / "junit.xml", tmp_path / "clean.xml"
    junit.write_text(f'<testcase><failure message="url had {PW}"/></testcase>')
    clean.write_text("<testcase/>")
    written = clean.stat().st_mtime_ns
    masking.mask_file(str(junit))
    masking.mask_file(str(clean))
    masking.mask_file(str(tmp_path / "absent.xml"))
    masking.mask_file(None)
    assert junit.read_text() == '<testcase><failure message="url had ***"/></testcase>'
    assert clean.stat().st_mtime_ns == written and not (tmp_path / "absent.xml").exists()
