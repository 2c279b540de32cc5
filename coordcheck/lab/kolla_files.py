"""The Kolla files a lab writes: the inventory, the service configs, sshd configs.

    inventory_text(flavor, root, hosts={"ctl1": "127.0.5.110"}, backends=["ctl1"])
"""

from __future__ import annotations

import getpass
from pathlib import Path

from coordcheck import kolla
from coordcheck.secrets import Secret

SSH_PORT = 2222


def inventory_text(flavor: kolla.Flavor, root: Path, ssh: Path | None = None,
                   placement: dict[str, str] | None = None, hosts: dict[str, str] | None = None,
                   backends: list[str] | None = None) -> str:
    """``ssh``: the folder of the lab's sshd keys; ``placement``: host -> the
    one service it runs (containers), else every service on every host;
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
    placed = "".join(f"\n[{service}]\n{host}\n" for host, service in (placement or {}).items())
    return f"# coordcheck local deployment ({flavor.name})\n[control]\n{lines}\n{children}\n{placed}"


def sshd_config(folder: Path, addresses: list[str], name: str = "sshd") -> str:
    """An sshd listening on ``addresses``, key login only (``name``: its pid file)."""
    listen = "".join(f"ListenAddress {ip}\n" for ip in addresses)
    return (f"Port {SSH_PORT}\n{listen}HostKey {folder / 'host_ed25519'}\n"
            f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / (name + '.pid')}\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "UsePAM no\nStrictModes no\nPrintMotd no\n")


def service_config_text(url: Secret) -> str:
    return f"[DEFAULT]\ndebug = False\n\n[coordination]\nbackend_url = {url.reveal()}\n"
