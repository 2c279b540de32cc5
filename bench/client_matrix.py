"""How long until a service notices the incident, and what it logs, per
Kolla release (issue 13): the lab's service loop (a tooz coordinator, as
cinder or designate run it) in a throwaway container of each release's image
(`coordcheck images --all-releases`), given the incident's URL (no
sentinel_password) against sentinels that require one. All releases run at
once; each is followed until its first ERROR line or the cap.

    python bench/client_matrix.py [--cap SECONDS]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import time
from pathlib import Path

from common import table, write_section  # the project on sys.path

from coordcheck import kolla  # noqa: E402
from coordcheck import url as urls  # noqa: E402
from coordcheck.kolla import releases  # noqa: E402
from coordcheck.lab import images  # noqa: E402
from coordcheck.lab.containers import SERVICE_LOOP  # noqa: E402
from coordcheck.lab.deployment import LocalDeployment  # noqa: E402
from coordcheck.lab.kolla_files import service_config_text  # noqa: E402

ERROR = re.compile(r"^\S+ \S+ \d+ ERROR .*$|^\S*(ToozConnectionError|MasterNotFoundError|AuthenticationError)\S*: .*$", re.M)


def shortened(line: str) -> str:
    """tooz's message without the redis-py client's repr, with the error it ends on."""
    head = line.split(" : <redis.client.", 1)[0]
    cause = re.search(r"- (\w+Error\(.*?\))(?:,|$)", line)
    return head + (f" ... {cause.group(1)}" if cause else "")


def start(image: str, config: Path) -> str:
    return subprocess.run(["docker", "run", "-d", "--rm", "--network", "host", "-v", f"{config}:/etc/cinder/cinder.conf:ro",
                           image, "python3", SERVICE_LOOP, "/etc/cinder/cinder.conf", "cinder-volume"],
                          capture_output=True, text=True, check=True, timeout=120).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cap", type=float, default=900.0, help="stop following a release after this many seconds")
    args = parser.parse_args()
    wanted = [images.release_image(s) for s in releases.SERIES.values()] + [images.DEBIAN]
    images.build("docker", series=tuple(releases.SERIES.values()))
    with tempfile.TemporaryDirectory(prefix="coordcheck-matrix-") as tmp:
        lab = LocalDeployment(Path(tmp) / "kolla")
        lab.up(kolla.FLAVORS["redis"])
        try:
            config = Path(tmp) / "cinder.conf"
            config.write_text(service_config_text(lab.incident_url()))
            config.chmod(0o644)
            started = {image: (start(image, config), time.monotonic()) for image in wanted}
            first: dict[str, tuple[float, str]] = {}
            while len(first) < len(wanted) and time.monotonic() - min(t for _, t in started.values()) < args.cap:
                for image, (container, at) in started.items():
                    if image in first:
                        continue
                    log = subprocess.run(["docker", "logs", container], capture_output=True, text=True, timeout=60)
                    lines = [m.group(0) for m in ERROR.finditer(log.stdout + log.stderr)]
                    exception = [line for line in lines if "Error: " in line or "Error(" in line]
                    if lines:
                        first[image] = (time.monotonic() - at, shortened(urls.mask((exception or lines)[-1])))
                time.sleep(1)
            for container, _ in started.values():
                subprocess.run(["docker", "rm", "-f", container], capture_output=True, timeout=120)
        finally:
            lab.down()
    rows = []
    for image in wanted:
        tooz, redis_py = images.clients(image) or ("3.1.0", "4.3.4")
        seconds, line = first.get(image, (None, f"nothing within {args.cap:.0f} s"))
        rows.append([images.series_of(image), tooz, redis_py, f"{seconds:.0f} s" if seconds is not None else "-",
                     f"`{line}`"])
    print(table(["release", "tooz", "redis-py", "first log line after", "what it says"], rows))
    write_section("client-matrix", table(["release", "tooz", "redis-py", "first log line after", "what it says"], rows))


if __name__ == "__main__":
    main()
