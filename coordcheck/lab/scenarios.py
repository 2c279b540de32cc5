"""Faults to inject into a running local deployment, one per catalogue entry:
``coordcheck break ID --dir DIR``. Each says what the checklist must then
report (its finding, and the consequences it may also report) and where.

    $ coordcheck up --dir /tmp/kolla
    $ coordcheck break SENTINEL_CANNOT_AUTH_MASTER --dir /tmp/kolla
    $ pytest --hosts=controllers --inventory /tmp/kolla/multinode --configdir /tmp/kolla
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import redis
import yaml

from coordcheck import kolla
from coordcheck.lab import images
from coordcheck import url as urls
from coordcheck.kolla import backend_url_of
from coordcheck.lab.deployment import HOSTS, DeploymentError, LocalDeployment, accepts, service_config_text
from coordcheck.secrets import Secret
from coordcheck.url import with_sentinel_password

SETTLE_TIMEOUT = 15.0
LOG_TIMEOUT = 900.0   # tooz 9 + redis-py 8 log the incident's error after minutes


@dataclass(frozen=True)
class Scenario:
    name: str
    finding: str                       # the catalogue id the checklist must report
    description: str
    apply: Callable[[LocalDeployment], None]
    related: frozenset[str] = frozenset()  # consequences it may also report
    where: tuple[str, ...] = ()         # text the finding's where must hold (host, file, address)
    passes: bool = False                # only warnings: pytest exits 0
    sentinel_auth: bool = True          # needs `coordcheck up` with (or --no-sentinel-auth without) it
    containers: bool = False            # needs `coordcheck up --containers`
    also: frozenset[str] = frozenset()  # consequences it must also report


def config_path(d: LocalDeployment, host: str, service: str) -> Path:
    project = next(s for s in kolla.LOCAL_SERVICES if s.service == service)
    return d.root / host / service / project.config_name


def edit_urls(d: LocalDeployment, change: Callable[[str], str], paths: list[Path] | None = None) -> None:
    """Rewrite backend_url in the given service configs (all by default)."""
    for path in d.service_config_paths() if paths is None else paths:
        text = backend_url_of(path.read_text(), str(path))
        d.write_backend_url(Secret(change(text), by_value=False), [path])


def on_sentinels(d: LocalDeployment, *command: str, hosts=tuple(HOSTS)) -> None:
    for host in hosts:
        d.client(host, "sentinel").execute_command(*command)


def settle(d: LocalDeployment, what: str, ready: Callable[[], bool]) -> None:
    """Wait until the fault shows, so the checklist sees it at once."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    d.wait_for(lambda: [] if ready() else [f"fault {what} did not show"], deadline)


def master_flags(d: LocalDeployment, host: str = "ctl1") -> str:
    return d.client(host, "sentinel").sentinel_master(kolla.MASTER_NAME)["flags"]


def link_status(d: LocalDeployment, host: str) -> str | None:
    """The replica's master_link_status (None while it does not answer)."""
    try:
        return d.client(host, "server").info("replication").get("master_link_status")
    except (redis.ConnectionError, redis.TimeoutError):
        return None


def _wrong(text: str) -> str:
    return "not-" + text


# -- the faults ------------------------------------------------------------
def sentinel_auth_missing(d):
    d.repro()


def sentinel_auth_wrong(d):
    edit_urls(d, lambda u: urls.with_option(u, "sentinel_password", "not-the-password"))


def sentinel_auth_unexpected(d):
    d.fix()  # the fixed URL, on sentinels that have no password


def master_auth_wrong(d):
    password = d.password().reveal()
    edit_urls(d, lambda u: u.replace(f":{password}@", f":{_wrong(password)}@", 1))


def master_user_wrong(d):
    edit_urls(d, lambda u: u.replace("redis://default:", "redis://admin:", 1))


def password_mismatch(d):
    password = d.password().reveal()
    edit_urls(d, lambda u: u.replace(password, _wrong(password)))


def sentinel_unreachable(d, hosts=("ctl3",)):
    for host in hosts:
        d.signal(host, "sentinel", signal.SIGKILL)
    settle(d, "sentinel down", lambda: all(not accepts(HOSTS[h], kolla.SENTINEL_PORT) for h in hosts))


def sentinel_partitioned(d):
    """ctl3's sentinel cut off: TCP still accepts (the kernel does), nothing answers."""
    d.signal("ctl3", "sentinel", signal.SIGSTOP)


def sentinels_silent(d):
    """Every sentinel accepts TCP (the kernel does) and never answers."""
    for host in HOSTS:
        d.signal(host, "sentinel", signal.SIGSTOP)


def sentinel_unknown_master(d):
    edit_urls(d, lambda u: u.replace("sentinel=kolla", "sentinel=kola", 1))


def quorum_lost(d):
    on_sentinels(d, "SENTINEL", "SET", kolla.MASTER_NAME, "quorum", "4")


def sentinel_cannot_auth_master(d):
    on_sentinels(d, "SENTINEL", "SET", kolla.MASTER_NAME, "auth-pass", "not-the-password")
    on_sentinels(d, "SENTINEL", "SET", kolla.MASTER_NAME, "down-after-milliseconds", "1000")
    settle(d, "master s_down", lambda: all("s_down" in master_flags(d, h) for h in HOSTS))


def sentinel_sees_master_down(d):
    for host in ("ctl2", "ctl3"):  # no replica may be promoted: the master stays down
        d.client(host, "server").config_set("replica-priority", 0)
    on_sentinels(d, "SENTINEL", "SET", kolla.MASTER_NAME, "down-after-milliseconds", "1000")
    d.signal("ctl1", "server", signal.SIGSTOP)
    settle(d, "master s_down", lambda: all("s_down" in master_flags(d, h) for h in HOSTS))


def master_unreachable(d):
    # sentinels keep announcing the master (they would notice only after 10 min)
    on_sentinels(d, "SENTINEL", "SET", kolla.MASTER_NAME, "down-after-milliseconds", "600000")
    d.signal("ctl1", "server", signal.SIGSTOP)


def replication_broken(d):
    """ctl3's data node restarted without masterauth: it cannot authenticate to the master."""
    d.restart_server("ctl3", masterauth=False)
    settle(d, "replica link down", lambda: link_status(d, "ctl3") == "down")


def node_unreachable(d):
    d.signal("ctl3", "server", signal.SIGKILL)


def fallback_mismatch(d):
    edit_urls(d, lambda u: u.replace("127.0.2.112:26379", "127.0.2.113:26379"))


def url_invalid(d):
    edit_urls(d, lambda u: u.replace("sentinel_fallback=127.0.2.111:26379", "sentinel_fallback=127.0.2.111", 1))


def url_unknown_option(d):
    edit_urls(d, lambda u: u + "&socket_timout=5")


def url_encoding(d):
    password = d.password().reveal()
    encoded = "%{:02X}".format(ord(password[0])) + password[1:]
    edit_urls(d, lambda u: u.replace(f":{password}@", f":{encoded}@", 1))


def url_drift(d):
    edit_urls(d, lambda u: u.replace("&retry_on_timeout=yes", ""), [config_path(d, "ctl2", "designate-worker")])


def config_world_readable(d):
    os.chmod(config_path(d, "ctl1", "cinder-volume"), 0o644)


def sentinel_auth_inconsistent(d):
    d.client("ctl3", "sentinel").execute_command("ACL", "SETUSER", "default", "nopass")


def password_rejected(d):
    passwords = d.passwords.read_text()
    d.passwords.write_text(passwords.replace(d.password().reveal(), "not-the-deployed-password"))


def master_disagreement(d):
    remonitor(d, ("ctl3",), "127.0.2.111")


def master_role_wrong(d):
    remonitor(d, tuple(HOSTS), "127.0.2.111")


def remonitor(d, hosts, ip):
    """Make sentinels monitor ``ip`` (a replica) as the master."""
    password = d.password().reveal()
    for host in hosts:
        sentinel = d.client(host, "sentinel")
        sentinel.execute_command("SENTINEL", "REMOVE", kolla.MASTER_NAME)
        sentinel.execute_command("SENTINEL", "MONITOR", kolla.MASTER_NAME, ip, kolla.DATA_PORT, kolla.QUORUM)
        sentinel.execute_command("SENTINEL", "SET", kolla.MASTER_NAME, "auth-pass", password)
        sentinel.execute_command("SENTINEL", "SET", kolla.MASTER_NAME, "down-after-milliseconds", "600000")


# -- servers that do not speak RESP ------------------------------------------
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


def not_a_redis_server(d, host: str = "ctl1", kind: str = "sentinel", mode: str = "junk") -> None:
    """``host``'s sentinel replaced by a listener that answers junk bytes on
    its address (another service took the port). It is recorded like the
    deployment's own processes, so `coordcheck down` stops it."""
    port = kolla.SENTINEL_PORT if kind == "sentinel" else kolla.DATA_PORT
    d.signal(host, kind, signal.SIGKILL)
    settle(d, f"{host} {kind} down", lambda: not accepts(HOSTS[host], port))
    script = d.state_dir / host / f"garbage-{kind}.py"
    script.write_text(GARBAGE_SERVER)
    proc, _ = start_garbage_server(mode, [f"{HOSTS[host]}:{port}"], script)
    proc.stderr.close()
    state = d.state()
    state["processes"].append({"name": f"{host} garbage-{kind}", "pid": proc.pid, "config": str(script)})
    d._save(state)


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
                path.write_text(service_config_text(Secret(url, by_value=False)))
                path.chmod(0o600)
        yield root
    finally:
        proc.kill()
        proc.wait()
        proc.stderr.close()


# -- faults of the service containers (`coordcheck up --containers`) ----------
def client_too_old(d):
    """designate_worker (ctl2) on Debian's python3-tooz 3.1.0 and python3-redis 4.3.4."""
    d.run_container("ctl2", "designate-worker", images.DEBIAN)


def container_config_stale(d):
    """The host's copy for cinder_volume (ctl1) changed; the container was not restarted."""
    edit_urls(d, lambda u: u.replace("socket_timeout=60", "socket_timeout=30"), [config_path(d, "ctl1", "cinder-volume")])


def container_not_running(d):
    d.container("stop", "masakari-api")


def service_log_errors(d, timeout: float = LOG_TIMEOUT):
    """The incident in masakari_api (ctl3): the URL without sentinel_password,
    the container restarted (as reconfigure does), until its log shows it —
    tooz and redis-py retry for minutes before they log anything."""
    path = config_path(d, "ctl3", "masakari-api")
    d.write_backend_url(d.incident_url(), [path])
    d.container("restart", "masakari-api")
    deadline = time.monotonic() + timeout
    d.wait_for(lambda: [] if "No master found" in d.container_log("masakari-api")
               else ["masakari_api logged no coordination error"], deadline, poll=2.0)


CLIENT_FAILS = frozenset({"TOOZ_HANDSHAKE_FAILED"})
LOOKS_DEGRADED = frozenset({"SENTINEL_TOPOLOGY_INCOMPLETE"})
CONFIGS = "/ctl1/cinder-volume/cinder.conf"


def _all(*rows: Scenario) -> dict[str, Scenario]:
    return {row.name: row for row in rows}


SCENARIOS = _all(
    Scenario("SENTINEL_AUTH_MISSING", "SENTINEL_AUTH_MISSING", "the incident: no sentinel_password in backend_url",
             sentinel_auth_missing, CLIENT_FAILS, ("host ctl1", CONFIGS)),
    Scenario("SENTINEL_AUTH_WRONG", "SENTINEL_AUTH_WRONG", "backend_url's sentinel_password is not the sentinels'",
             sentinel_auth_wrong, CLIENT_FAILS | {"PASSWORD_MISMATCH"}, ("host ctl1", CONFIGS)),
    Scenario("SENTINEL_AUTH_UNEXPECTED", "SENTINEL_AUTH_UNEXPECTED",
             "sentinel_password sent to sentinels without a password (stock Kolla)",
             sentinel_auth_unexpected, frozenset(), ("host ctl1", CONFIGS), passes=True, sentinel_auth=False),
    Scenario("MASTER_AUTH_WRONG", "MASTER_AUTH_WRONG", "backend_url's user:password is not the data nodes'",
             master_auth_wrong, CLIENT_FAILS | {"PASSWORD_MISMATCH"}, ("host ctl1", "address 127.0.2.110:6379")),
    Scenario("MASTER_USER_WRONG", "MASTER_USER_WRONG", "backend_url's user is admin, unknown to the data nodes",
             master_user_wrong, CLIENT_FAILS, ("host ctl1", "address 127.0.2.110:6379")),
    Scenario("PASSWORD_MISMATCH", "PASSWORD_MISMATCH", "backend_url holds an old password everywhere",
             password_mismatch, CLIENT_FAILS | {"SENTINEL_AUTH_WRONG"}, ("host ctl1", CONFIGS)),
    Scenario("SENTINEL_UNREACHABLE", "SENTINEL_UNREACHABLE", "one sentinel down: degraded, a quorum remains",
             sentinel_unreachable, LOOKS_DEGRADED, ("127.0.2.112:26379",), passes=True),
    Scenario("SENTINEL_UNREACHABLE_NO_QUORUM", "SENTINEL_UNREACHABLE", "two sentinels down: no quorum",
             lambda d: sentinel_unreachable(d, ("ctl2", "ctl3")), LOOKS_DEGRADED | {"QUORUM_LOST"},
             ("127.0.2.111:26379",), also=frozenset({"QUORUM_LOST"})),
    Scenario("SENTINEL_PARTITIONED", "SENTINEL_UNREACHABLE", "one sentinel hangs (SIGSTOP): degraded, a quorum remains",
             sentinel_partitioned, LOOKS_DEGRADED, ("127.0.2.112:26379",), passes=True),
    Scenario("SENTINELS_SILENT", "SENTINEL_UNREACHABLE", "every sentinel hangs (SIGSTOP): TCP accepts, no reply",
             sentinels_silent, CLIENT_FAILS, ("127.0.2.111:26379",)),
    Scenario("NOT_A_REDIS_SERVER", "NOT_A_REDIS_SERVER",
             "ctl1's sentinel replaced by a listener that answers junk bytes (the first sentinel of every URL)",
             not_a_redis_server, CLIENT_FAILS | LOOKS_DEGRADED, ("127.0.2.110:26379",),
             also=frozenset({"TOOZ_HANDSHAKE_FAILED"})),
    Scenario("SENTINEL_UNKNOWN_MASTER", "SENTINEL_UNKNOWN_MASTER", "backend_url asks for sentinel=kola",
             sentinel_unknown_master, CLIENT_FAILS, ("127.0.2.110:26379",)),
    Scenario("QUORUM_LOST", "QUORUM_LOST", "the sentinels' quorum (4) exceeds the sentinels (3)",
             quorum_lost, frozenset(), ("127.0.2.110:26379",)),
    Scenario("SENTINEL_CANNOT_AUTH_MASTER", "SENTINEL_CANNOT_AUTH_MASTER", "the sentinels' auth-pass is wrong",
             sentinel_cannot_auth_master, CLIENT_FAILS | LOOKS_DEGRADED | {"SENTINEL_SEES_MASTER_DOWN", "QUORUM_LOST"},
             ("127.0.2.110:26379",)),
    Scenario("SENTINEL_SEES_MASTER_DOWN", "SENTINEL_SEES_MASTER_DOWN",
             "the master hangs (SIGSTOP) and no replica may replace it",
             sentinel_sees_master_down, CLIENT_FAILS | LOOKS_DEGRADED | {"MASTER_UNREACHABLE", "NODE_UNREACHABLE",
                                                                          "QUORUM_LOST", "REPLICATION_BROKEN"},
             ("127.0.2.110:26379",)),
    Scenario("MASTER_UNREACHABLE", "MASTER_UNREACHABLE", "the announced master hangs (SIGSTOP): TCP accepts, no reply",
             master_unreachable, CLIENT_FAILS | {"NODE_UNREACHABLE", "REPLICATION_BROKEN"},
             ("127.0.2.110:6379",)),
    Scenario("REPLICATION_BROKEN", "REPLICATION_BROKEN", "a replica restarted without masterauth",
             replication_broken, LOOKS_DEGRADED, ("127.0.2.112:6379",)),
    Scenario("NODE_UNREACHABLE", "NODE_UNREACHABLE", "a replica's server is down",
             node_unreachable, LOOKS_DEGRADED | {"REPLICATION_BROKEN"}, ("127.0.2.112:6379",)),
    Scenario("FALLBACK_MISMATCH", "FALLBACK_MISMATCH", "backend_url lists 127.0.2.113 instead of 127.0.2.112",
             fallback_mismatch, frozenset(), ("host ctl1", CONFIGS)),
    Scenario("URL_INVALID", "URL_INVALID", "a sentinel_fallback without a port",
             url_invalid, frozenset(), ("host ctl1", CONFIGS)),
    Scenario("URL_UNKNOWN_OPTION", "URL_UNKNOWN_OPTION", "socket_timout=5, an option tooz ignores",
             url_unknown_option, frozenset(), ("host ctl1", CONFIGS)),
    Scenario("URL_ENCODING", "URL_ENCODING", "the user:password part percent-encoded (tooz does not decode it)",
             url_encoding, CLIENT_FAILS, ("host ctl1", CONFIGS)),
    Scenario("URL_DRIFT", "URL_DRIFT", "one service on one host has another URL",
             url_drift, frozenset(), ("host ctl2", "/ctl2/designate-worker/designate.conf")),
    Scenario("CONFIG_WORLD_READABLE", "CONFIG_WORLD_READABLE", "a service config is mode 0644",
             config_world_readable, frozenset(), ("host ctl1", CONFIGS)),
    Scenario("SENTINEL_AUTH_INCONSISTENT", "SENTINEL_AUTH_INCONSISTENT", "one sentinel lost its password",
             sentinel_auth_inconsistent, frozenset(), ("127.0.2.112:26379",)),
    Scenario("PASSWORD_REJECTED", "PASSWORD_REJECTED", "passwords.yml holds another password than the servers",
             password_rejected, frozenset({"PASSWORD_MISMATCH", "MASTER_DISAGREEMENT"}), ("127.0.2.110:26379",)),
    Scenario("MASTER_DISAGREEMENT", "MASTER_DISAGREEMENT", "one sentinel monitors a replica as the master",
             master_disagreement, LOOKS_DEGRADED | {"SENTINEL_SEES_MASTER_DOWN", "QUORUM_LOST"},
             ("127.0.2.112:26379",)),
    Scenario("MASTER_ROLE_WRONG", "MASTER_ROLE_WRONG", "every sentinel monitors a replica as the master",
             master_role_wrong, CLIENT_FAILS | LOOKS_DEGRADED | {"SENTINEL_SEES_MASTER_DOWN", "REPLICATION_BROKEN",
                                                                  "QUORUM_LOST"},
             ("127.0.2.111:6379",)),
    Scenario("CLIENT_TOO_OLD", "CLIENT_TOO_OLD", "designate_worker runs Debian's tooz 3.1.0 / redis-py 4.3.4",
             client_too_old, CLIENT_FAILS | {"SERVICE_LOG_ERRORS"}, ("ctl2", "designate_worker"), containers=True),
    Scenario("CONTAINER_CONFIG_STALE", "CONTAINER_CONFIG_STALE",
             "cinder_volume's host copy changed, the container not restarted",
             container_config_stale, frozenset({"URL_DRIFT"}), ("ctl1", "cinder_volume"), containers=True),
    Scenario("CONTAINER_NOT_RUNNING", "CONTAINER_NOT_RUNNING", "masakari_api is stopped",
             container_not_running, frozenset(), ("ctl3", "masakari_api"), containers=True),
    Scenario("SERVICE_LOG_ERRORS", "SERVICE_LOG_ERRORS",
             "the incident in masakari_api only, until its log shows it (minutes)",
             service_log_errors, CLIENT_FAILS | {"SENTINEL_AUTH_MISSING", "URL_DRIFT"}, ("ctl3", "masakari_api"),
             containers=True),
)


def apply(d: LocalDeployment, name: str) -> Scenario:
    """Inject scenario ``name`` into the running deployment ``d``."""
    if name not in SCENARIOS:
        raise DeploymentError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
    scenario = SCENARIOS[name]
    if scenario.containers and not d.state().get("engine"):
        raise DeploymentError(f"scenario {name} needs a deployment made by `coordcheck up --containers`")
    if d.state()["sentinel_auth"] != scenario.sentinel_auth:
        needs = "`coordcheck up`" if scenario.sentinel_auth else "`coordcheck up --no-sentinel-auth`"
        raise DeploymentError(f"scenario {name} needs a deployment made by {needs}")
    try:
        scenario.apply(d)
    except redis.RedisError as exc:
        raise DeploymentError(f"scenario {name}: the deployment refused the fault: {exc}") from None
    return scenario


def _needs(s: Scenario) -> str:
    if s.containers:
        return " (needs `up --containers`)"
    return "" if s.sentinel_auth else " (needs `up --no-sentinel-auth`)"


def markdown_table() -> str:
    """The README's scenario table (tests/test_readme.py keeps them equal)."""
    rows = ["| `coordcheck break` | reproduces | fault | pytest exit |", "|---|---|---|---|"]
    rows += [f"| `{s.name}` | `{s.finding}` | {s.description}{_needs(s)} | {0 if s.passes else 1} |"
             for s in SCENARIOS.values()]
    return "\n".join(rows)
