"""The verbs of `coordcheck` on a lab: up, down, status, repro, fix, break,
reset, compose, images. Heavy imports happen inside each verb."""

from __future__ import annotations

import argparse
import difflib
import os
import signal
from pathlib import Path

from coordcheck import consumers
from coordcheck.lab.console import CommandError, out, signals_deferred

#: the password of `up` when neither --password nor --password-file is given
#: (also the one docker-compose.sentinel.yml reads)
PASSWORD_ENV = "COORDCHECK_PASSWORD"


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
            with signals_deferred():
                state = super().write(*args, **kwargs)
                self.written = True
            return state

    return Lab


def _up(args: argparse.Namespace, run: dict) -> None:
    from coordcheck import kolla
    from coordcheck.lab.deployment import usable_root

    everywhere = [s for h, s in args.release if h is None]
    per_host = {h: s for h, s in args.release if h is not None}
    if args.release and not args.containers:
        raise CommandError("--release chooses the service containers' images: add --containers")
    unknown = sorted(set(per_host) - {f"ctl{i}" for i in range(1, args.controllers + 1)})
    if unknown:
        raise CommandError(f"--release {unknown[0]}=...: no such host (the lab's hosts are ctl1..ctl{args.controllers})")
    if args.consumers and args.containers != "docker":
        raise CommandError(f"--consumers runs {consumers.names()} containers: add --containers (docker)")
    root = usable_root(args.dir)
    password = _password(args)
    if password is not None:
        run["secrets"].append(password.reveal())
    deployment = run["deployment"] = _lab_class()(root)
    seconds = deployment.up(kolla.FLAVORS[args.flavor], password, sentinel_auth=not args.no_sentinel_auth,
                            ssh=args.ssh, engine=args.containers, servers=args.engine, image=args.image,
                            series=everywhere[-1] if everywhere else None, host_series=per_host,
                            controllers=args.controllers, backends=args.backends,
                            network_range=args.network, netns_hosts=args.netns, consumers=args.consumers)
    auth = "no sentinel password" if args.no_sentinel_auth else "sentinels require a password"
    flavor = args.flavor if args.engine == "compose" else f"{args.flavor}: {deployment.server_name()}"
    mixed = "".join(f", {h} {s}" for h, s in per_host.items())
    release = f" with {(everywhere or ['this venv'])[-1]}'s tooz and redis-py{mixed}" if args.release else ""
    also = f" with {consumers.names()}" if args.consumers else ""
    services = f", service containers on {args.containers}{release}{also}" if args.containers else ""
    layout = deployment.layout()
    ips = list(layout.hosts.values())
    where = f"{ips[0]}-{ips[-1].rsplit('.', 1)[1]}" if len(ips) > 1 else ips[0]
    isolated = ", a network namespace each" if args.netns else ""
    out(f"up: {len(layout.hosts)} controllers on {where}{isolated}; {len(layout.backends)} data nodes and "
        f"{len(layout.backends)} sentinels ({flavor}, {auth}{services}) ready in {seconds:.1f} s")
    out(f"inventory: {deployment.inventory}\nconfigdir: {deployment.root}")
    out(f"check it:  pytest --hosts=controllers --inventory={deployment.inventory} --configdir={deployment.root}")


def _break(args: argparse.Namespace) -> None:
    from coordcheck.lab import scenarios
    from coordcheck.lab.deployment import LocalDeployment

    if args.scenario == "list":
        for scenario in scenarios.SCENARIOS.values():
            out(f"{scenario.name:32} {scenario.description}")
        return
    name = args.scenario if args.scenario in scenarios.SCENARIOS else args.scenario.upper()
    if name not in scenarios.SCENARIOS:
        close = difflib.get_close_matches(name, scenarios.SCENARIOS, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise CommandError(f"unknown scenario {args.scenario!r} ({hint}known: {', '.join(scenarios.SCENARIOS)}; "
                           f"`coordcheck break list` describes them)")
    scenario = scenarios.apply(LocalDeployment(_existing_dir(args.dir)), name)
    out(f"break: {scenario.description}; the checklist now reports {scenario.finding}")


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
        out(compose.text(), end="")
        return
    if args.verb == "images":
        from coordcheck.lab import images
        say = None if args.quiet else (lambda line: out(f"images: {line}"))
        from coordcheck.kolla.releases import SERIES

        wanted = tuple(SERIES.values()) if args.all_releases else tuple(args.release)
        built = images.build(args.engine, args.rebuild, progress=say, series=wanted)
        out("images: " + (", ".join(f"{name} built in {secs:.0f} s" for name, secs in built.items())
                           or "all already there"))
        return
    from coordcheck.lab.deployment import LocalDeployment

    deployment = LocalDeployment(_existing_dir(args.dir))
    if args.verb == "down":
        stopped = deployment.down()
        out(f"down: stopped {len(stopped)} processes, removed what `up` created in {deployment.root}")
    elif args.verb == "status":
        for proc, running in deployment.processes():
            out(f"{proc.name:14} pid {proc.pid:<8} {'running' if running else 'stopped'}")
        for host, name, status in deployment.container_status():
            out(f"{host} {name:24} {status}")
        faults = deployment.faults()
        out("faults: not recorded (a lab made by an older coordcheck: `down`, then `up` again)" if faults is None
            else f"faults: {', '.join(faults)} (`coordcheck reset` undoes them)" if faults else "faults: none")
    elif args.verb == "reset":
        undone = deployment.reset()
        out(f"reset: {', '.join(undone) if undone else 'no fault was recorded'} undone; every file as `up` "
            f"wrote it, servers and sentinels restarted and agreed")
    else:
        from coordcheck.lab.scenarios import record_url_change

        paths = deployment.repro() if args.verb == "repro" else deployment.fix()
        record_url_change(deployment, args.verb)
        what = "without" if args.verb == "repro" else "with"
        out(f"{args.verb}: backend_url {what} sentinel_password written to {len(paths)} service configs")


def clean_after_interrupt(deployment) -> None:
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


