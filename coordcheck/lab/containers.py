"""The local deployment's service containers (`coordcheck up --containers`):
one coordination service per host, named and laid out as Kolla does —
the host's ``<node_config_directory>/<service>/`` mounted read-only at
``/var/lib/kolla/config_files`` and copied to ``/etc/<project>/`` at start,
its logs in ``/var/log/kolla/<project>/`` (the host's ``kolla_logs``) —
running a real tooz client loop (`coordcheck/container/service.py`) with
host networking, so it reaches the loopback addresses the sentinels announce.

    cinder_volume     on ctl1   image coordcheck/service:current
    designate_worker  on ctl2
    masakari_api      on ctl3
"""

from __future__ import annotations

import json
import resource
import subprocess
from pathlib import Path

from coordcheck import kolla
from coordcheck.lab import images
from coordcheck.lab import tools
from coordcheck.consumers import FAKED, Consumer
from coordcheck.observe.engine import PS_FORMAT, config_in_container, container_name, parse_ps
from coordcheck.lab.tools import ToolError
from coordcheck.observe import transport

#: Where each service runs, as an inventory would place it (names are unique per engine).
PLACEMENT = {"ctl1": "cinder-volume", "ctl2": "designate-worker", "ctl3": "masakari-api"}
#: With ``up --consumers``: the consumers with a client of their own, host -> its record (its fake names the service)
CONSUMER_PLACEMENT = FAKED
CONSUMER_LOOP = "/usr/local/lib/coordcheck/consumer.py"
LABEL = "org.coordcheck.deployment"
SERVICE_LOOP = "/usr/local/lib/coordcheck/service.py"
#: The host's folder behind /var/log/kolla in its containers (Kolla: the kolla_logs volume)
KOLLA_LOGS = "kolla_logs"


class ContainerError(ToolError):
    """The engine cannot serve the deployment; one line."""


def service(name: str) -> kolla.CoordinationService:
    return next(s for s in kolla.LOCAL_SERVICES if s.service == name)


def config_json(svc: kolla.CoordinationService) -> str:
    """Kolla's config.json for the service: copy the config in, run the loop."""
    dest = config_in_container(svc.project)
    return json.dumps({
        "command": f"python3 {SERVICE_LOOP} {dest} {svc.service}",
        "config_files": [{"source": f"/var/lib/kolla/config_files/{svc.config_name}", "dest": dest,
                          "owner": svc.project, "perm": "0600"}],
    }, indent=1) + "\n"


def consumer_config_json(consumer: Consumer, file_names: list[str]) -> str:
    """config.json of a consumer's container: its files copied in (the first
    is its config; horizon's go to local_settings.d), its client's loop run
    with what the record says (its name, client routine, project)."""
    dest = consumer.path_inside
    folder = dest.rsplit("/", 1)[0]
    return json.dumps({
        "command": f"python3 {CONSUMER_LOOP} {consumer.name} {consumer.client} {consumer.project} {dest} "
                   f"{consumer.fake.service}",
        "config_files": [{"source": f"/var/lib/kolla/config_files/{name}", "dest": f"{folder}/{name}",
                          "owner": consumer.project, "perm": "0600"} for name in file_names],
    }, indent=1) + "\n"


def _engine(engine: str, *args: str, timeout: float = 60) -> str:
    return tools.run([engine, *args], f"{engine} {args[0]}", timeout).stdout


def run(engine: str, root: Path, host: str, service_name: str, image: str) -> str:
    """Start the service's container for ``host`` (detached), replacing the
    deployment's own container of that name; returns the name."""
    name = container_name(service_name)
    if name in ours(engine, root):
        _engine(engine, "rm", "-f", name, timeout=120)
    logs = root / host / KOLLA_LOGS
    logs.mkdir(exist_ok=True)
    _engine(engine, "run", "-d", "--name", name, "--network", "host", "--label", f"{LABEL}={root}",
            *limits(engine), "-v", f"{root / host / service_name}:/var/lib/kolla/config_files:ro",
            "-v", f"{logs}:/var/log/kolla", image)
    return name


def limits(engine: str) -> list[str]:
    """podman raises the open-files and processes limits of every container
    by default; where raising them is not allowed (seen in sandboxes: "error
    setting rlimit type 7: operation not permitted"), ask for what this
    process has, or less."""
    if engine != "podman":
        return []
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    processes = min(resource.getrlimit(resource.RLIMIT_NPROC)[1], 4096)  # the same value is refused too
    return ["--ulimit", f"nofile={files}:{files}", "--ulimit", f"nproc={processes - 1}:{processes - 1}"]


def labelled(engine: str, label: str) -> dict[str, str]:
    """The engine's containers carrying ``label`` (``key=value``): name -> state."""
    listed = _engine(engine, "ps", "-a", "--filter", f"label={label}", "--format", PS_FORMAT[engine])
    return {name: c.state for name, c in parse_ps(engine, listed).items()}


def states(engine: str, root: Path) -> dict[str, str]:
    """The containers this deployment started: name -> state."""
    return labelled(engine, f"{LABEL}={root}")


def ours(engine: str, root: Path) -> list[str]:
    return list(states(engine, root))


def remove(engine: str, root: Path) -> list[str]:
    names = ours(engine, root)
    if names:
        _engine(engine, "rm", "-f", *names, timeout=120)
    return names


def check_free(engine: str) -> None:
    """Kolla's names must be free on this engine (another deployment's?)."""
    taken = set(_engine(engine, "ps", "-a", "--format", "{{.Names}}").split())
    ours = [*PLACEMENT.values(), *(c.fake.service for c in CONSUMER_PLACEMENT.values())]
    clash = sorted(taken & {container_name(s) for s in ours})
    if clash:
        raise ContainerError(f"containers {', '.join(clash)} already exist on {engine} (`{engine} rm -f` them, "
                             "or `coordcheck down` the deployment that made them)")


def ensure_images(engine: str, wanted: tuple[str, ...], series: tuple[str, ...] = ()) -> dict[str, float]:
    """Build the images if this engine lacks them (about a minute once; with
    the release images of ``series``); podman takes docker's copies."""
    return images.build(engine, series=series) if images.missing(engine, wanted) else {}


def python_in(engine: str, image: str, script: str, deadline: float,
              volumes: dict[str, str] | None = None) -> transport.Result:
    """``script`` (on stdin) run by the Python of a throwaway container of
    ``image`` on the host's network, killed at ``deadline`` s: a release's
    clients tried without a deployment of them (``volumes``: host folder ->
    the container's, read-only: a consumer's config)."""
    python, seconds = transport.python_killed_after(deadline)
    mounts = [arg for source, dest in (volumes or {}).items() for arg in ("-v", f"{source}:{dest}:ro")]
    try:
        done = subprocess.run([engine, "run", "--rm", "-i", "--network", "host", "-e", "PYTHONDONTWRITEBYTECODE=1",
                               *mounts, image, *python],
                              input=script, capture_output=True, text=True, timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        return transport.Result(None, "", f"{engine} run {image} did not end")
    return transport.Result(done.returncode, done.stdout, done.stderr)


def log(engine: str, name: str) -> str:
    """What the container logged since its creation (stdout and stderr)."""
    done = tools.run([engine, "logs", name], f"{engine} logs {name}", timeout=60)
    return done.stdout + done.stderr


def control(engine: str, action: str, name: str) -> None:
    """``start``, ``stop`` or ``restart`` one container."""
    _engine(engine, action, name, timeout=90)
