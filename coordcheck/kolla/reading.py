"""Input files read with a bound: one clear line for a missing, binary, huge
or non-UTF-8 file (``/dev/zero`` included), never a traceback.

    text = read_text(Path("/etc/kolla/passwords.yml"), "passwords file")
"""

from __future__ import annotations

from pathlib import Path

from coordcheck.kolla import KollaError

#: Larger input files are refused (a passwords.yml is a few kB).
MAX_INPUT_BYTES = 4 * 1024 * 1024


def read_text(path: Path, what: str, limit: int = MAX_INPUT_BYTES) -> str:
    """A text file's content, at most ``limit`` bytes (devices included)."""
    try:
        if Path(path).is_dir():
            raise KollaError(f"{what} {path} is a directory")
        with open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except FileNotFoundError:
        raise KollaError(f"{what} {path} does not exist") from None
    except OSError as exc:
        raise KollaError(f"{what} {path} cannot be read: {exc.strerror or exc.__class__.__name__}") from None
    if b"\x00" in data[:65536]:
        raise KollaError(f"{what} {path} cannot be read: it is binary, not text")
    if len(data) > limit:
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"
        raise KollaError(f"{what} {path} is larger than {size}: not a Kolla file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise KollaError(f"{what} {path} cannot be read: it is not UTF-8 text") from None
