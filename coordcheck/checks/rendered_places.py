"""Where a rendered value lands, as the checks name it: the text of one
record's place (a finding's ``Where.file``, the key the repairs look
records up by), a record as a Place, and several records as one Where.

    place_key(record)  # -> 'ctl1: cinder-api/cinder.conf [coordination] backend_url, set by Kolla default'
"""

from __future__ import annotations

from coordcheck.findings import Place, Where
from coordcheck.kolla.render.values import Record


def place_key(record: Record) -> str:
    """Where a rendered value lands and what set it: ``ctl1: cinder-api/cinder.conf [coordination]
    backend_url, set by config/cinder.conf:3`` (relative to the host's node_config_directory)."""
    return (f"{record.host}: {record.service}/{record.file} [{record.section}] {record.option}, "
            f"set by {record.source or 'Kolla default'}")


def rendered_place(record: Record) -> Place:
    """A rendered option as a place: host, service, file, option, what set it."""
    return Place(record.host, record.service, f"{record.service}/{record.file}",
                 option=f"[{record.section}] {record.option}", source=record.source or "Kolla default")


def where_of(records: list[Record]) -> Where:
    """Every record's place in one Where: the first as its file, the others as more files."""
    first, *others = records
    return Where(host=first.host, service=first.service, file=place_key(first),
                 more_files=tuple((r.service, place_key(r)) for r in others),
                 places=tuple(rendered_place(r) for r in records))
