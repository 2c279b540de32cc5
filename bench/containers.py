"""coordcheck's figures for the service containers (issue 5), measured on the
local deployment with `--ssh --containers` in one run.

    python bench/containers.py [--rounds N] [--log-cap SECONDS]

Prints: the image build (when the images are missing), `coordcheck up` to
ready with containers, the checklist's wall time over SSH into containers
(docker; podman once), one in-container tooz handshake and one sentinel
probe run inside a container against the same from this machine, and how
long each broken service takes to log its first coordination error: Debian's
tooz 3.1.0 (CLIENT_TOO_OLD) and the incident's URL under tooz 9 + redis-py 8.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import testinfra
from common import checklist, spread, table, timed, write_section

from coordcheck import kolla  # noqa: E402
from coordcheck.observe import tooz as tooz_probe
from coordcheck.lab import images
from coordcheck.observe import probe
from coordcheck.observe import remote
from coordcheck.lab import scenarios
from coordcheck.observe.engine import Engine  # noqa: E402
from coordcheck.lab.deployment import LocalDeployment  # noqa: E402


def first_error_after(deployment: LocalDeployment, service: str, cap: float) -> str:
    """Seconds from the container's (re)start to its first 'No master found' line."""
    started = time.monotonic()
    while time.monotonic() - started < cap:
        if "No master found" in deployment.container_log(service):
            return f"{time.monotonic() - started:.1f} s"
        time.sleep(1.0)
    return f"> {cap:g} s (nothing logged at the cap)"


def show(name: str, values: list[float]) -> None:
    print(f"{name:62} median {statistics.median(values):6.2f} s  (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--log-cap", type=float, default=900.0, help="stop waiting for a service's log line after this")
    args = parser.parse_args()
    built = images.build("docker")
    ups, runs = [], []
    with tempfile.TemporaryDirectory(prefix="coordcheck-bench-") as tmp:
        for round_ in range(args.rounds):
            deployment = LocalDeployment(Path(tmp) / f"kolla{round_}")
            ups.append(deployment.up(kolla.FLAVORS["redis"], ssh=True, engine="docker"))
            try:
                runs.append(checklist(deployment))
                if round_ == args.rounds - 1:
                    local = Engine(testinfra.get_host("local://"), "docker")
                    password, sentinel = deployment.password(), probe.Address(deployment.address("ctl1"), kolla.SENTINEL_PORT)
                    handshake, result = timed(lambda: tooz_probe.handshake_in(
                        local, "cinder_volume", "/etc/cinder/cinder.conf", 5.0, 2.0, [password]))
                    assert result.ok, result
                    inside = remote.Remote(lambda script: local.python("cinder_volume", script, 8), "bench")
                    probed_inside, _ = timed(lambda: inside.sentinel(sentinel, "kolla", password, 2.0))
                    probed_here, _ = timed(lambda: probe.observe_sentinel(sentinel, "kolla", password, 2.0))
                    scenarios.apply(deployment, "CLIENT_TOO_OLD")
                    too_old = first_error_after(deployment, "designate-worker", args.log_cap)
                    path = scenarios.config_path(deployment, "ctl3", "masakari-api")
                    deployment.write_backend_url(deployment.incident_url(), [path])
                    deployment.container("restart", "masakari-api")
                    incident = first_error_after(deployment, "masakari-api", args.log_cap)
            finally:
                deployment.down()
        deployment = LocalDeployment(Path(tmp) / "podman")
        podman_up = deployment.up(kolla.FLAVORS["redis"], ssh=True, engine="podman")
        try:
            podman_run = checklist(deployment)
        finally:
            deployment.down()

    print(f"coordcheck containers bench, {args.rounds} rounds, SSH to each lab's free range, docker and podman")
    for image, seconds in built.items():
        print(f"{'image build: ' + image:62} {seconds:.1f} s")
    show("coordcheck up --ssh --containers: start to ready", ups)
    show("checklist over SSH into 3 containers, healthy (pytest exit 0)", [s for s, rc in runs if rc == 0])
    print(f"{'the same on podman (up; checklist, exit code)':62} {podman_up:.1f} s; {podman_run[0]:.1f} s (exit {podman_run[1]})")
    print(f"{'one tooz handshake inside cinder_volume (docker exec -i)':62} {handshake:.2f} s")
    print(f"{'one sentinel probed inside cinder_volume / from here':62} {probed_inside:.2f} s / {probed_here:.3f} s")
    print(f"{'first log error, Debian tooz 3.1.0 (CLIENT_TOO_OLD)':62} {too_old}")
    print(f"{'first log error, incident URL, tooz 9.1 + redis-py 8.1':62} {incident}")
    if len(runs) != args.rounds or podman_run[1] != 0:
        raise SystemExit("a checklist run ended with an unexpected exit code")
    write_section("containers", table(["what", "figure"], [
        *[[f"image build: {image}", f"{seconds:.0f} s"] for image, seconds in built.items()],
        ["`coordcheck up --ssh --containers`, start to ready", spread(ups)],
        ["checklist over SSH into 3 containers, healthy", f"{spread([s for s, _ in runs])}; podman {podman_run[0]:.1f} s"],
        ["one tooz handshake inside a container (`docker exec -i ... python3 -`)", f"{handshake:.2f} s"],
        ["one sentinel probed inside a container / from the runner", f"{probed_inside:.2f} s / {probed_here:.3f} s"],
        ["first coordination error in the log: Debian tooz 3.1.0 + redis-py 4.3.4", too_old],
        ["first coordination error in the log: the incident's URL, this venv's tooz + redis-py, 3 sentinels",
         incident]]))


if __name__ == "__main__":
    main()
