"""Ctrl-C (SIGINT) and SIGTERM end a run within a second, at any point, in
one line: while a run starts up (imports, options, the gate's rendering)
they end it at once; while it runs, the session's cleanup runs first (labs
stopped, no machine output that looks complete), and a second signal ends
the process at once. Probes in flight are
abandoned: their threads are not waited for, their child processes killed.
Once the program itself has ended (its outputs written, its exit code
decided) a signal changes nothing: CPython's finalisation would otherwise
die of it, exit -SIGINT with no line. Standard library only: it is
installed before anything heavy is imported.

    install()                     # start-up: a signal ends the process (exit 130)
    install(cleanup)              # the session: the first signal runs cleanup, then ends it
    with thread_pool(4) as pool:  # an interrupted block does not wait for its workers
        ...
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading

EXIT = 130
_state = {"cleanup": None, "received": 0, "settles": False}
_children: set[int] = set()
_lock = threading.Lock()


def quit_now(message: str = "interrupted") -> None:
    """One line, child processes killed, the process ended (threads not waited for)."""
    kill_children()
    try:
        sys.stdout.flush()
    except Exception:  # a closed pipe: nothing more to say there
        pass
    try:
        sys.stderr.write(f"coordcheck: {message}\n")
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(EXIT)


def _on_signal(signum: int, frame) -> None:
    _state["received"] += 1
    if _state["received"] == 1 and _state["cleanup"] is not None:
        try:  # here, not through KeyboardInterrupt: that would land in whatever runs (an import, a hook)
            _state["cleanup"]()
        except Exception:  # noqa: BLE001 - ending anyway; what was left is what the lab's `down` removes
            pass
    quit_now("interrupted again: stopped at once" if _state["received"] > 1 else "interrupted")


def install(cleanup=None) -> None:
    """From now on a signal runs ``cleanup`` (the session's: its lab stopped,
    its junit saying it did not complete), then ends the process; a second
    signal ends it at once."""
    if threading.current_thread() is threading.main_thread():
        _state["cleanup"] = cleanup
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _on_signal)
        if not _state["settles"]:
            atexit.register(_settled)
            _state["settles"] = True


def _settled() -> None:
    """At exit: the outcome is decided, later signals are ignored (an atexit
    function, so a library calling ``pytest.main`` keeps its own handlers)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def interrupted() -> bool:
    return _state["received"] > 0


# -- what is in flight -----------------------------------------------------------
def track(pid: int) -> None:
    """A child process group (``start_new_session=True``) to kill on interrupt."""
    with _lock:
        _children.add(pid)


def untrack(pid: int) -> None:
    with _lock:
        _children.discard(pid)


def kill_children() -> None:
    with _lock:
        pids = list(_children)
        _children.clear()
    for pid in pids:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


def run_bounded(argv: list[str], timeout: float, stdin: str | None = None, **popen) -> tuple[int | None, str, str]:
    """Run ``argv`` in a process group of its own, killed (children and all) at
    ``timeout`` s or when the run is interrupted: (returncode, stdout, stderr),
    returncode None when it was killed for time.

        run_bounded(["ansible-playbook", ...], timeout=600)   # -> (0, "...", "")
    """
    import subprocess

    proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            **popen)
    track(proc.pid)
    try:
        stdout, stderr = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        return None, stdout, stderr
    finally:
        untrack(proc.pid)
    return proc.returncode, stdout, stderr


@contextlib.contextmanager
def thread_pool(workers: int):
    """A ThreadPoolExecutor that, when its block is interrupted, cancels what
    has not started and does not wait for what has."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        yield pool
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        kill_children()
        raise
    finally:
        pool.shutdown(wait=not interrupted())
