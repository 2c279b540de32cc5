"""``coordcheck up | down | status | repro | fix | break | reset | ...``: the local lab.

    $ coordcheck up --dir /tmp/kolla
    up: 3 data nodes and 3 sentinels (redis, sentinels require a password) agree in 2.3 s

Every error is one line, ``coordcheck <verb>: error: ...``, exit 2, with no
password in it; Ctrl-C is ``coordcheck <verb>: interrupted``, exit 130, and
leaves nothing running; a closed stdout (``coordcheck break list | head -1``)
ends quietly, exit 141 (as a process killed by SIGPIPE).

This module imports only the standard library at load time, so that a
Ctrl-C during start-up meets its handler rather than Python's.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import traceback
from pathlib import Path

from coordcheck import consumers
from coordcheck.lab import verbs
from coordcheck.lab.console import (CommandError, Interrupted, StdoutClosed, install_signal_handlers,
                                    raise_if_signalled, silence_stdout)
from coordcheck.lab.verbs import PASSWORD_ENV

DEFAULT_DIR = "coordcheck-deployment"
#: the lab's verbs and what each does (``coordcheck --help`` lists them)
VERBS = {
    "up": "write and start the deployment; returns when all sentinels agree",
    "down": "stop what `up` started and remove what it created",
    "status": "show what runs and the faults applied since `up` (or `reset`)",
    "repro": "write the incident's backend_url (no sentinel_password) into every service config",
    "fix": "write the fixed backend_url (with sentinel_password) into every service config",
    "break": "inject a fault: the checklist must then report its catalogue id",
    "reset": "put the lab back to what `up` left: every fault undone, every file restored, servers restarted",
    "compose": "print docker-compose.sentinel.yml (generated from the deployment's templates)",
    "images": "build the service images (Debian rootfs by debootstrap; no registry)",
}
EXIT_ERROR = 2
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
#: set to 1 for the traceback of an unexpected error (a bug)
DEBUG_ENV = "COORDCHECK_DEBUG"


class _Parser(argparse.ArgumentParser):
    """An argparse error is one line (no usage block), exit 2."""

    def error(self, message: str):
        raise CommandError(message)


def _one_line(text: str) -> str:
    return " ".join(str(text).split()) or "failed"


def _argv_secrets(argv: list[str]) -> list[str]:
    """Values given to ``--password`` (or an abbreviation of it) in ``argv``,
    and the environment's password: masked in every message, even when
    argparse rejects the command line."""
    found = [os.environ.get(PASSWORD_ENV, "")]
    for i, token in enumerate(argv):
        name, eq, value = token.partition("=")
        if len(name) >= 3 and "--password".startswith(name):
            found.append(value if eq else (argv[i + 1] if i + 1 < len(argv) else ""))
    return [s for s in found if s]


def _redact(text: str, secrets: list[str]) -> str:
    from coordcheck.secrets import MASK, Secret, redact

    usable = []
    for value in secrets:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8 on the command line
            text = text.replace(value, MASK)
        else:
            usable.append(Secret(value))
    return redact(text, usable)


def _mask_plainly(text: str, secrets: list[str]) -> str:
    from urllib.parse import quote, quote_plus

    for value in sorted(secrets, key=len, reverse=True):
        for form in (value, quote(value, safe="", errors="surrogateescape"), quote_plus(value, errors="surrogateescape")):
            text = text.replace(form, "***")
    return text


# -- arguments -------------------------------------------------------------------
def _dir_arg(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("empty: name the deployment's folder")
    return text


def series(text: str) -> str:
    """A Kolla release as its series: ``2025.1``, ``20.3.0`` or ``20`` -> ``2025.1``."""
    from coordcheck.kolla import KollaError, releases

    try:
        return releases.release_for(text).series
    except KollaError as exc:
        raise argparse.ArgumentTypeError(str(exc).split(": give ")[0]) from None


def host_series(text: str) -> tuple[str | None, str]:
    """``--release``: ``SERIES`` for every host, or ``HOST=SERIES`` for one (a mixed-release cloud)."""
    host, _, given = text.rpartition("=")
    if host and not host.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r}: give SERIES or HOST=SERIES (e.g. ctl3=2026.2)")
    return host or None, series(given)


def parser() -> argparse.ArgumentParser:
    from coordcheck import kolla

    top = _Parser(prog="coordcheck", description="A local Kolla-style Sentinel deployment for coordcheck.")
    verbs = top.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    up = verbs.add_parser("up", help=VERBS["up"])
    up.add_argument("--flavor", choices=sorted(kolla.FLAVORS), default="redis")
    given = up.add_mutually_exclusive_group()
    given.add_argument("--password", help=f"master and sentinel password (shows in ps and shell history: prefer "
                                          f"--password-file or {PASSWORD_ENV}; default: random)")
    given.add_argument("--password-file", metavar="FILE",
                       help="read the password from the first line of FILE (surrounding whitespace dropped)")
    up.add_argument("--no-sentinel-auth", action="store_true", help="sentinels without requirepass (stock Kolla)")
    up.add_argument("--ssh", action="store_true",
                    help="reach the hosts over real SSH (an sshd of its own on port 2222, key login)")
    up.add_argument("--engine", choices=["processes", "compose"], default="processes",
                    help="how the data nodes and sentinels run: processes, or docker-compose.sentinel.yml "
                         "(Compose v2 or v1, host networking)")
    up.add_argument("--image", help="with --engine compose: the image (SENTINEL_IMAGE; default redis:7)")
    up.add_argument("--release", type=host_series, action="append", default=[], metavar="[HOST=]SERIES",
                    help="with --containers: the services carry the tooz and redis-py this Kolla release ships "
                         "(2024.2 ... 2026.2, or a kolla-ansible version; default: this venv's); HOST=SERIES for "
                         "one host only, repeatable: a cloud mid-upgrade (--release 2026.1 --release ctl3=2026.2)")
    up.add_argument("--controllers", type=int, default=3, metavar="N", help="controllers ctl1..ctlN (default 3)")
    up.add_argument("--backends", type=int, default=3, metavar="M",
                    help="data nodes and sentinels, on the first M controllers (default 3)")
    up.add_argument("--network", metavar="CIDR",
                    help="the lab's addresses, e.g. 127.0.7.0/24 (default: the first free /24 from 127.0.2.0/24; "
                         "with --netns from 198.18.0.0/24; --engine compose: 127.0.2.0/24)")
    up.add_argument("--netns", action="store_true",
                    help="root only: every host in a network namespace of its own (veth pairs on a bridge), "
                         "its own sshd inside (implies --ssh); per-host network faults become real")
    up.add_argument("--containers", nargs="?", const="docker", choices=["docker", "podman"],
                    help="run the services in containers of this engine (default docker), one per host, "
                         "as Kolla names and lays them out; builds the images first if missing")
    up.add_argument("--consumers", action="store_true",
                    help=f"with --containers (docker): also {consumers.names()} containers "
                         f"({', '.join(c.fake.container for c in consumers.FAKED.values())}), each running its own client")
    verbs.add_parser("compose", help=VERBS["compose"])
    build = verbs.add_parser("images", help=VERBS["images"])
    build.add_argument("--engine", choices=["docker", "podman"], default="docker")
    build.add_argument("--rebuild", action="store_true")
    build.add_argument("-q", "--quiet", action="store_true", help="no line per build as it starts and ends")
    build.add_argument("--release", type=series, action="append", default=[], metavar="SERIES",
                       help="also the service image of this Kolla release's tooz and redis-py (repeat it)")
    build.add_argument("--all-releases", action="store_true", help="the service image of every release coordcheck knows")
    for name in ("down", "status", "repro", "fix", "reset"):
        verbs.add_parser(name, help=VERBS[name])
    broken = verbs.add_parser("break", help=VERBS["break"])
    broken.add_argument("scenario", help="a catalogue id, e.g. SENTINEL_AUTH_MISSING (see `coordcheck break list`)")
    for sub in verbs.choices.values():
        sub.add_argument("--dir", default=DEFAULT_DIR, type=_dir_arg, help=f"deployment folder (default: ./{DEFAULT_DIR})")
    return top


def parse(argv: list[str]) -> argparse.Namespace:
    """The arguments, or `CommandError`. Unknown arguments are named, their
    values never shown (one may be a password)."""
    args, extra = parser().parse_known_args(argv)
    if extra:
        names = [a.partition("=")[0] for a in extra if re.fullmatch(r"--?[A-Za-z][\w-]*(=.*)?", a, re.S)]
        others = len(extra) - len(names)
        more = f"{' and ' if names else ''}{others} value{'s' * (others != 1)} (not shown)" if others else ""
        raise CommandError(f"unrecognized arguments: {' '.join(names)}{more}")
    return args


# -- main ----------------------------------------------------------------------------
def _internal_error(exc: BaseException) -> str:
    """One line for an exception no one expected (a bug): its class and where,
    not its text (which might hold a password)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "coordcheck" in f.filename] or frames
    where = f" at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else ""
    return (f"unexpected {exc.__class__.__name__}{where} (a bug: please report it; "
            f"{DEBUG_ENV}=1 shows the traceback)")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    install_signal_handlers()
    context = {"secrets": _argv_secrets(argv), "deployment": None}
    prog = f"coordcheck {argv[0]}" if argv and argv[0] in VERBS else "coordcheck"
    try:
        try:
            args = parse(argv)
            prog = f"coordcheck {args.verb}"
            verbs.run(args, context)
            raise_if_signalled()
            sys.stdout.flush()
        except (StdoutClosed, BrokenPipeError):
            raise
        except CommandError as exc:
            return _fail(prog, str(exc), context)
        except Exception as exc:  # noqa: BLE001 - the one place where every error becomes one line
            return _fail(prog, _message(exc), context)
    except Interrupted as exc:
        what = "interrupted" if exc.signum == signal.SIGINT else "terminated"
        try:
            verbs.clean_after_interrupt(context["deployment"])
        except Exception as cleanup:  # noqa: BLE001 - still one line
            what += f"; cleaning up failed: {_masked_line(_message(cleanup), context)}"
        print(f"{prog}: {what}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:  # a SIGINT delivered before the handler was installed
        print(f"{prog}: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except (StdoutClosed, BrokenPipeError):
        silence_stdout()
        return EXIT_BROKEN_PIPE
    return 0


def _message(exc: Exception) -> str:
    """The one line an exception becomes: the text of our own errors, the
    file and reason of an OSError, a bug's class and place otherwise."""
    from coordcheck import kolla
    from coordcheck.lab.deployment import DeploymentError
    from coordcheck.lab.tools import ToolError

    if isinstance(exc, (DeploymentError, kolla.KollaError, ToolError)):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    if type(exc).__module__.split(".")[0] == "redis":
        return f"the servers answered {exc.__class__.__name__}: {exc}"
    if os.environ.get(DEBUG_ENV) == "1":
        traceback.print_exception(exc)
    return _internal_error(exc)


def _masked_line(message: str, context: dict) -> str:
    try:
        return _one_line(_redact(message, context["secrets"]))
    except Exception:  # noqa: BLE001 - the masking failed: mask the command line's secrets by hand
        return _one_line(_mask_plainly(message, context["secrets"]))


def _fail(prog: str, message: str, context: dict) -> int:
    print(f"{prog}: error: {_masked_line(message, context)}", file=sys.stderr)
    return EXIT_ERROR
