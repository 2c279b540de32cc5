"""``coordcheck``: one command for the checklist, the gate and the lab.

    coordcheck check --hosts=controllers --inventory=/etc/kolla/multinode   # the live checklist (pytest options pass)
    coordcheck gate --configdir=etc/kolla --inventory=multinode             # a config repository, in CI
    coordcheck render --configdir=etc/kolla --inventory=multinode           # what Kolla will write
    coordcheck watch --every 60s --textfile DIR/coordcheck.prom [check options]  # the checklist as a monitor
    coordcheck prometheus-rules                                              # alerting rules on its metrics
    coordcheck up | down | status | repro | fix | break | reset | ...       # the local lab

A closed stdout (``coordcheck render ... | head``) ends quietly with 141, as a
process killed by SIGPIPE would; the run itself still ends cleanly.
"""

from __future__ import annotations

import signal
import sys

EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE

#: verb -> (what it does, how it runs); the lab's verbs are `coordcheck.cli.lab.VERBS`
VERBS = {
    "check": "the live checklist against a Kolla inventory (every pytest option passes through)",
    "gate": "the config-repository gate: what Kolla will render, judged per host, service and option",
    "render": "what Kolla will write: every Sentinel consumer option with its value (masked) and source",
    "watch": "the live checklist on a timer, its metrics in a node_exporter textfile (--once: one round, for cron)",
    "prometheus-rules": "print Prometheus alerting rules on coordcheck's metrics, each with its catalogue fix",
}


class _QuietPipe:
    """stdout that swallows a closed pipe: the rest of the run goes nowhere."""

    def __init__(self, stream) -> None:
        self._stream, self.closed_pipe = stream, False

    def write(self, text: str) -> int:
        if not self.closed_pipe:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._close()
        return len(text)

    def flush(self) -> None:
        if not self.closed_pipe:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._close()

    def _close(self) -> None:
        import os

        self.closed_pipe = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, self._stream.fileno())  # Python's own flush at exit finds somewhere to write
        os.close(devnull)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version as installed

    try:
        return installed("coordcheck")
    except PackageNotFoundError:
        from coordcheck import __version__
        return __version__


def usage() -> str:
    from coordcheck.cli import lab

    width = max(map(len, [*VERBS, *lab.VERBS]))
    lines = ["usage: coordcheck VERB [options]   (coordcheck VERB --help for a verb's options)", "",
             "The checklist and the gate:"]
    lines += [f"  {verb:<{width}}  {text}" for verb, text in VERBS.items()]
    lines += ["", "The local lab (an authenticated Sentinel cloud on loopback):"]
    lines += [f"  {verb:<{width}}  {text}" for verb, text in lab.VERBS.items()]
    lines += ["", "  --version  print coordcheck's version", "  --help     this list"]
    return "\n".join(lines)


def _pytest(argv: list[str]) -> int:
    """pytest with its rootdir where coordcheck runs (pytest's own ``--rootdir``, unless
    given): test ids then read ``tests_infra/...`` from any folder, whichever way the
    paths are written (``--inventory /etc/kolla/x`` would otherwise make /etc/kolla pytest's rootdir)."""
    import os

    import pytest

    given = any(a == "--rootdir" or a.startswith("--rootdir=") for a in argv)
    return int(pytest.main(argv if given else [f"--rootdir={os.getcwd()}", *argv]))


def _run(argv: list[str]) -> int:
    verb, rest = (argv[0], argv[1:]) if argv else ("", [])
    if verb in ("-h", "--help", "help"):
        print(usage())
        return 0
    if verb in ("-V", "--version"):
        print(f"coordcheck {version()}")
        return 0
    if verb == "check":
        return _pytest(["--checklist", *rest])
    if verb == "gate":
        return _pytest(["--checklist", "--gate", "-m", "config", *rest])
    if verb == "render":
        from coordcheck.cli import render
        return render.main(rest)
    if verb in ("watch", "prometheus-rules"):
        from coordcheck.cli import watch
        return watch.watch(rest) if verb == "watch" else watch.prometheus_rules(rest)
    from coordcheck.cli import lab
    if verb not in lab.VERBS:
        known = ", ".join([*VERBS, *lab.VERBS])
        said = f"unknown verb {verb[:40]!r}" if verb else "no verb"
        print(f"coordcheck: error: {said} (verbs: {known}; coordcheck --help says what each does)", file=sys.stderr)
        return 2
    return lab.main(argv)


def main(argv: list[str] | None = None) -> int:
    from coordcheck import interrupt

    interrupt.install()  # Ctrl-C ends any verb within a second (the lab's verbs install their own)
    argv = sys.argv[1:] if argv is None else list(argv)
    stdout = sys.stdout = _QuietPipe(sys.stdout)
    try:
        code = _run(argv)
    except BrokenPipeError:
        stdout.closed_pipe = True
        code = 0
    except KeyboardInterrupt:  # Ctrl-C before a verb's own handler exists (while importing it)
        verb = argv[0] if argv and argv[0].isidentifier() and len(argv[0]) < 20 else ""
        print(f"coordcheck{' ' + verb if verb else ''}: interrupted", file=sys.stderr)
        code = 128 + signal.SIGINT
    return EXIT_BROKEN_PIPE if stdout.closed_pipe else code
