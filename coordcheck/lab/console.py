"""What every `coordcheck` verb shares: its one-line error, signals that
end it cleanly (Ctrl-C, SIGTERM), and output that survives a closed pipe.
Standard library only: a Ctrl-C during start-up meets these handlers."""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager


class CommandError(Exception):
    """What the command cannot do, in one line (printed after ``coordcheck <verb>: error:``)."""


class Interrupted(KeyboardInterrupt):
    """SIGINT (Ctrl-C) or SIGTERM; cleanup code that handles KeyboardInterrupt handles it too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class StdoutClosed(Exception):
    """Whoever read our output has gone (``| head -1``)."""


# -- signals -------------------------------------------------------------------
_signals = {"defer": False, "pending": None, "received": None}


def _on_signal(signum: int, frame) -> None:
    """The first SIGINT/SIGTERM raises `Interrupted`; later ones are ignored,
    so that the cleanup it starts (`LocalDeployment.up` stops what it
    started) runs to its end."""
    if _signals["defer"]:
        _signals["pending"] = _signals["pending"] or signum
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    _signals["received"] = signum
    raise Interrupted(signum)


@contextmanager
def signals_deferred():
    """Hold SIGINT/SIGTERM until the block is done, then act on them."""
    _signals["defer"] = True
    try:
        yield
    finally:
        _signals["defer"] = False
    if _signals["pending"]:
        _on_signal(_signals["pending"], None)


def install_signal_handlers() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _on_signal)
    sys.unraisablehook = _unraisable


def _unraisable(unraisable) -> None:
    """A signal that landed where Python swallows exceptions (a weakref or
    import-lock callback) is not news: `raise_if_signalled` acts on it."""
    if not isinstance(unraisable.exc_value, Interrupted):
        sys.__unraisablehook__(unraisable)


def raise_if_signalled() -> None:
    """The command went on, but a signal arrived that was swallowed on the way."""
    if _signals["received"]:
        raise Interrupted(_signals["received"])


# -- output ----------------------------------------------------------------------
def out(text: str, end: str = "\n") -> None:
    raise_if_signalled()
    try:
        print(text, end=end, flush=True)
    except BrokenPipeError:
        raise StdoutClosed() from None


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not
    complain about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
