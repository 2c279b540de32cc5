"""Servers that do not speak RESP: a listener answering junk (``coordcheck
break NOT_A_REDIS_SERVER``), and a whole Kolla config dir served by such
listeners on a free loopback range (the checklist's garbage tests).

    proc, addresses = start_garbage_server("junk", ["127.0.0.1:0"])
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

from coordcheck import kolla
from coordcheck.lab.errors import DeploymentError
from coordcheck.lab.kolla_files import service_config_text
from coordcheck.secrets import Secret
from coordcheck.url import with_sentinel_password

#: A listener that answers in anything but the Redis protocol, standalone
#: (``python3 -c GARBAGE_SERVER MODE HOST:PORT...``; port 0: a free one). It
#: prints the addresses it listens on as one JSON line, then serves forever.
#: MODE: junk (binary junk at once and to every read), close (closes at once),
#: trickle (an error line that never ends, one byte every 0.5 s), huge (one
#: endless error line, as fast as the client reads), resp-then-junk (answers
#: PING +PONG, any other command junk), resp-then-trickle (PING +PONG, then a
#: trickle), resp-then-echo (PING +PONG, any other command sent back behind a
#: NUL byte), silent (accepts, never says a word); say:HEX (those bytes at once).
GARBAGE_SERVER = r'''
import json, socket, sys, threading, time
JUNK = b"\x00\xff\xfe\x01junk\x9c\x1b[31m garbage \r\n"

def serve(conn, mode):
    with conn:
        try:
            if mode == "close":
                return
            if mode == "silent":
                while conn.recv(4096):
                    pass
                return
            asked = b""
            if mode.startswith("say:"):
                conn.sendall(bytes.fromhex(mode[4:]))
                while conn.recv(4096):
                    pass
                return
            if mode.startswith("resp-then-"):
                while True:
                    asked = conn.recv(4096)
                    if not asked:
                        return
                    if not asked.endswith(b"PING\r\n"):
                        break
                    conn.sendall(b"+PONG\r\n")
                mode = mode[len("resp-then-"):]
            if mode == "trickle":
                conn.sendall(b"-")
                while True:
                    time.sleep(0.5)
                    conn.sendall(b".")
            if mode == "huge":
                conn.sendall(b"-ERR ")
                chunk = b"A" * 65536
                while True:
                    conn.sendall(chunk)
            if mode == "echo":
                while asked:
                    conn.sendall(b"\x00echo " + asked.replace(b"\r\n", b" ") + b"\r\n")
                    asked = conn.recv(4096)
                return
            conn.sendall(JUNK)
            while conn.recv(4096):
                conn.sendall(JUNK)
        except OSError:
            pass

def listen(server, mode):
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn, mode), daemon=True).start()

mode, addresses = sys.argv[1], sys.argv[2:]
servers = []
for address in addresses:
    host, _, port = address.rpartition(":")
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, int(port)))
    server.listen(64)
    servers.append(server)
print(json.dumps([s.getsockname()[:2] for s in servers]), flush=True)
for server in servers[1:]:
    threading.Thread(target=listen, args=(server, mode), daemon=True).start()
listen(servers[0], mode)
'''


def start_garbage_server(mode: str, addresses: list[str], script: Path | None = None,
                         python: str = sys.executable) -> tuple[subprocess.Popen, list[tuple[str, int]]]:
    """Start GARBAGE_SERVER (from ``script``, a copy of it, if given) in a
    session of its own; returns the process and the addresses it listens on."""
    command = [python, str(script)] if script else [python, "-c", GARBAGE_SERVER]
    proc = subprocess.Popen([*command, mode, *addresses], cwd=script.parent if script else None,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    line = proc.stdout.readline()
    if not line:
        proc.wait(5)
        raise DeploymentError(f"the garbage server did not start: {' '.join(proc.stderr.read().split()[-12:])}")
    proc.stdout.close()   # it prints nothing more
    return proc, [(host, int(port)) for host, port in json.loads(line)]


@contextlib.contextmanager
def garbage_cloud(root: Path, mode: str = "junk", flavor: kolla.Flavor = kolla.FLAVORS["redis"]):
    """A Kolla config dir (inventory, passwords.yml, globals.yml, service
    configs) whose every sentinel and data node is GARBAGE_SERVER in ``mode``,
    on a free loopback range of its own (127.77.X.1-3): the checklist runs
    against it as against a deployment, without `coordcheck up`. Yields the
    `tests.conftest.Deployment`-like root; the server stops on exit."""
    password = Secret(secrets.token_hex(16))
    for attempt in range(20):
        base = f"127.77.{(os.getpid() + attempt * 37) % 250 + 1}"
        ips = {f"ctl{i}": f"{base}.{i}" for i in (1, 2, 3)}
        try:
            proc, _ = start_garbage_server(mode, [f"{ip}:{port}" for ip in ips.values()
                                                  for port in (kolla.SENTINEL_PORT, kolla.DATA_PORT)])
            break
        except DeploymentError:
            continue
    else:
        raise DeploymentError("no free loopback range 127.77.X.1-3 for the garbage servers")
    try:
        root.mkdir(parents=True, exist_ok=True)
        hosts = "\n".join(f"{h} ansible_connection=local api_interface_address={ip} node_config_directory={root / h}"
                          for h, ip in ips.items())
        (root / "multinode").write_text(f"[control]\n{hosts}\n\n[{flavor.group}:children]\ncontrol\n")
        (root / "passwords.yml").write_text(yaml.safe_dump({flavor.password_key: password.reveal()}))
        (root / "globals.yml").write_text(yaml.safe_dump({flavor.enable_key: "yes",
                                                          "coordcheck_service_containers": "no"}))
        url = with_sentinel_password(kolla.connection_string(flavor, list(ips.values()), password).reveal(), password)
        for host in ips:
            for svc in kolla.LOCAL_SERVICES:
                path = root / host / svc.service / svc.config_name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(service_config_text(Secret(url, by_value=False), svc.project))
                path.chmod(0o600)
        yield root
    finally:
        proc.kill()
        proc.wait()
        proc.stderr.close()
