"""``coordcheck up | down | status | repro | fix | break`` for the local deployment.

    $ coordcheck up --dir /tmp/kolla
    up: 3 data nodes and 3 sentinels (redis, sentinels require a password) agree in 2.3 s
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coordcheck import compose, images, kolla, scenarios
from coordcheck.local import DeploymentError, LocalDeployment
from coordcheck.secrets import Secret
from coordcheck.tools import ToolError

DEFAULT_DIR = "coordcheck-deployment"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="coordcheck", description="A local Kolla-style Sentinel deployment for coordcheck.")
    verbs = top.add_subparsers(dest="verb", required=True)
    up = verbs.add_parser("up", help="write and start the deployment; returns when all sentinels agree")
    up.add_argument("--flavor", choices=sorted(kolla.FLAVORS), default="redis")
    up.add_argument("--password", help="master and sentinel password (default: random)")
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
        sub.add_argument("--dir", default=DEFAULT_DIR, type=Path, help=f"deployment folder (default: ./{DEFAULT_DIR})")
    return top


def run(args: argparse.Namespace) -> None:
    deployment = LocalDeployment(args.dir)
    if args.verb == "up":
        seconds = deployment.up(kolla.FLAVORS[args.flavor], Secret(args.password) if args.password else None,
                                sentinel_auth=not args.no_sentinel_auth, ssh=args.ssh, engine=args.containers,
                                servers=args.engine, image=args.image)
        auth = "no sentinel password" if args.no_sentinel_auth else "sentinels require a password"
        services = f", service containers on {args.containers}" if args.containers else ""
        print(f"up: 3 data nodes and 3 sentinels ({args.flavor}, {auth}{services}) ready in {seconds:.1f} s")
        print(f"inventory: {deployment.inventory}\nconfigdir: {deployment.root}")
        print(f"check it:  pytest --hosts=controllers --inventory {deployment.inventory} --configdir {deployment.root}")
    elif args.verb == "down":
        stopped = deployment.down()
        print(f"down: stopped {len(stopped)} processes, removed what `up` created in {deployment.root}")
    elif args.verb == "compose":
        print(compose.text(), end="")
    elif args.verb == "images":
        built = images.build(args.engine, args.rebuild)
        print("images: " + (", ".join(f"{name} built in {secs:.0f} s" for name, secs in built.items())
                            or "all already there"))
    elif args.verb == "status":
        for proc, running in deployment.processes():
            print(f"{proc.name:14} pid {proc.pid:<8} {'running' if running else 'stopped'}")
        for host, name, status in deployment.container_status():
            print(f"{host} {name:24} {status}")
    elif args.verb == "break":
        if args.scenario == "list":
            for scenario in scenarios.SCENARIOS.values():
                print(f"{scenario.name:32} {scenario.description}")
            return
        scenario = scenarios.apply(deployment, args.scenario)
        print(f"break: {scenario.description}; the checklist now reports {scenario.finding}")
    else:
        paths = deployment.repro() if args.verb == "repro" else deployment.fix()
        what = "without" if args.verb == "repro" else "with"
        print(f"{args.verb}: backend_url {what} sentinel_password written to {len(paths)} service configs")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        run(args)
    except (DeploymentError, kolla.KollaError, ToolError) as exc:
        print(f"coordcheck {args.verb}: error: {exc}", file=sys.stderr)
        return 2
    return 0
