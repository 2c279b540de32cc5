"""kolla-ansible's point releases as data: the ones published (and read by
tests/kolla/test_drift.py from their wheels), where inside a series what
the gate renders changes (a new range starts), and the changes upstream
made to what the drift check reads that change nothing the gate renders.

    >>> range_of("20.5.0")
    ('20.4.0', '20.6.0')
"""

from __future__ import annotations

SERIES = {"19": "2024.2", "20": "2025.1", "21": "2025.2", "22": "2026.1", "23": "2026.2"}
#: Every published point release of the supported series (the drift check fails when the index lists more).
PUBLISHED = {"19": tuple(f"19.{m}.0" for m in range(9)), "20": tuple(f"20.{m}.0" for m in range(7)),
             "21": tuple(f"21.{m}.0" for m in range(4)), "22": tuple(f"22.{m}.0" for m in range(3)),
             "23": ("23.0.0",)}
#: Point releases whose whole rendering was compared value by value with the real kolla-ansible
#: (tests/kolla/test_agreement.py); the others' modeled lines are read from their wheels (test_drift.py).
PROVEN = ("20.3.0", "20.6.0", "23.0.0")

#: Where a range starts inside a series: what changed in what the gate renders, and the facts (as
#: tests/kolla/wheel_facts.py names them; ``*`` a wildcard) that changed with it.
CHANGES = {
    "19.4.0": ("octavia's jobboard asks the sentinels (jobboard_redis_sentinel, the sentinel port, user default); "
               "before 19.4.0 it is given the Redis hosts' data port and the password in quotes",
               ("template:octavia/octavia.conf.j2",)),
    "20.4.0": ("the valkey role beside redis: with enable_valkey every consumer renders valkey_connection_string "
               "and the valkey group; without it, Redis as before (19.x-20.3.0 know no Valkey)",
               ("roles:flavors", "inventory:valkey", "site:valkey", "services:valkey:*", "template:valkey/*",
                "var:valkey_*", "var:enable_valkey", "var:*_coordination_backend", "var:gnocchi_incoming_storage",
                "var:osprofiler_backend_connection_string", "template:cinder/*", "template:designate/*",
                "template:gnocchi/*", "template:ironic/*", "template:masakari/*", "template:mistral/*",
                "template:octavia/*")),
}
#: (point release, fact) -> why that change in the release's files changes nothing the gate renders.
UNMODELED = {
    ("19.3.0", "template:cinder/cinder.conf.j2"): "the etcd backend_url's ca_cert separator (the gate renders no etcd URL)",
    ("19.8.0", "template:horizon/_9998-kolla-settings.py.j2"): "horizon's memcached OPTIONS (the gate renders "
                                                               "horizon's cache from 22.x, where it is Valkey's)",
    ("20.4.0", "template:horizon/_9998-kolla-settings.py.j2"): "horizon's memcached OPTIONS (as in 19.8.0)",
    ("21.1.0", "inventory:redis"): "the example inventory's redis group, back for migrate-valkey (the gate reads the "
                                   "operator's inventory)",
    ("21.1.0", "services:keystone:keystone-httpd"): "keystone-httpd's switch (federation only; the gate renders "
                                                    "keystone's [profiler] for keystone and keystone-fernet)",
}


def key(point: str) -> tuple[int, ...]:
    return tuple(int(p) for p in point.split("."))


def starts(major: str) -> list[str]:
    """The first point release of each range of a series."""
    first = PUBLISHED[major][0]
    return sorted({first} | {p for p in CHANGES if p.split(".")[0] == major}, key=key)


def range_of(point: str) -> tuple[str, str]:
    """The range (first, last published) that holds ``point``; a release newer than the last published
    one of its series is in the series' newest range."""
    major = point.split(".")[0]
    begins = starts(major)
    first = max((b for b in begins if key(b) <= key(point)), key=key, default=begins[0])
    later = [b for b in begins if key(b) > key(first)]
    last = max((p for p in PUBLISHED[major] if not later or key(p) < key(later[0])), key=key)
    return first, last


def in_range(point: str, spec: str) -> bool:
    """``spec``: ``A-B`` (both included), ``A-`` (A and later)."""
    low, _, high = spec.partition("-")
    return key(low) <= key(point) and (not high or key(point) <= key(high))


def label(first: str, last: str) -> str:
    return first if first == last else f"{first}-{last}"


def differences(point: str) -> list[str]:
    """What the other ranges of ``point``'s series render differently, one line each."""
    major, own = point.split(".")[0], range_of(point)
    out = []
    for begin in starts(major):
        other = range_of(begin)
        if other == own:
            continue
        later, earlier = (own, other) if key(own[0]) > key(other[0]) else (other, own)
        out.append(f"{label(*other)} (changed at " + "; at ".join(f"{b}: {CHANGES[b][0]}" for b in starts(major)
                                                          if key(earlier[0]) < key(b) <= key(later[0])) + ")")
    return out
