"""The configuration of the local deployment's data nodes and sentinels:
one source of truth for its processes (`coordcheck.lab.deployment`) and its Compose
file (`coordcheck.lab.compose`).

    server_config("127.0.2.111", Path("/data"), Secret("pw"), "127.0.2.110", True)
"""

from __future__ import annotations

from pathlib import Path

from coordcheck import kolla
from coordcheck.secrets import Secret

#: the incident's 10.0.2.110-112, on loopback
HOSTS = {"ctl1": "127.0.2.110", "ctl2": "127.0.2.111", "ctl3": "127.0.2.112"}
#: the data node that starts as master; the others replicate it
MASTER_HOST = "ctl1"


def server_config(ip: str, run: Path, password: Secret, replica_of: str | None, bind_source: bool) -> str:
    lines = [
        f"bind {ip}", f"port {kolla.DATA_PORT}", "daemonize no", "protected-mode no",
        f"dir {run}", f"logfile {run / 'server.log'}", 'save ""', "appendonly no", "repl-diskless-sync-delay 0",
        f"requirepass {password.reveal()}", f"masterauth {password.reveal()}",
        f"replica-announce-ip {ip}",
    ]
    if bind_source:
        lines.append(f"bind-source-addr {ip}")
    if replica_of:
        lines.append(f"replicaof {replica_of} {kolla.DATA_PORT}")
    return "\n".join(lines) + "\n"


def sentinel_config(ip: str, master_ip: str, run: Path, password: Secret, sentinel_auth: bool,
                    bind_source: bool) -> str:
    lines = [
        f"bind {ip}", f"port {kolla.SENTINEL_PORT}", "daemonize no", "protected-mode no",
        f"dir {run}", f"logfile {run / 'sentinel.log'}", f"sentinel announce-ip {ip}",
        f"sentinel monitor {kolla.MASTER_NAME} {master_ip} {kolla.DATA_PORT} {kolla.QUORUM}",
        f"sentinel auth-pass {kolla.MASTER_NAME} {password.reveal()}",
        f"sentinel down-after-milliseconds {kolla.MASTER_NAME} 5000",
        f"sentinel failover-timeout {kolla.MASTER_NAME} 60000",
    ]
    if bind_source:
        lines.append(f"bind-source-addr {ip}")
    if sentinel_auth:
        lines += [f"requirepass {password.reveal()}", f"sentinel sentinel-pass {password.reveal()}"]
    return "\n".join(lines) + "\n"
