"""What every `coordcheck` verb shares, run in a Python of its own (the
handlers are process-wide): a signal deferred over a block and acted on
after it, one Ctrl-C only, and output into a closed pipe ending quietly."""

import subprocess
import sys
import textwrap

from coordcheck.lab.console import CommandError, Interrupted
from tests.conftest import PROJECT


def python(script: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=60, cwd=PROJECT)


def test_a_signal_during_a_deferred_block_is_acted_on_after_it():
    done = python("""
        import os, signal
        from coordcheck.lab.console import Interrupted, install_signal_handlers, signals_deferred
        install_signal_handlers()
        try:
            with signals_deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                print("the block ran to its end", flush=True)
        except Interrupted as exc:
            print("then interrupted by", signal.Signals(exc.signum).name)
    """)
    assert done.stdout.splitlines() == ["the block ran to its end", "then interrupted by SIGTERM"], done.stderr


def test_a_second_ctrl_c_does_not_cut_the_cleanup_short():
    done = python("""
        import os, signal
        from coordcheck.lab.console import Interrupted, install_signal_handlers
        install_signal_handlers()
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except KeyboardInterrupt as exc:            # cleanup code that handles Ctrl-C handles it too
            os.kill(os.getpid(), signal.SIGINT)      # ignored from now on
            print("cleaned up after", type(exc).__name__)
    """)
    assert done.stdout == "cleaned up after Interrupted\n" and done.returncode == 0, done.stderr


def test_a_swallowed_signal_is_raised_at_the_next_output():
    done = python("""
        import os, signal
        from coordcheck.lab import console
        console.install_signal_handlers()
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        except console.Interrupted:
            pass                                       # swallowed on the way, as a weakref callback would
        try:
            console.out("never shown")
        except console.Interrupted as exc:
            print("raised again:", exc.signum == signal.SIGTERM)
    """)
    assert done.stdout == "raised again: True\n", done.stderr


def test_output_into_a_closed_pipe_ends_quietly():
    reader = subprocess.Popen(["head", "-1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    done = python("""
        from coordcheck.lab.console import StdoutClosed, out, silence_stdout
        try:
            for n in range(200000):
                out(f"line {n}")
        except StdoutClosed:
            silence_stdout()
            raise SystemExit(3)
    """, stdout=reader.stdin)
    reader.stdin.close()
    assert reader.stdout.read() == "line 0\n" and reader.wait(10) == 0
    assert done.returncode == 3 and done.stderr == ""


def test_an_interruption_is_a_keyboard_interrupt_and_an_error_is_one_line():
    assert isinstance(Interrupted(2), KeyboardInterrupt) and Interrupted(15).signum == 15
    assert not issubclass(CommandError, KeyboardInterrupt) and str(CommandError("one line")) == "one line"
