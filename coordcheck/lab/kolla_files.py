"""The Kolla files a lab writes: the inventory, the service configs, sshd configs.

    inventory_text(flavor, root, hosts={"ctl1": "127.0.5.110"}, backends=["ctl1"])
"""

from __future__ import annotations

import getpass
from pathlib import Path

from coordcheck import kolla
from coordcheck.consumers import Consumer
from coordcheck.secrets import Secret

SSH_PORT = 2222


def inventory_text(flavor: kolla.Flavor, root: Path, ssh: Path | None = None,
                   placement: list[tuple[str, str]] | None = None, hosts: dict[str, str] | None = None,
                   backends: list[str] | None = None) -> str:
    """``ssh``: the folder of the lab's sshd keys; ``placement``: (host,
    service) of each service container, else every service on every host;
    ``backends``: the hosts of the data nodes and sentinels (all by default)."""
    from coordcheck.lab.templates import HOSTS

    hosts = hosts or HOSTS
    backends = list(hosts) if backends is None else backends

    def connection(host: str, ip: str) -> str:
        if ssh is None:
            return "ansible_connection=local"
        options = (f"-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "
                   f"-o ControlMaster=auto -o ControlPersist=30 -o ControlPath={ssh}/cm-%h")
        return (f"ansible_connection=ssh ansible_host={ip} ansible_port={SSH_PORT} ansible_user={getpass.getuser()} "
                f"ansible_ssh_private_key_file={ssh / 'id_ed25519'} ansible_ssh_common_args='{options}'")

    lines = "\n".join(f"{h} {connection(h, ip)} api_interface_address={ip} node_config_directory={root / h}"
                      for h, ip in hosts.items())
    if backends == list(hosts):
        backend_group = f"\n[{flavor.group}:children]\ncontrol"
    else:
        backend_group = f"\n[{flavor.group}]\n" + "\n".join(backends)
    services = [] if placement else [s.service for s in kolla.LOCAL_SERVICES]
    children = backend_group + "".join(f"\n\n[{g}:children]\ncontrol" for g in services)
    placed = "".join(f"\n[{service}]\n{host}\n" for host, service in placement or [])
    return f"# coordcheck local deployment ({flavor.name})\n[control]\n{lines}\n{children}\n{placed}"


SSHD_LISTEN_LIMIT = 16   # sshd's MAX_LISTEN_SOCKS: addresses one sshd can listen on


def sshds(hosts: dict[str, str], per_host: bool) -> list[tuple[str, str | None, list[str]]]:
    """(name, the host whose namespace it runs in, its addresses) of each sshd
    a lab runs: one per host in its namespace, else one per 16 addresses.

    >>> sshds({f"ctl{i}": f"127.0.2.{i}" for i in range(1, 18)}, per_host=False)[1]
    ('sshd-2', None, ['127.0.2.17'])
    """
    if per_host:
        return [(f"sshd-{host}", host, [ip]) for host, ip in hosts.items()]
    ips = list(hosts.values())
    return [(f"sshd-{n // SSHD_LISTEN_LIMIT + 1}", None, ips[n:n + SSHD_LISTEN_LIMIT])
            for n in range(0, len(ips), SSHD_LISTEN_LIMIT)]


def sshd_config(folder: Path, addresses: list[str], name: str) -> str:
    """An sshd listening on ``addresses``, key login only (``name``: its pid file).
    Its sessions' shells start clean, as on a fresh Kolla host: bash skips the
    ~/.bashrc of this machine's user for a command run by sshd when SHLVL
    says it is nested (a development ~/.bashrc costs ~100 ms a command)."""
    listen = "".join(f"ListenAddress {ip}\n" for ip in addresses)
    return (f"Port {SSH_PORT}\n{listen}HostKey {folder / 'host_ed25519'}\n"
            f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / (name + '.pid')}\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "UsePAM no\nStrictModes no\nPrintMotd no\nSetEnv SHLVL=1\n")


def service_config_text(url: Secret, project: str | None = None) -> str:
    """A service config as Kolla renders it: with ``project``, oslo.log writes
    to /var/log/kolla/<project>/ only (the kolla_logs volume), not stderr."""
    logging = f"log_dir = /var/log/kolla/{project}\nuse_stderr = False\n" if project else ""
    return f"[DEFAULT]\ndebug = False\n{logging}\n[coordination]\nbackend_url = {url.reveal()}\n"


#: Kolla's own _9999-custom-settings.py.j2: nothing set
HORIZON_CUSTOM_STOCK = "# Custom settings: config/horizon/_9999-custom-settings.py\n"


def _logging(consumer: Consumer) -> str:
    return f"[DEFAULT]\nlog_dir = /var/log/kolla/{consumer.project}\nuse_stderr = False\n"


def gnocchi_files(c: Consumer, url: Secret, password: Secret, sentinels: list[str], sentinel_password: bool):
    """gnocchi.conf: ``url`` (with sentinel_password or without) for coordination_url and redis_url."""
    return {c.files[0]: f"{_logging(c)}coordination_url = {url.reveal()}\n\n[incoming]\nredis_url = {url.reveal()}\n"}


def jobboard_files(c: Consumer, url: Secret, password: Secret, sentinels: list[str], sentinel_password: bool):
    """octavia.conf: Kolla's [task_flow] options, and the operator's jobboard_redis_sentinel_password."""
    pw = password.reveal()
    added = f"{c.sentinel_password} = {pw}\n" if sentinel_password else ""
    return {c.files[0]: (
        f"{_logging(c)}\n[task_flow]\njobboard_enabled = true\njobboard_backend_driver = redis_taskflow_driver\n"
        f"jobboard_backend_hosts = {','.join(sentinels)}\njobboard_backend_port = {kolla.SENTINEL_PORT}\n"
        f"jobboard_backend_username = default\njobboard_backend_password = {pw}\n"
        f"jobboard_redis_sentinel = {kolla.MASTER_NAME}\n{added}")}


def horizon_files(c: Consumer, url: Secret, password: Secret, sentinels: list[str], sentinel_password: bool):
    """Kolla's _9998-kolla-settings.py (SentinelClient, no SENTINEL_KWARGS), and
    the operator's _9999-custom-settings.py adding them (Kolla templates config/horizon/ there)."""
    pw = password.reveal()
    listed = "".join(f"                ({ip!r}, {kolla.SENTINEL_PORT}),\n" for ip in sentinels)
    kolla_settings = (
        "DEBUG = False\nSESSION_ENGINE = 'django.contrib.sessions.backends.cache'\nCACHES = {\n    'default': {\n"
        "        'BACKEND': 'django_redis.cache.RedisCache',\n"
        f"        'LOCATION': 'redis://{kolla.MASTER_NAME}/0',\n        'OPTIONS': {{\n"
        "            'CLIENT_CLASS': 'django_redis.client.SentinelClient',\n"
        "            'CONNECTION_FACTORY': 'django_redis.pool.SentinelConnectionFactory',\n"
        f"            'SENTINELS': [\n{listed}            ],\n            'PASSWORD': {pw!r},\n"
        "            'CONNECTION_POOL_KWARGS': {\n                'retry_on_timeout': True,\n            },\n"
        "            'IGNORE_EXCEPTIONS': False,\n        }\n    }\n}\n"
        "IMAGE_CUSTOM_PROPERTY_TITLES = {\n    \"architecture\": _(\"Architecture\"),\n}\n")
    added = f"CACHES['default']['OPTIONS']['{c.sentinel_password}'] = {{'password': {pw!r}}}\n" if sentinel_password else ""
    return dict(zip(c.files, (kolla_settings, HORIZON_CUSTOM_STOCK + added)))


#: the files of each consumer the lab fakes, by its name (coordcheck/consumers.py)
BUILDERS = {"gnocchi": gnocchi_files, "octavia-jobboard": jobboard_files, "horizon": horizon_files}


def consumer_files(consumer: Consumer, url: Secret, password: Secret, sentinels: list[str],
                   sentinel_password: bool = True) -> dict[str, str]:
    """A consumer's files, name -> text, shaped as Kolla renders them, with
    the sentinel password each needs on password-protected sentinels as an
    operator adds it, or (``sentinel_password=False``, ``url`` the
    incident's) as stock Kolla renders them: what `coordcheck break` writes."""
    return BUILDERS[consumer.name](consumer, url, password, sentinels, sentinel_password)
