"""Every input file the gate, the checklist and the CLI open, read through one
door: regular files only (a directory, device, FIFO, socket or symlink loop
is one clear line naming the file), at most ``limit`` bytes, within
``seconds``; missing, binary or non-UTF-8 text is one clear line too.

    text = read_text(Path("/etc/kolla/passwords.yml"), "passwords file")
    is_present(Path("etc/kolla/config/cinder.conf"), "override")   # -> False if absent, raises if a FIFO
"""

from __future__ import annotations

import errno
import os
import stat
import time
from pathlib import Path

from coordcheck.kolla import KollaError
from coordcheck.secrets import KNOWN

#: Larger input files are refused (a passwords.yml is a few kB).
MAX_INPUT_BYTES = 4 * 1024 * 1024
#: Wall-time bound of reading one file (a hung network file system).
READ_SECONDS = 5.0
_CHUNK = 256 * 1024
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"


def _os_error(what: str, path: Path, exc: OSError) -> KollaError:
    if exc.errno == errno.ELOOP:
        return KollaError(f"{what} {path} is a symlink loop")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return KollaError(f"{what} {path} does not exist")
    if exc.errno == errno.ENAMETOOLONG:
        return KollaError(f"{what} {str(path)[:200]}... is a path too long to open")
    return KollaError(f"{what} {path} cannot be read: {exc.strerror or exc.__class__.__name__}")


def is_present(path: str | Path, what: str) -> bool:
    """False if ``path`` does not exist, True if it is a regular file; a
    directory, device, FIFO, socket or loop there is an error."""
    path = Path(path)
    KNOWN.allow(path)  # paths stay readable in output (passwords are masked by value elsewhere)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return False
        raise _os_error(what, path, exc) from None
    if not stat.S_ISREG(mode):
        raise KollaError(f"{what} {path} is {_kind(mode)}, not a regular file")
    return True


def read_bytes(path: str | Path, what: str, limit: int = MAX_INPUT_BYTES, seconds: float = READ_SECONDS) -> bytes:
    """A regular file's content, at most ``limit`` bytes, read within ``seconds``."""
    path = Path(path)
    if not is_present(path, what):
        raise KollaError(f"{what} {path} does not exist")
    try:  # O_NONBLOCK: a FIFO swapped in after the check opens without waiting for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise _os_error(what, path, exc) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise KollaError(f"{what} {path} is {_kind(mode)}, not a regular file")
        deadline, chunks, size = time.monotonic() + seconds, [], 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if time.monotonic() > deadline:
                raise KollaError(f"{what} {path} cannot be read within {seconds:g} s")
    except OSError as exc:
        raise _os_error(what, path, exc) from None
    finally:
        os.close(fd)
    if size > limit:
        raise KollaError(f"{what} {path} is larger than {_size(limit)}: not a Kolla file")
    return b"".join(chunks)


def read_text(path: str | Path, what: str, limit: int = MAX_INPUT_BYTES, seconds: float = READ_SECONDS) -> str:
    """A text file's content (UTF-8, no NUL byte), through `read_bytes`."""
    data = read_bytes(path, what, limit, seconds)
    if b"\x00" in data[:65536]:
        raise KollaError(f"{what} {path} cannot be read: it is binary, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise KollaError(f"{what} {path} cannot be read: it is not UTF-8 text") from None


def read_lenient(path: str | Path, what: str, limit: int = MAX_INPUT_BYTES) -> str:
    """A text file as a parser that tolerates odd bytes reads it (undecodable
    bytes replaced), with the same type, size and time bounds."""
    return read_bytes(path, what, limit).decode("utf-8", errors="replace")


def files_under(folder: str | Path, pattern: str, what: str, skip_folders: bool = False) -> list[Path]:
    """``folder``'s entries matching ``pattern`` (recursively, not through
    symlinked folders), each a regular file — anything else there is an error
    (folders are skipped with ``skip_folders``)."""
    folder = Path(folder)
    KNOWN.allow(folder)
    try:
        if not folder.is_dir():
            return []
        found = sorted(folder.rglob(pattern))
    except OSError as exc:
        raise _os_error(what, folder, exc) from None
    if skip_folders:
        found = [p for p in found if not _is_folder(p)]
    return [p for p in found if is_present(p, what)]


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False
