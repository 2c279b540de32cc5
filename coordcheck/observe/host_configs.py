"""Find the service configs that carry ``[coordination] backend_url`` on a
host (a testinfra host: local, SSH, or whatever the inventory says).

    configs = discover(host, "ctl1", "/etc/kolla")
    configs[0].service, configs[0].path   # -> ('cinder-volume', '/etc/kolla/cinder-volume/cinder.conf')
"""

from __future__ import annotations

import posixpath
import shlex

from coordcheck.consumers import LIVE, Consumer, by_file
from coordcheck.kolla import KollaError
from coordcheck.kolla.config_file import ServiceConfig, read_service_config, unreadable
from coordcheck.observe.transport import output_withheld

#: One command per host lists the candidate files (a controller has ~100
#: service folders; one round trip per folder would be slow over SSH): those
#: with a backend_url or a [coordination] section, and those that are not text.
FIND_CANDIDATES = ("find %s -mindepth 2 -maxdepth 2 -type f -name '*.conf' -size +0 "
                   "-exec grep -l -s -E '^[[:space:]]*(backend_url[[:space:]]*=|\\[coordination\\])' {} + ; "
                   "find %s -mindepth 2 -maxdepth 2 -type f -name '*.conf' -size +0 -exec grep -L -s -I . {} +")


def find_consumers() -> str:
    """One command per host lists the configs of the consumers with a client
    of their own (coordcheck/consumers.py) that use Redis/Valkey: each
    record's file, grepped for its own ``uses_redis``."""
    each = [f"-name {shlex.quote(c.files[0])} -exec grep -l -s -E {shlex.quote(c.uses_redis)} {{}} +" for c in LIVE]
    return f"find %s -mindepth 2 -maxdepth 2 -type f \\( {' -o '.join(each)} \\)"


FIND_CONSUMERS = find_consumers()
#: A service config larger than this is not read (Kolla's are a few kB).
MAX_CONFIG_BYTES = 4 * 1024 * 1024



def discover(host, host_name: str, directory: str) -> list[ServiceConfig]:
    """Every service config under ``directory`` on ``host`` with a backend_url."""
    if not host.file(directory).is_directory:
        raise KollaError(f"node_config_directory {directory} does not exist on host {host_name}")
    found = host.run(FIND_CANDIDATES, directory, directory)
    if found.rc not in (0, 1):
        raise KollaError(f"cannot list {directory} on host {host_name}: {found.stderr.strip()[:200]}")
    paths = sorted(set(found.stdout.split()))
    sizes_modes = _sizes_and_modes(host, paths)
    configs = []
    for path in paths:
        if path not in sizes_modes:
            raise KollaError(f"cannot read {path} on host {host_name} (permissions? try --sudo)")
        size, mode = sizes_modes[path]
        if size > MAX_CONFIG_BYTES:
            configs.append(unreadable(ServiceConfig(host_name, posixpath.basename(posixpath.dirname(path)),
                                                    posixpath.splitext(posixpath.basename(path))[0], path,
                                                    None), f"{path} is larger than 4 MB: not a service config"))
            continue
        try:
            with output_withheld(f"{host_name}:{path}"):
                text = host.file(path).content
        except AssertionError:
            raise KollaError(f"cannot read {path} on host {host_name} (permissions? try --sudo)") from None
        config = read_service_config(host_name, path, text, mode)
        if config is not None:
            configs.append(config)
    return configs


def _sizes_and_modes(host, paths: list[str]) -> dict[str, tuple[int, int]]:
    """path -> (size, permission bits) of every file, in one command."""
    if not paths:
        return {}
    listed = host.run("stat -L -c '%%s %%a %%n' -- " + " ".join(["%s"] * len(paths)), *paths)
    found = {}
    for line in listed.stdout.splitlines():
        size, mode, path = (line.split(" ", 2) + ["", ""])[:3]
        if size.isdigit() and mode.isdigit():
            found[path] = (int(size), int(mode, 8))
    return found


def discover_consumers(host, host_name: str, directory: str) -> list[tuple[str, Consumer, str]]:
    """(service, consumer, path) of each config of a consumer with a client of
    its own under ``directory`` that reaches Redis/Valkey (its service's folder names it).

        discover_consumers(host, "ctl2", "/etc/kolla")
        # -> [('octavia-worker', CONSUMERS['octavia-jobboard'], '/etc/kolla/octavia-worker/octavia.conf')]
    """
    found = host.run(FIND_CONSUMERS, directory)
    if found.rc not in (0, 1):
        raise KollaError(f"cannot list {directory} on host {host_name}: {found.stderr.strip()[:200]}")
    return [(posixpath.basename(posixpath.dirname(path)), by_file(posixpath.basename(path)), path)
            for path in sorted(set(found.stdout.split()))]
