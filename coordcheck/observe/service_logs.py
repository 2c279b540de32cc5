"""A service's log lines, where Kolla writes them: its files under
``/var/log/kolla/<project>/`` (the ``kolla_logs`` volume; oslo.log with
``use_stderr = false``), read inside its container, and the engine's own
log of the container (kolla_start's output), each line with its time.

    lines = from_files(output_of(FILES_SCRIPT))
    lines[0].source, lines[0].text   # -> ('/var/log/kolla/cinder/cinder-volume.log', '2026-11-26 ... ERROR ...')

A file is read from its end, at most `TAIL_BYTES`; a traceback's lines
carry the time of the line that began it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

TAIL_BYTES = 2 * 1024 * 1024
NOW = "@@coordcheck-now "
FILE = "@@coordcheck-file "
#: Where Kolla's services log, inside their containers (the kolla_logs volume)
LOG_ROOT = "/var/log/kolla"
#: Run as ``sh -c FILES_SCRIPT sh <folder> <project> <service>``, inside the container
#: (folder LOG_ROOT) or on the host (the volume's folder there): the clock (with its
#: UTC offset: oslo.log writes local time), then the tail of each of the service's
#: log files (``<service>*.log``; else every ``*.log`` of the project).
FILES_SCRIPT = (f'printf "{NOW}%s\\n" "$(date "+%Y-%m-%dT%H:%M:%S%z")"; cd "$1/$2" 2>/dev/null || exit 0; '
                'set -- "$3"*.log; [ -f "$1" ] || set -- *.log; '
                f'for f in "$@"; do [ -f "$f" ] || continue; printf "\\n{FILE}%s\\n" "$PWD/$f"; '
                f'tail -c {TAIL_BYTES} "$f"; done')
OSLO_TIME = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))? ")
DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
#: the end of an ISO time that Python 3.10's fromisoformat does not read: Z, or +HHMM
ISO_OFFSET = re.compile(r"(?<=\d)(?:[Zz]|([+-]\d\d)(\d\d))$")
SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class LogLine:
    when: datetime      # aware
    text: str
    source: str         # a file's path, or "docker logs"


def _clock(stamp: str) -> datetime | None:
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def container_now(output: str) -> datetime | None:
    """The container's clock, from FILES_SCRIPT's first line."""
    first = output.split("\n", 1)[0]
    return _clock(first[len(NOW):].strip()) if first.startswith(NOW) else None


def from_files(output: str) -> list[LogLine]:
    """The dated lines of FILES_SCRIPT's output (its clock gives their offset).

    >>> out = NOW + "2026-11-26T01:00:00+0100\\n\\n" + FILE + "/var/log/kolla/x/x.log\\n2026-11-26 00:59:58.5 7 ERROR x [-] boom\\nTraceback\\n"
    >>> [(l.when.isoformat(), l.text) for l in from_files(out)]
    [('2026-11-26T00:59:58.500000+01:00', '2026-11-26 00:59:58.5 7 ERROR x [-] boom'), ('2026-11-26T00:59:58.500000+01:00', 'Traceback')]
    """
    now = container_now(output)
    zone = now.tzinfo if now else timezone.utc
    lines: list[LogLine] = []
    source, when = "", None
    for line in output.splitlines()[1:]:
        if line.startswith(FILE):
            source, when = line[len(FILE):], None
            continue
        match = OSLO_TIME.match(line)
        if match:
            day, clock, fraction = match.groups()
            when = datetime.fromisoformat(f"{day}T{clock}.{(fraction or '0')[:6].ljust(6, '0')}").replace(tzinfo=zone)
        if source and when is not None and line.strip():
            lines.append(LogLine(when, line, source))
    return lines


def iso_time(text: str) -> datetime:
    """An ISO 8601 time as Python 3.11 reads it, on 3.10 too: a ``Z`` or an
    offset without a colon (``+0100``) included; ValueError otherwise.

    >>> iso_time("2026-11-25T10:00:00Z").isoformat()
    '2026-11-25T10:00:00+00:00'
    """
    return datetime.fromisoformat(ISO_OFFSET.sub(lambda m: m.group(1) and f"{m.group(1)}:{m.group(2)}" or "+00:00",
                                                 text.strip()))


def cutoff(since: str, now: datetime) -> datetime:
    """The start of the ``--logs-since`` window: a duration back from
    ``now`` (``1h30m``) or a time (ISO; without an offset, ``now``'s zone).

    >>> cutoff("1h30m", datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)).isoformat()
    '2026-11-26T10:30:00+00:00'
    """
    parts = DURATION.findall(since)
    if parts and "".join(number + unit for number, unit in parts) == since:
        return now - timedelta(seconds=sum(float(number) * SECONDS[unit] for number, unit in parts))
    moment = iso_time(since)
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)
