"""The output boundary of a run: every secret coordcheck learnt
(`coordcheck.secrets.KNOWN`) leaves masked by value, on every channel —
log records of every logger (coordcheck, testinfra, ansible, redis-py,
tooz), the terminal (reports, assertions, warnings, Nagios), test reports
(so junit's failures, properties, system-out/err) and the junit file."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordcheck.secrets import KNOWN, mask_log_records


def mask_terminal(config: pytest.Config) -> None:
    """Mask what the terminal writer writes (once per writer)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    writer = config.get_terminal_writer()
    if getattr(writer, "coordcheck_masked", False):
        return
    raw = writer.write_raw

    def write_raw(msg: str, *, flush: bool = False) -> None:
        raw(KNOWN.mask(msg), flush=flush)

    writer.write_raw = write_raw
    writer.coordcheck_masked = True


class MaskedRepr:
    """A failure's text, rendered and masked (for terminal, junit and xdist)."""

    def __init__(self, text: str, crash_message: str | None) -> None:
        self.text = text
        if crash_message is not None:
            self.reprcrash = _Crash(crash_message)

    def toterminal(self, tw) -> None:
        tw.write(self.text)
        tw.line()

    def __str__(self) -> str:
        return self.text


class _Crash:
    def __init__(self, message: str) -> None:
        self.message, self.path, self.lineno = message, "", 0


def mask_report(report) -> None:
    """Mask a test or collection report in place."""
    longrepr = report.longrepr
    if isinstance(longrepr, str):
        report.longrepr = KNOWN.mask(longrepr)
    elif isinstance(longrepr, tuple) and len(longrepr) == 3:
        report.longrepr = (longrepr[0], longrepr[1], KNOWN.mask(str(longrepr[2])))
    elif longrepr is not None and hasattr(longrepr, "toterminal"):
        text = report.longreprtext
        masked = KNOWN.mask(text)
        if masked != text:
            crash = getattr(getattr(longrepr, "reprcrash", None), "message", None)
            report.longrepr = MaskedRepr(masked, KNOWN.mask(crash) if crash else None)
    report.sections = [(title, KNOWN.mask(content)) for title, content in report.sections]
    if hasattr(report, "user_properties"):
        report.user_properties = [(name, KNOWN.mask(str(value))) for name, value in report.user_properties]


ACTIVE = pytest.StashKey[bool]()
CHECKLIST = Path(__file__).resolve().parents[2] / "tests_infra"


def is_checklist_run(config: pytest.Config) -> bool:
    """A run of the checklist (not of some other suite that has this plugin
    installed, such as the project's own tests)."""
    if config.getoption("inventory") or config.getoption("gate"):
        return True
    return any(Path(str(arg).split("::")[0]).resolve().is_relative_to(CHECKLIST) for arg in config.args)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    config.stash[ACTIVE] = is_checklist_run(config)
    if config.stash[ACTIVE]:
        mask_log_records()


def _active(config: pytest.Config) -> bool:
    return config.stash.get(ACTIVE, False)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    if _active(session.config):
        mask_terminal(session.config)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if _active(item.config):
        mask_report(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    if _active(collector.config):
        mask_report(outcome.get_result())


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """The junit file, written at session end, masked once more as a file."""
    path = getattr(config.option, "xmlpath", None)
    if _active(config) and path and Path(path).is_file():
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        masked = KNOWN.mask(text)
        if masked != text:
            Path(path).write_text(masked, encoding="utf-8")
