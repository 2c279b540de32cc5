"""A service's config as Kolla writes it: the file, its ``[coordination]
backend_url`` parsed as tooz reads it, or why the service cannot use it.

    config = read_service_config("ctl1", "/etc/kolla/cinder-volume/cinder.conf", text, 0o600)
    config.url.master_name   # -> 'kolla'
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from coordcheck import url as urls
from coordcheck.places import Place, Where
from coordcheck.kolla import KollaError, backend_url_of


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
    rendered: Place | None = None   # the gate: the rendered option and the repository line that set it

    def __repr__(self) -> str:
        return f"ServiceConfig({self.host}:{self.container + ':' if self.container else ''}{self.path})"

    @property
    def place(self) -> Place:
        return self.rendered or Place(self.host, self.service, self.path, self.container)

    @property
    def where(self) -> Where:
        return Where(host=self.host, service=self.service, file=self.path, container=self.container,
                     places=(self.place,))


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
