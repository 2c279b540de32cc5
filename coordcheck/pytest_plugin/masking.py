"""The output boundary of a run: every secret coordcheck learnt
(`coordcheck.secrets.KNOWN`) leaves masked by value, on every channel —
log records of every logger (coordcheck, testinfra, ansible, redis-py,
tooz), the terminal (reports, assertions, warnings, Nagios), test reports
(so junit's failures, properties, system-out/err) and the junit file."""

from __future__ import annotations

from pathlib import Path

import pytest

from coordcheck.secrets import KNOWN


class MaskingStream:
    """The terminal's stream: every write masked by value (secrets learnt
    later in the run included), everything else as the stream it wraps."""

    def __init__(self, stream) -> None:
        self.wrapped = stream

    def write(self, text: str) -> int:
        return self.wrapped.write(KNOWN.mask(text))

    def __getattr__(self, name: str):
        return getattr(self.wrapped, name)


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


def is_checklist_run(config: pytest.Config, checklist: Path) -> bool:
    """A run of the checklist (not of some other suite that has this plugin
    installed, such as the project's own tests)."""
    if config.getoption("inventory") or config.getoption("gate") or config.getoption("checklist"):
        return True
    return any(Path(str(arg).split("::")[0]).resolve().is_relative_to(checklist) for arg in config.args)


def mask_file(path: str | None) -> None:
    """A file written by another plugin (junit), masked once more as a file."""
    if path and Path(path).is_file():
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        masked = KNOWN.mask(text)
        if masked != text:
            Path(path).write_text(masked, encoding="utf-8")
