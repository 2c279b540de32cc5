"""Build the service images of the containerised local deployment, with no
registry: a Debian rootfs made by debootstrap from the machine's own apt
sources and imported into the engine, then two service images on top.

- ``coordcheck/service:debian``: Debian's python3-tooz 3.1.0 and
  python3-redis 4.3.4 (a tooz older than 6.1.0: it ignores sentinel_password)
- ``coordcheck/service:current``: the tooz and redis-py of this venv in a
  Kolla-style venv (/var/lib/kolla/venv), first on PATH as in Kolla images
- ``coordcheck/service:consumers``: on top of that, octavia (its jobboard
  driver, taskflow), gnocchi (its redis client) and Django with django-redis
  (horizon's cache): the consumers that are not a tooz backend_url
- ``coordcheck/redis:bookworm``: Debian's redis-server, for
  docker-compose.sentinel.yml where the official image cannot be pulled

    coordcheck images            # build what is missing (about 1.5 min)
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import glob
import hashlib
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coordcheck.consumers import CONSUMERS_IMAGE, FAKED
from coordcheck.kolla import releases
from coordcheck.lab import tools
from coordcheck.lab.tools import ToolError

BASE = "coordcheck/debian:bookworm"
DEBIAN = "coordcheck/service:debian"
CURRENT = "coordcheck/service:current"
SERVER = "coordcheck/redis:bookworm"
CONSUMERS = CONSUMERS_IMAGE
SERVICE = (BASE, DEBIAN, CURRENT)    # what `coordcheck up --containers` needs
ALL = (*SERVICE, SERVER)                # podman gets copies of these (the consumers are docker's only)
SUITE = "bookworm"
BASE_PACKAGES = "python3,python3-tooz,python3-redis,redis-server"
LABEL = "org.coordcheck.image=1"
SUPPORT = Path(__file__).with_name("container")

#: The service images carry this digest of the files they copy in: a change rebuilds them
SUPPORT_LABEL = "org.coordcheck.support"
SUPPORT_FILES = {"kolla_start": SUPPORT / "kolla_start", "service.py": SUPPORT / "service.py",
                 "consumer.py": SUPPORT / "consumer.py",
                 "handshake.py": Path(__file__).parents[1] / "observe" / "handshake.py"}
SUPPORT_DIGEST = hashlib.sha256(b"".join(path.read_bytes() for path in SUPPORT_FILES.values())).hexdigest()[:16]
#: the consumers' own libraries (the newest series'), from their records' lab fakes:
#: gnocchi without its storage stack (its redis client needs oslo.config, oslo.utils and redis-py)
CONSUMER_PINS = tuple(p for c in FAKED.values() if c.fake.image == CONSUMERS for p in c.fake.packages)
CONSUMER_NO_DEPS = tuple(p for c in FAKED.values() if c.fake.image == CONSUMERS for p in c.fake.no_deps)

DEBIAN_DOCKERFILE = f"""FROM {BASE}
LABEL {LABEL} {SUPPORT_LABEL}={SUPPORT_DIGEST}
COPY kolla_start /usr/local/bin/kolla_start
COPY service.py consumer.py handshake.py /usr/local/lib/coordcheck/
RUN chmod 0755 /usr/local/bin/kolla_start
CMD ["/usr/local/bin/kolla_start"]
"""

SERVER_DOCKERFILE = f"""FROM {BASE}
LABEL {LABEL}
RUN redis-server --version
"""

CURRENT_DOCKERFILE = f"""FROM {DEBIAN}
COPY site /tmp/site
RUN python3 -m venv --without-pip /var/lib/kolla/venv \\
 && cp -a /tmp/site/. "$(/var/lib/kolla/venv/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \\
 && rm -rf /tmp/site
ENV PATH=/var/lib/kolla/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
"""


class ImageError(ToolError):
    """One line: what failed while building, and how to fix it."""


def debian_mirror(sources: str = "/etc/apt") -> str:
    """The first Debian archive this machine's apt uses (deb822 or one-line)."""
    for path in sorted(glob.glob(f"{sources}/sources.list.d/*.sources")):
        for stanza in Path(path).read_text().split("\n\n"):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", stanza, re.M))
            if "deb" in fields.get("Types", "").split() and SUITE in fields.get("Suites", "").split():
                return fields["URIs"].split()[0]
    for path in [f"{sources}/sources.list", *sorted(glob.glob(f"{sources}/sources.list.d/*.list"))]:
        if Path(path).is_file():
            match = re.search(rf"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+{SUITE}\s", Path(path).read_text(), re.M)
            if match:
                return match.group(1)
    raise ImageError(f"no apt source for Debian {SUITE} in {sources}: debootstrap needs one")


def exists(engine: str, image: str) -> bool:
    """The engine has ``image``, a service image built from today's files."""
    done = subprocess.run([engine, "image", "inspect", "--format", "{{ index .Config.Labels \"%s\" }}" % SUPPORT_LABEL,
                           image], capture_output=True, text=True, timeout=30)
    return done.returncode == 0 and (image in (BASE, SERVER) or done.stdout.strip() == SUPPORT_DIGEST)


def build_base(engine: str, workdir: Path) -> None:
    rootfs = workdir / "rootfs"
    tools.run(["debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}", SUITE, str(rootfs),
               debian_mirror()], "debootstrap", timeout=900)
    shutil.rmtree(rootfs / "var/cache/apt/archives", ignore_errors=True)
    tools.run([engine, "import", "--change", "CMD [\"/bin/bash\"]", "-", BASE], "import of the rootfs",
              timeout=600, pipe_from=["tar", "-C", str(rootfs), "-c", "."])


#: more of a series' upper-constraints than tooz and redis-py, where today's releases break
#: its tooz: oslo.utils 10 has no secretutils.md5, which tooz 6.3.0 imports
SERIES_PINS = {"2024.2": ("oslo.utils==7.3.0",), "2025.1": ("oslo.utils==8.2.0",)}


def release_image(series: str) -> str:
    """The service image with the tooz and redis-py a Kolla release ships:
    ``coordcheck/service:2025.1``."""
    return f"coordcheck/service:{series}"


def series_of(image: str) -> str:
    """The Kolla series a release image is for: its tag."""
    return image.rpartition(":")[2]


def clients(image: str) -> tuple[str, str] | None:
    """(tooz, redis-py) pinned into a venv image; None: Debian's packages."""
    if image in (CURRENT, CONSUMERS):
        return importlib.metadata.version("tooz"), importlib.metadata.version("redis")
    return next((releases.CLIENTS[major] for major, name in releases.SERIES.items() if name == series_of(image)), None)


def pip_target(site: Path, pins: list[str], *options: str) -> None:
    tools.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *options,
               "--target", str(site), *pins], "pip install " + " ".join(pins), timeout=900)


def prepare_context(workdir: Path, image: str, with_site: bool) -> Path:
    """The build context of a service image: the support files and, for a venv
    image, its ``site`` (pip installs of the clients it pins). Needs no engine
    and no base image, so contexts are made while debootstrap runs."""
    context = workdir / image.replace("/", "_").replace(":", "_")
    context.mkdir()
    for name, path in SUPPORT_FILES.items():
        shutil.copy(path, context / name)
    if with_site:
        tooz, redis_py = clients(image)
        # pip resolves markers for this Python; Debian's 3.11.2 also needs
        # redis-py's python_full_version < "3.11.3" dependency
        pins = [f"tooz=={tooz}", f"redis=={redis_py}", "async-timeout>=4.0.3",
                *SERIES_PINS.get(series_of(image), ())]
        pip_target(context / "site", [*pins, *(CONSUMER_PINS if image == CONSUMERS else ())])
        if image == CONSUMERS:
            pip_target(context / "site", list(CONSUMER_NO_DEPS), "--no-deps")
    return context


def build_service(engine: str, context: Path, image: str, dockerfile: str) -> None:
    (context / "Dockerfile").write_text(dockerfile)
    tools.run([engine, "build", "--network", "none", "-q", "-t", image, str(context)], f"build of {image}", timeout=600)


def copy_from_docker(engine: str, image: str) -> None:
    """``docker save IMAGE | podman load``: one build serves both engines."""
    tools.run([engine, "load", "-q"], f"{engine} load of {image}", timeout=600, pipe_from=["docker", "save", image])


def usable(engine: str) -> bool:
    return shutil.which(engine) is not None and \
        subprocess.run([engine, "info"], capture_output=True, timeout=60).returncode == 0


#: what a build takes, to say while it runs
TAKES = {BASE: "debootstrap of a Debian rootfs, about a minute", DEBIAN: "seconds", SERVER: "seconds",
         CONSUMERS: "pip install of octavia, gnocchi and django-redis, about a minute"}
PIP_TAKES = "pip install of tooz {} and redis-py {}, about 10 s"


#: pip installs of the images' sites at once (each is one pip process)
PARALLEL_SITES = 3


def build(engine: str = "docker", rebuild: bool = False, progress=None, series: tuple[str, ...] = ()) -> dict[str, float]:
    """Build every missing image (and the images of the Kolla release
    ``series``); returns the seconds each build took.
    ``progress(line)`` hears of each build as it starts and ends.
    podman gets docker's images (built first if need be): podman's own
    build runs into the same rlimit refusal as its containers in sandboxes."""
    say = progress or (lambda line: None)
    if not usable(engine):
        raise ImageError(f"{engine} cannot be used (not installed, or its engine does not answer: "
                         f"`{engine} info` says why; is dockerd running?)")
    if engine != "docker":
        seconds = build("docker", progress=progress, series=series)  # built once, copied again on --rebuild
        for image in (*ALL, *map(release_image, series)):
            if rebuild or not exists(engine, image):
                with _timed(seconds, f"{image} ({engine})", "docker's image, copied", say):
                    copy_from_docker(engine, image)
        return seconds
    dockerfiles = {DEBIAN: DEBIAN_DOCKERFILE, CURRENT: CURRENT_DOCKERFILE, SERVER: SERVER_DOCKERFILE,
                   CONSUMERS: CURRENT_DOCKERFILE, **{release_image(s): CURRENT_DOCKERFILE for s in series}}
    wanted = [image for image in (BASE, *dockerfiles) if rebuild or not exists(engine, image)]
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="coordcheck-images-") as tmp, \
            concurrent.futures.ThreadPoolExecutor(PARALLEL_SITES) as pool:
        contexts = {image: pool.submit(prepare_context, Path(tmp), image, dockerfiles[image] == CURRENT_DOCKERFILE)
                    for image in wanted if image != BASE}
        for image in wanted:
            how = TAKES.get(image) or PIP_TAKES.format(*clients(image))
            with _timed(seconds, image, how, say):
                if image == BASE:
                    build_base(engine, Path(tmp))
                else:
                    build_service(engine, contexts[image].result(), image, dockerfiles[image])
    return seconds


@contextlib.contextmanager
def _timed(seconds: dict[str, float], name: str, how: str, say):
    say(f"building {name} ({how})")
    started = time.monotonic()
    yield
    seconds[name] = round(time.monotonic() - started, 1)
    say(f"built {name} in {seconds[name]:.0f} s")


def missing(engine: str = "docker", wanted: tuple[str, ...] = SERVICE) -> list[str]:
    return [image for image in wanted if not exists(engine, image)]
