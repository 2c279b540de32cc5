"""``coordcheck up | down | status | repro | fix | break`` for the local deployment.

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
import difflib
import os
import re
import signal
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path

DEFAULT_DIR = "coordcheck-deployment"
VERBS = ("up", "down", "status", "repro", "fix", "break", "compose", "images")
#: the password of `up` when neither --password nor --password-file is given
#: (also the one docker-compose.sentinel.yml reads)
PASSWORD_ENV = "COORDCHECK_PASSWORD"
EXIT_ERROR = 2
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
#: set to 1 for the traceback of an unexpected error (a bug)
DEBUG_ENV = "COORDCHECK_DEBUG"


class CommandError(Exception):
    """What the command cannot do, in one line (printed after ``coordcheck <verb>: error:``)."""


class Interrupted(KeyboardInterrupt):
    """SIGINT (Ctrl-C) or SIGTERM; cleanup code that handles KeyboardInterrupt handles it too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _StdoutClosed(Exception):
    """Whoever read our output has gone (``| head -1``)."""


class _Parser(argparse.ArgumentParser):
    """An argparse error is one line (no usage block), exit 2."""

    def error(self, message: str):
        raise CommandError(message)


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
def _signals_deferred():
    """Hold SIGINT/SIGTERM until the block is done, then act on them."""
    _signals["defer"] = True
    try:
        yield
    finally:
        _signals["defer"] = False
    if _signals["pending"]:
        _on_signal(_signals["pending"], None)


def _install_signal_handlers() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _on_signal)
    sys.unraisablehook = _unraisable


def _unraisable(unraisable) -> None:
    """A signal that landed where Python swallows exceptions (a weakref or
    import-lock callback) is not news: `_raise_if_signalled` acts on it."""
    if not isinstance(unraisable.exc_value, Interrupted):
        sys.__unraisablehook__(unraisable)


def _raise_if_signalled() -> None:
    """The command finished, but a signal arrived that was swallowed on the way."""
    if _signals["received"]:
        raise Interrupted(_signals["received"])


# -- output ----------------------------------------------------------------------
def _out(text: str, end: str = "\n") -> None:
    _raise_if_signalled()
    try:
        print(text, end=end, flush=True)
    except BrokenPipeError:
        raise _StdoutClosed() from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not
    complain about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


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


def parser() -> argparse.ArgumentParser:
    from coordcheck import kolla
    from coordcheck.lab import compose

    top = _Parser(prog="coordcheck", description="A local Kolla-style Sentinel deployment for coordcheck.")
    verbs = top.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    up = verbs.add_parser("up", help="write and start the deployment; returns when all sentinels agree")
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
    up.add_argument("--containers", nargs="?", const="docker", choices=["docker", "podman"],
                    help="run the services in containers of this engine (default docker), one per host, "
                         "as Kolla names and lays them out; builds the images first if missing")
    verbs.add_parser("compose", help=f"print {compose.FILE_NAME} (generated from the deployment's templates)")
    build = verbs.add_parser("images", help="build the service images (Debian rootfs by debootstrap; no registry)")
    build.add_argument("--engine", choices=["docker", "podman"], default="docker")
    build.add_argument("--rebuild", action="store_true")
    for name, text in (("down", "stop what `up` started and remove what it created"),
                       ("status", "show what runs"),
                       ("repro", "write the incident's backend_url (no sentinel_password) into every service config"),
                       ("fix", "write the fixed backend_url (with sentinel_password) into every service config")):
        verbs.add_parser(name, help=text)
    broken = verbs.add_parser("break", help="inject a fault: the checklist must then report its catalogue id")
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


def _password(args: argparse.Namespace):
    """The `Secret` that `up` deploys (None: a random one), or `CommandError`."""
    from coordcheck import kolla
    from coordcheck.lab.deployment import password_problem, read_password_file
    from coordcheck.secrets import Secret

    if args.password is not None:
        value, origin = args.password, "--password"
    elif args.password_file is not None:
        value, origin = read_password_file(args.password_file), f"--password-file {args.password_file}"
    elif PASSWORD_ENV in os.environ:
        value, origin = os.environ[PASSWORD_ENV], PASSWORD_ENV
    else:
        return None
    if not value:
        raise CommandError(f"{origin} is empty (leave the password out for a random one)")
    problem = password_problem(value, kolla.FLAVORS[args.flavor])
    if problem:
        raise CommandError(f"{origin}: {problem}")
    return Secret(value)


def _existing_dir(text: str) -> Path:
    """``--dir`` of a verb that works on a deployment made by `up`."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise CommandError(f"--dir {text} is not a folder")
    return path


# -- the verbs -------------------------------------------------------------------
def _lab_class():
    from coordcheck.lab.deployment import LocalDeployment

    class Lab(LocalDeployment):
        """`LocalDeployment` whose ``write`` a signal does not cut short: an
        interrupted write would leave files that no state records."""

        written = False

        def write(self, *args, **kwargs):
            with _signals_deferred():
                state = super().write(*args, **kwargs)
                self.written = True
            return state

    return Lab


def _up(args: argparse.Namespace, run: dict) -> None:
    from coordcheck import kolla
    from coordcheck.lab.deployment import usable_root

    root = usable_root(args.dir)
    password = _password(args)
    if password is not None:
        run["secrets"].append(password.reveal())
    deployment = run["deployment"] = _lab_class()(root)
    seconds = deployment.up(kolla.FLAVORS[args.flavor], password, sentinel_auth=not args.no_sentinel_auth,
                            ssh=args.ssh, engine=args.containers, servers=args.engine, image=args.image)
    auth = "no sentinel password" if args.no_sentinel_auth else "sentinels require a password"
    services = f", service containers on {args.containers}" if args.containers else ""
    _out(f"up: 3 data nodes and 3 sentinels ({args.flavor}, {auth}{services}) ready in {seconds:.1f} s")
    _out(f"inventory: {deployment.inventory}\nconfigdir: {deployment.root}")
    _out(f"check it:  pytest --hosts=controllers --inventory {deployment.inventory} --configdir {deployment.root}")


def _break(args: argparse.Namespace) -> None:
    from coordcheck.lab import scenarios
    from coordcheck.lab.deployment import LocalDeployment

    if args.scenario == "list":
        for scenario in scenarios.SCENARIOS.values():
            _out(f"{scenario.name:32} {scenario.description}")
        return
    name = args.scenario if args.scenario in scenarios.SCENARIOS else args.scenario.upper()
    if name not in scenarios.SCENARIOS:
        close = difflib.get_close_matches(name, scenarios.SCENARIOS, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise CommandError(f"unknown scenario {args.scenario!r} ({hint}known: {', '.join(scenarios.SCENARIOS)}; "
                           f"`coordcheck break list` describes them)")
    scenario = scenarios.apply(LocalDeployment(_existing_dir(args.dir)), name)
    _out(f"break: {scenario.description}; the checklist now reports {scenario.finding}")


def run(args: argparse.Namespace, context: dict | None = None) -> None:
    context = {"secrets": [], "deployment": None} if context is None else context
    if args.verb == "up":
        _up(args, context)
        return
    if args.verb == "break":
        _break(args)
        return
    if args.verb == "compose":
        from coordcheck.lab import compose
        _out(compose.text(), end="")
        return
    if args.verb == "images":
        from coordcheck.lab import images
        built = images.build(args.engine, args.rebuild)
        _out("images: " + (", ".join(f"{name} built in {secs:.0f} s" for name, secs in built.items())
                           or "all already there"))
        return
    from coordcheck.lab.deployment import LocalDeployment

    deployment = LocalDeployment(_existing_dir(args.dir))
    if args.verb == "down":
        stopped = deployment.down()
        _out(f"down: stopped {len(stopped)} processes, removed what `up` created in {deployment.root}")
    elif args.verb == "status":
        for proc, running in deployment.processes():
            _out(f"{proc.name:14} pid {proc.pid:<8} {'running' if running else 'stopped'}")
        for host, name, status in deployment.container_status():
            _out(f"{host} {name:24} {status}")
    else:
        paths = deployment.repro() if args.verb == "repro" else deployment.fix()
        what = "without" if args.verb == "repro" else "with"
        _out(f"{args.verb}: backend_url {what} sentinel_password written to {len(paths)} service configs")


# -- after an interrupted `up` -------------------------------------------------------
def _clean_after_interrupt(deployment) -> None:
    """What an interrupted `up` may leave: a complete write whose start had
    not begun (`LocalDeployment.up` cleans up once it has), and a server
    forked at the very moment of the signal, before its pid was recorded."""
    if deployment is None:
        return
    if deployment.written and deployment.state_file.exists():
        deployment.down()
    for pid in _processes_in(deployment.state_dir):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _processes_in(folder: Path) -> list[int]:
    """Processes whose working directory is (was) ``folder`` or below it: the
    deployment's servers run in ``.coordcheck/<host>``."""
    prefix, found = str(folder), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = os.readlink(entry / "cwd").removesuffix(" (deleted)")
        except OSError:
            continue
        if cwd == prefix or cwd.startswith(prefix + "/"):
            found.append(int(entry.name))
    return found


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
    _install_signal_handlers()
    argv = sys.argv[1:] if argv is None else list(argv)
    context = {"secrets": _argv_secrets(argv), "deployment": None}
    prog = f"coordcheck {argv[0]}" if argv and argv[0] in VERBS else "coordcheck"
    try:
        try:
            args = parse(argv)
            prog = f"coordcheck {args.verb}"
            run(args, context)
            _raise_if_signalled()
            sys.stdout.flush()
        except (_StdoutClosed, BrokenPipeError):
            raise
        except CommandError as exc:
            return _fail(prog, str(exc), context)
        except Exception as exc:  # noqa: BLE001 - the one place where every error becomes one line
            return _fail(prog, _message(exc), context)
    except Interrupted as exc:
        what = "interrupted" if exc.signum == signal.SIGINT else "terminated"
        try:
            _clean_after_interrupt(context["deployment"])
        except Exception as cleanup:  # noqa: BLE001 - still one line
            what += f"; cleaning up failed: {_masked_line(_message(cleanup), context)}"
        print(f"{prog}: {what}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:  # a SIGINT delivered before the handler was installed
        print(f"{prog}: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except (_StdoutClosed, BrokenPipeError):
        _silence_stdout()
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
