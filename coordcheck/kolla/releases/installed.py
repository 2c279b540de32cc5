"""The point release of the operator's own kolla-ansible, when one is
installed: in this Python's environment, or the ``kolla-ansible`` on PATH
(its installation prefix's ``kolla_ansible-X.Y.Z.dist-info``).
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
from pathlib import Path


def installed_version(prefix: Path | None = None) -> tuple[str, str] | None:
    """(X.Y.Z, where it was found), or None. ``prefix``: an installation to read instead."""
    if prefix is None:
        try:
            return importlib.metadata.version("kolla-ansible"), "the kolla-ansible installed with coordcheck"
        except importlib.metadata.PackageNotFoundError:
            pass
        found = shutil.which("kolla-ansible")
        if not found:
            return None
        prefix = Path(found).resolve().parent.parent
    for info in sorted(Path(prefix).glob("lib/python3*/site-packages/kolla_ansible-*.dist-info")):
        match = re.fullmatch(r"kolla_ansible-(\d+\.\d+\.\d+)\.dist-info", info.name)
        if match:
            return match.group(1), f"the kolla-ansible installed at {prefix}"
    return None
