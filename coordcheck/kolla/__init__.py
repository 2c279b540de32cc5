"""What coordcheck knows of Kolla-Ansible: names per flavor, how Kolla builds
the coordination URL, and how to read a deployment (inventory, passwords.yml,
globals.yml, service configs).

    >>> FLAVORS["valkey"].password_key
    'valkey_master_password'
    >>> connection_string(FLAVORS["redis"], ["10.0.2.110", "10.0.2.111"], Secret("pw")).reveal()
    'redis://default:pw@10.0.2.110:26379?sentinel=kolla&sentinel_fallback=10.0.2.111:26379&db=0&socket_timeout=60&retry_on_timeout=yes'
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path

from coordcheck.secrets import Secret

SENTINEL_PORT = 26379
DATA_PORT = 6379
MASTER_NAME = "kolla"
QUORUM = 2
#: Kolla's default ``<flavor>_connection_string_extras``.
DEFAULT_EXTRAS = "&db=0&socket_timeout=60&retry_on_timeout=yes"
#: Kolla's default for ``node_config_directory`` on a real host.
DEFAULT_NODE_CONFIG_DIRECTORY = "/etc/kolla"
#: Group names operators type that Kolla's inventories spell differently.
GROUP_ALIASES = {"controllers": "control", "controller": "control"}


class KollaError(Exception):
    """Bad or missing deployment input; the message is one line, no secret."""


@dataclass(frozen=True)
class Flavor:
    """Kolla's names for one coordination backend (Redis ≤ 2025.1, Valkey ≥ 2025.1)."""

    name: str
    group: str
    password_key: str
    enable_key: str
    extras_key: str
    server_container: str
    sentinel_container: str
    server_binary: str
    debian_packages: str


FLAVORS = {
    "redis": Flavor("redis", "redis", "redis_master_password", "enable_redis",
                    "redis_connection_string_extras", "redis", "redis_sentinel",
                    "redis-server", "redis-server redis-sentinel"),
    "valkey": Flavor("valkey", "valkey", "valkey_master_password", "enable_valkey",
                     "valkey_connection_string_extras", "valkey_server", "valkey_sentinel",
                     "valkey-server", "valkey-server valkey-sentinel"),
}


@dataclass(frozen=True)
class CoordinationService:
    """A Kolla service whose config carries ``[coordination] backend_url``."""

    service: str  # inventory group and node config sub-directory
    project: str  # config file stem and kolla-ansible tag

    @property
    def config_name(self) -> str:
        return f"{self.project}.conf"


#: Kolla services whose config template renders ``[coordination] backend_url``
#: from ``<flavor>_connection_string`` when ``enable_<project>`` and the flavor
#: are enabled (the gate renders these; a live run discovers its own).
KOLLA_COORDINATION = {
    "cinder": ("cinder-api", "cinder-scheduler", "cinder-volume", "cinder-backup"),
    "designate": ("designate-api", "designate-central", "designate-mdns", "designate-producer",
                  "designate-worker", "designate-sink"),
    "masakari": ("masakari-api", "masakari-engine"),
    "mistral": ("mistral-api", "mistral-engine", "mistral-executor", "mistral-event-engine"),
}


def coordination_groups(groups: set[str], globals_yml: dict) -> list[str]:
    """The inventory groups of enabled services that use coordination."""
    return [g for project, services in KOLLA_COORDINATION.items() if truthy(globals_yml.get(f"enable_{project}"))
            for g in services if g in groups]


#: Services the local deployment renders (a live run discovers its own).
LOCAL_SERVICES = (
    CoordinationService("cinder-volume", "cinder"),
    CoordinationService("designate-worker", "designate"),
    CoordinationService("masakari-api", "masakari"),
    CoordinationService("mistral-api", "mistral"),
)


def connection_string(flavor: Flavor, addresses: list[str], password: Secret,
                      extras: str = DEFAULT_EXTRAS) -> Secret:
    """``<flavor>_connection_string`` as Kolla renders it (holds the password)."""
    first, *others = addresses
    url = f"redis://default:{password.reveal()}@{first}:{SENTINEL_PORT}?sentinel={MASTER_NAME}"
    url += "".join(f"&sentinel_fallback={a}:{SENTINEL_PORT}" for a in others)
    return Secret(url + extras, by_value=False)


def master_password(passwords: dict, flavor: Flavor, path: Path) -> Secret:
    value = passwords.get(flavor.password_key)
    if value is None:
        raise KollaError(f"passwords file {path} has no {flavor.password_key}")
    if value == "":
        raise KollaError(f"passwords file {path}: {flavor.password_key} is empty (kolla-genpwd fills it)")
    if not isinstance(value, (str, int)):
        raise KollaError(f"passwords file {path}: {flavor.password_key} is not a string")
    return Secret(str(value))


def flavor_of(globals_yml: dict, group_names: set[str], passwords: dict) -> Flavor:
    """Valkey when globals.yml enables it, else the group/password that exists."""
    for flavor in (FLAVORS["valkey"], FLAVORS["redis"]):
        if truthy(globals_yml.get(flavor.enable_key)):
            return flavor
    for flavor in (FLAVORS["valkey"], FLAVORS["redis"]):
        if flavor.group in group_names or flavor.password_key in passwords:
            return flavor
    return FLAVORS["redis"]


def truthy(value: object) -> bool:
    return str(value).strip().lower() in {"yes", "true", "1", "on"}


def backend_url_of(text: str, path: str) -> str | None:
    """``[coordination] backend_url`` of an oslo.config file, or None.

    >>> backend_url_of("[coordination]\\nbackend_url = redis://h:26379?sentinel=kolla\\n", "x.conf")
    'redis://h:26379?sentinel=kolla'
    """
    parser = configparser.RawConfigParser(strict=False, default_section="__none__")
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        first_line = str(exc).splitlines()[0]
        raise KollaError(f"{path} is not a valid config file: {first_line}") from None
    if not parser.has_option("coordination", "backend_url"):
        return None
    return parser.get("coordination", "backend_url")
