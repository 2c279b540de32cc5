"""Lock exclusion between the clients of one backend (pure: the probe's
`coordcheck.observe.locks.Exclusion` -> findings): a client that acquired a
lock another client held is LOCKS_NOT_EXCLUSIVE, naming both sides'
containers, hosts, versions and the Kolla releases those versions ship in.
A pair in which one side is the runner is no finding (coordcheck's own tooz
takes no service lock): `runner_pairs` lists them for the log.
"""

from __future__ import annotations

from coordcheck.findings import FAIL, Finding, Where
from coordcheck.kolla import releases

#: tooz 9.0 renamed the Redis lock keys (bytes names formatted with %s under 8.x)
RENAMED_IN = (9, 0)


def _major_minor(version: str | None) -> tuple[int, int]:
    try:
        major, minor = (version or "").split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return (0, 0)


def shipped_in(tooz: str | None, redis_py: str | None) -> str:
    """The Kolla series whose images carry these versions ("" if none)."""
    series = [releases.SERIES[major] for major, pins in releases.CLIENTS.items() if pins == (tooz, redis_py)]
    return ", ".join(f"Kolla {s}" for s in series)


def side(client) -> str:
    shipped = shipped_in(client.tooz, client.redis)
    return f"{client.label} (tooz {client.tooz}, redis-py {client.redis}{'; ' + shipped if shipped else ''})"


def key_names(tooz: str | None, lock: str) -> str:
    """The key a tooz of this version writes for the lock (default namespace, bytes name)."""
    return f"_tooz_{lock}_lock" if _major_minor(tooz) >= RENAMED_IN else f"b'_tooz'_b'{lock}'_lock"


def why(holder, client, lock: str) -> str:
    old, new = sorted((holder, client), key=lambda c: _major_minor(c.tooz))
    if _major_minor(old.tooz) < RENAMED_IN <= _major_minor(new.tooz):
        return (f"tooz {old.tooz} keys the lock {key_names(old.tooz, lock)!r}, tooz {new.tooz} "
                f"{key_names(new.tooz, lock)!r} (tooz 9.0 renamed Redis lock keys): both are held at once")
    return "both held it at once"


def fix_for(holder, client) -> str:
    """Which releases differ, and the order that ends it."""
    a, b = shipped_in(holder.tooz, holder.redis), shipped_in(client.tooz, client.redis)
    differ = f"{a or 'tooz ' + str(holder.tooz)} on {holder.host or 'the runner'} and " \
             f"{b or 'tooz ' + str(client.tooz)} on {client.host or 'the runner'}"
    return (f"the hosts run different releases' images ({differ}): finish the upgrade of every host of the "
            "project to one release (kolla-ansible pull, then upgrade --limit the remaining hosts) before "
            "restarting its services on the upgraded hosts")


def exclusion_findings(seen) -> list[Finding]:
    """One finding per client that took a held probe lock."""
    found = []
    for attempt in seen.not_excluded():
        holder, client = attempt.holder, attempt.client
        if holder.container is None or client.container is None:
            continue
        found.append(Finding(
            "LOCKS_NOT_EXCLUSIVE", Where(host=client.host, container=client.container),
            f"{side(holder)} held the tooz lock {seen.lock!r}; {side(client)} acquired it at once: "
            f"{why(holder, client, seen.lock)}. The probe lock was removed again",
            fix=fix_for(holder, client), severity=FAIL))
    return found


def runner_pairs(seen) -> list[str]:
    """The service clients whose locks the runner's tooz does not exclude (log lines)."""
    return [f"{side(a.holder)} and {side(a.client)} do not exclude each other's locks" for a in seen.not_excluded()
            if a.holder.container is None or a.client.container is None]
