"""Files that readers poll (node_exporter's textfile collector, a CI job):
written masked (`coordcheck.secrets.KNOWN`) and whole, in one rename, and
sample values as Prometheus reads them. Standard library only: the
long-lived ``coordcheck watch`` process imports this, not the plugin.

    >>> sample_value(1796164712.345), sample_value(3.0), sample_value(float("inf"))
    ('1796164712.345', '3', '+Inf')
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from coordcheck.secrets import KNOWN


def write_atomically(path: str | Path, text: str) -> None:
    """``text``, masked, replaces ``path`` in one rename (readers never see half a file)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(KNOWN.mask(text))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sample_value(value: float) -> str:
    """A sample's value exactly (the shortest text that reads back as the same
    float, as Go's strconv writes it): a unix time keeps every second."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() and abs(value) < 2 ** 53 else repr(float(value))
