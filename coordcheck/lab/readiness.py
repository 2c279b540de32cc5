"""When a lab is ready: every replica online at the master, then every
sentinel seeing the master, all replicas and all other sentinels.

    wait_for(lambda: disagreement(addresses, password), deadline, logs)
"""

from __future__ import annotations

import time

from coordcheck import kolla
from coordcheck.lab.errors import DeploymentError
from coordcheck.observe.probe import Address, observe_node, observe_sentinel
from coordcheck.secrets import Secret


def replication_lag(master_ip: str, replicas: int, password: Secret) -> list[str]:
    """Replicas not yet online at the master ([] when all are). Sentinels
    start after this, so their first look at the master sees every replica."""
    master = observe_node(Address(master_ip, kolla.DATA_PORT), password, timeout=0.5)
    online = sum(1 for k, v in master.replication.items()
                 if k.startswith("slave") and isinstance(v, dict) and v.get("state") == "online")
    return [] if online == replicas else [f"master {master.address} has {online} of {replicas} replicas online"]


def disagreement(sentinel_ips: list[str], password: Secret) -> list[str]:
    """What keeps the sentinels from full agreement ([] when they agree)."""
    problems = []
    expected = len(sentinel_ips) - 1
    for ip in sentinel_ips:
        obs = observe_sentinel(Address(ip, kolla.SENTINEL_PORT), kolla.MASTER_NAME, password, timeout=0.5)
        master = obs.master or {}
        if not master:
            problems.append(f"sentinel {obs.address}: {obs.login.error or obs.master_error or 'no answer'}")
        elif master.get("flags") != "master":
            problems.append(f"sentinel {obs.address} sees the master as {master.get('flags')}")
        elif master.get("num-slaves") != expected or master.get("num-other-sentinels") != expected:
            problems.append(f"sentinel {obs.address} sees {master.get('num-slaves')} of {expected} replicas "
                            f"and {master.get('num-other-sentinels')} of {expected} other sentinels")
        elif any(r.get("flags") != "slave" for r in obs.replicas):
            problems.append(f"sentinel {obs.address} sees replicas as {[r.get('flags') for r in obs.replicas]}")
    return problems


def wait_for(problems_now, deadline: float, logs: str, poll: float = 0.05) -> None:
    """Poll ``problems_now()`` until it returns [] or the deadline passes."""
    while True:
        problems = problems_now()
        if not problems:
            return
        if time.monotonic() > deadline:
            raise DeploymentError(f"deployment not ready in time: {problems[0]} (logs: {logs})")
        time.sleep(poll)
