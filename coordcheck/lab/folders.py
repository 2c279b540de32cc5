"""Where a deployment may live: ``--dir`` checked before anything is written.

    usable_root("/tmp/kolla")   # -> Path, or DeploymentError (one line)
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from pathlib import Path

from coordcheck.lab.errors import DeploymentError

#: characters a --dir may not hold: the lab writes the path unquoted into the
#: Ansible inventory (INI: whitespace splits, '#' starts a comment, Jinja
#: templates '{{ }}') and into the servers' configs
DIR_UNSAFE = "\"'\\#{}"
#: filesystems of the kernel: no place for a deployment's files
KERNEL_FILESYSTEMS = frozenset({"proc", "sysfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs",
                                "securityfs", "bpf", "configfs", "pstore", "efivarfs", "fusectl", "mqueue"})


def _shown(path: str | Path) -> str:
    """A path as one printable word (repr when it holds control characters)."""
    text = str(path)
    return text if text.isprintable() else repr(text)


def _filesystem(path: Path) -> str | None:
    """The filesystem type of the mount that holds ``path`` (Linux), or None."""
    try:
        mounts = Path("/proc/self/mounts").read_text()[:1_000_000]
    except OSError:
        return None
    best, kind = "", None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (str(path) == point or str(path).startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def usable_root(text: str | Path) -> Path:
    """The folder ``--dir`` names, absolute, once it is sure that `up` can
    create it (or write into it): `DeploymentError` otherwise, before
    anything is written. Nothing stays behind from the check."""
    if not str(text).strip():
        raise DeploymentError("--dir is empty: name the deployment's folder")
    try:
        root = Path(text).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        raise DeploymentError(f"--dir {_shown(text)} cannot be resolved: {getattr(exc, 'strerror', None) or exc}") from None
    if any(c.isspace() or c in DIR_UNSAFE or unicodedata.category(c) == "Cc" for c in str(root)):
        raise DeploymentError(f"--dir {_shown(root)}: the path holds a space, a quote, a backslash, '#', '{{' or '}}', "
                              "which the Ansible inventory and the servers' configs cannot carry unquoted")
    try:
        existing = root
        while not existing.exists():
            existing = existing.parent
        kind = _filesystem(existing)
        if kind in KERNEL_FILESYSTEMS:
            raise DeploymentError(f"--dir {_shown(root)} is on the kernel's {kind} filesystem: not a place for files")
        if not existing.is_dir():
            where = "exists and is not a folder" if existing == root else f"cannot be created: {_shown(existing)} is not a folder"
            raise DeploymentError(f"--dir {_shown(root)} {where}")
        os.rmdir(tempfile.mkdtemp(prefix=".coordcheck-", dir=existing))  # can we create a folder there?
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise DeploymentError(f"--dir {_shown(root)} cannot be created or written: {reason}") from None
    return root
