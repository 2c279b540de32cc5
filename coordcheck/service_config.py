"""Find the service configs that carry ``[coordination] backend_url`` on a
host (a testinfra host: local, SSH, or whatever the inventory says).

    configs = discover(host, "ctl1", "/etc/kolla")
    configs[0].service, configs[0].path   # -> ('cinder-volume', '/etc/kolla/cinder-volume/cinder.conf')
"""

from __future__ import annotations

import contextlib
import logging
import posixpath
import re
from dataclasses import dataclass

from coordcheck import url as urls
from coordcheck.findings import Where
from coordcheck.kolla import KollaError, backend_url_of

#: One command per host lists the candidate files (a controller has ~100
#: service folders; one round trip per folder would be slow over SSH): those
#: with a backend_url or a [coordination] section, and those that are not text.
FIND_CANDIDATES = ("find %s -mindepth 2 -maxdepth 2 -type f -name '*.conf' -size +0 "
                   "-exec grep -l -s -E '^[[:space:]]*(backend_url[[:space:]]*=|\\[coordination\\])' {} + ; "
                   "find %s -mindepth 2 -maxdepth 2 -type f -name '*.conf' -size +0 -exec grep -L -s -I . {} +")
#: A service config larger than this is not read (Kolla's are a few kB).
MAX_CONFIG_BYTES = 4 * 1024 * 1024


@contextlib.contextmanager
def output_withheld(what: str):
    """testinfra logs every command's output at DEBUG; a service config's
    output holds passwords, so its reading is logged without it."""
    log = logging.getLogger("testinfra")
    level = log.level
    log.setLevel(max(level, logging.INFO))
    try:
        yield
    finally:
        log.setLevel(level)
    log.debug("RUN read %s (output withheld: it holds passwords)", what)


@dataclass(repr=False)
class ServiceConfig:
    host: str
    service: str
    project: str
    path: str                       # the file (and line) the URL comes from
    mode: int | None                # None: rendered, not read from a host
    url: urls.BackendURL | None = None
    error: str | None = None        # why the URL is unusable (masked)
    container: str | None = None    # read inside this container (path is then the container's)
    unreadable: bool = False        # error: the file itself, not its URL (CONFIG_UNREADABLE)

    def __repr__(self) -> str:
        return f"ServiceConfig({self.host}:{self.container + ':' if self.container else ''}{self.path})"

    @property
    def where(self) -> Where:
        return Where(host=self.host, service=self.service, file=self.path, container=self.container)


def parse_url_into(config: ServiceConfig, raw: str) -> ServiceConfig:
    """Set ``config.url``, or ``config.error`` when tooz could not use it."""
    try:
        config.url = urls.parse(raw)
    except urls.URLError as exc:
        config.error = str(exc)
    return config


def unreadable(config: ServiceConfig, why: str) -> ServiceConfig:
    config.error, config.unreadable = why, True
    return config


def read_service_config(host_name: str, path: str, text: str | bytes, mode: int) -> ServiceConfig | None:
    """Parse one file's content; None when it does not use coordination (no
    [coordination] section, no backend_url)."""
    service = posixpath.basename(posixpath.dirname(path))
    project = posixpath.splitext(posixpath.basename(path))[0]
    config = ServiceConfig(host_name, service, project, path, mode)
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return unreadable(config, f"{path} is not text (not UTF-8): the service cannot read it")
    if "\x00" in text:
        return unreadable(config, f"{path} is not text (it holds NUL bytes): the service cannot read it")
    try:
        raw = backend_url_of(text, path)
    except KollaError as exc:
        return unreadable(config, str(exc))
    if raw is None:
        if re.search(r"^\s*\[coordination\]", text, re.MULTILINE):
            return unreadable(config, f"{path} has a [coordination] section without backend_url")
        return None
    if not raw.strip():
        return unreadable(config, f"{path}: [coordination] backend_url is empty")
    return parse_url_into(config, raw)


def read_in_container(host_config: ServiceConfig, container: str, path: str, text: str) -> ServiceConfig:
    """The config a service's container holds at ``path`` (its URL, or why not)."""
    inside = ServiceConfig(host_config.host, host_config.service, host_config.project, path, None, container=container)
    try:
        raw = backend_url_of(text, f"{container}:{path}")
    except KollaError as exc:
        inside.error = str(exc)
        return inside
    if raw is None:
        inside.error = f"{path} inside {container} has no [coordination] backend_url"
        return inside
    return parse_url_into(inside, raw)


def discover(host, host_name: str, directory: str) -> list[ServiceConfig]:
    """Every service config under ``directory`` on ``host`` with a backend_url."""
    if not host.file(directory).is_directory:
        raise KollaError(f"node_config_directory {directory} does not exist on host {host_name}")
    found = host.run(FIND_CANDIDATES, directory, directory)
    if found.rc not in (0, 1):
        raise KollaError(f"cannot list {directory} on host {host_name}: {found.stderr.strip()[:200]}")
    configs = []
    for path in sorted(set(found.stdout.split())):
        file = host.file(path)
        try:
            if file.size > MAX_CONFIG_BYTES:
                configs.append(unreadable(ServiceConfig(host_name, posixpath.basename(posixpath.dirname(path)),
                                                        posixpath.splitext(posixpath.basename(path))[0], path,
                                                        None), f"{path} is larger than 4 MB: not a service config"))
                continue
            with output_withheld(f"{host_name}:{path}"):
                text = file.content
            mode = file.mode
        except AssertionError:
            raise KollaError(f"cannot read {path} on host {host_name} (permissions? try --sudo)") from None
        config = read_service_config(host_name, path, text, mode)
        if config is not None:
            configs.append(config)
    return configs
