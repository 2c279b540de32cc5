"""The faults of `coordcheck break`, one function per scenario: each takes
the running `LocalDeployment` and breaks it, then waits until the fault shows."""

from __future__ import annotations

import ipaddress
import os
import signal
import time
from pathlib import Path
from typing import Callable

import redis

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.kolla import backend_url_of
from coordcheck.lab import images
from coordcheck.lab.deployment import LocalDeployment, accepts
from coordcheck.lab.errors import DeploymentError
from coordcheck.lab.garbage import GARBAGE_SERVER, start_garbage_server
from coordcheck.lab.kolla_files import HORIZON_CUSTOM_STOCK, HORIZON_FILES
from coordcheck.secrets import Secret

SETTLE_TIMEOUT = 15.0
LOG_TIMEOUT = 900.0   # tooz 9 + redis-py 8 log the incident's error after minutes


def config_path(d: LocalDeployment, host: str, service: str) -> Path:
    project = next(s for s in kolla.LOCAL_SERVICES if s.service == service)
    return d.root / host / service / project.config_name


def edit_urls(d: LocalDeployment, change: Callable[[str], str], paths: list[Path] | None = None) -> None:
    """Rewrite backend_url in the given service configs (all by default)."""
    for path in d.service_config_paths() if paths is None else paths:
        text = backend_url_of(path.read_text(), str(path))
        d.write_backend_url(Secret(change(text), by_value=False), [path])


def backends(d: LocalDeployment) -> list[str]:
    return d.layout().backends


def on_sentinels(d: LocalDeployment, *command: str, hosts=None) -> None:
    for host in backends(d) if hosts is None else hosts:
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
    settle(d, "sentinel down", lambda: all(not accepts(d.address(h), kolla.SENTINEL_PORT) for h in hosts))


def sentinel_partitioned(d):
    """ctl3's sentinel cut off: TCP still accepts (the kernel does), nothing answers."""
    d.signal("ctl3", "sentinel", signal.SIGSTOP)


def sentinels_silent(d):
    """Every sentinel accepts TCP (the kernel does) and never answers."""
    for host in backends(d):
        d.signal(host, "sentinel", signal.SIGSTOP)


def sentinel_unknown_master(d):
    edit_urls(d, lambda u: u.replace("sentinel=kolla", "sentinel=kola", 1))


def quorum_lost(d):
    on_sentinels(d, "SENTINEL", "SET", kolla.MASTER_NAME, "quorum", "4")


def sentinel_cannot_auth_master(d):
    on_sentinels(d, "SENTINEL", "SET", kolla.MASTER_NAME, "auth-pass", "not-the-password")
    on_sentinels(d, "SENTINEL", "SET", kolla.MASTER_NAME, "down-after-milliseconds", "1000")
    settle(d, "master s_down", lambda: all("s_down" in master_flags(d, h) for h in backends(d)))


def sentinel_sees_master_down(d):
    for host in backends(d)[1:]:  # no replica may be promoted: the master stays down
        d.client(host, "server").config_set("replica-priority", 0)
    on_sentinels(d, "SENTINEL", "SET", kolla.MASTER_NAME, "down-after-milliseconds", "1000")
    d.signal("ctl1", "server", signal.SIGSTOP)
    settle(d, "master s_down", lambda: all("s_down" in master_flags(d, h) for h in backends(d)))


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
    ip = d.address("ctl3")
    stray = str(ipaddress.ip_address(ip) + 1)  # no sentinel there
    edit_urls(d, lambda u: u.replace(f"{ip}:26379", f"{stray}:26379"))


def url_invalid(d):
    ip = d.address("ctl2")
    edit_urls(d, lambda u: u.replace(f"sentinel_fallback={ip}:26379", f"sentinel_fallback={ip}", 1))


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
    remonitor(d, ("ctl3",), d.address("ctl2"))


def master_role_wrong(d):
    remonitor(d, tuple(backends(d)), d.address("ctl2"))


def remonitor(d, hosts, ip):
    """Make sentinels monitor ``ip`` (a replica) as the master."""
    password = d.password().reveal()
    for host in hosts:
        sentinel = d.client(host, "sentinel")
        sentinel.execute_command("SENTINEL", "REMOVE", kolla.MASTER_NAME)
        sentinel.execute_command("SENTINEL", "MONITOR", kolla.MASTER_NAME, ip, kolla.DATA_PORT, kolla.QUORUM)
        sentinel.execute_command("SENTINEL", "SET", kolla.MASTER_NAME, "auth-pass", password)
        sentinel.execute_command("SENTINEL", "SET", kolla.MASTER_NAME, "down-after-milliseconds", "600000")


def not_a_redis_server(d, host: str = "ctl1", kind: str = "sentinel", mode: str = "junk") -> None:
    """``host``'s sentinel replaced by a listener that answers junk bytes on
    its address (another service took the port). It is recorded like the
    deployment's own processes, so `coordcheck down` stops it."""
    port = kolla.SENTINEL_PORT if kind == "sentinel" else kolla.DATA_PORT
    d.signal(host, kind, signal.SIGKILL)
    settle(d, f"{host} {kind} down", lambda: not accepts(d.address(host), port))
    script = d.state_dir / host / f"garbage-{kind}.py"
    script.write_text(GARBAGE_SERVER)
    proc, _ = start_garbage_server(mode, [f"{d.address(host)}:{port}"], script)
    proc.stderr.close()
    state = d.state()
    state["processes"].append({"name": f"{host} garbage-{kind}", "pid": proc.pid, "config": str(script)})
    d._save(state)



def partition_one_host(d, host: str = "ctl2", other: str = "ctl3"):
    """``host`` alone cannot open TCP to ``other``'s sentinel (a rule in its namespace only)."""
    d.partition(host, other, kolla.SENTINEL_PORT)


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


def _consumer_reconfigured(d, host: str, name: str, change: Callable[[str], str]) -> None:
    """Rewrite file ``name`` of the consumer on ``host`` (``change(text)``) and
    restart its container, as kolla-ansible reconfigure does."""
    placed = dict(d.consumer_placement())
    if host not in placed:
        raise DeploymentError("this scenario needs a deployment made by `coordcheck up --containers --consumers`")
    path = d.root / host / placed[host][0] / name
    path.write_text(change(path.read_text()))
    d.container("restart", placed[host][0])


def jobboard_no_sentinel_auth(d):
    """octavia_worker (ctl2) as stock Kolla renders it: no jobboard_redis_sentinel_password."""
    _consumer_reconfigured(d, "ctl2", "octavia.conf", lambda text: "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith("jobboard_redis_sentinel_password")))


def horizon_no_sentinel_auth(d):
    """horizon (ctl3) as stock Kolla renders it: Kolla's own _9999-custom-settings.py, no SENTINEL_KWARGS."""
    _consumer_reconfigured(d, "ctl3", HORIZON_FILES[1], lambda text: HORIZON_CUSTOM_STOCK)


def gnocchi_sentinel_auth_missing(d):
    """gnocchi_metricd (ctl1): the incident's URLs in gnocchi.conf (no sentinel_password)."""
    incident = d.incident_url().reveal()
    _consumer_reconfigured(d, "ctl1", "gnocchi.conf", lambda text: "".join(
        f"{line.split('=', 1)[0].rstrip()} = {incident}\n" if "= redis://" in line else line
        for line in text.splitlines(keepends=True)))
