"""The lock-exclusion probe's modes, each a run of the script with this
venv's tooz against a real redis-server: ``hold`` leaves the lock held,
``try`` is refused while it is and takes it once it is not, ``break``
removes the held lock's key."""

import json

import redis

from coordcheck.observe import locks


def probe(mode: str, lock: str, url: str) -> dict:
    done = locks.run_here(locks.script(mode, lock, {"url": url}, deadline=10.0, timeout=2.0), 10.0)
    return json.loads(done.stdout.splitlines()[-1])


def test_held_refused_broken_then_taken(plain_backend):
    lock = locks.probe_lock_name()
    server = redis.Redis(*plain_backend.address, password=plain_backend.password.reveal(), socket_timeout=5)
    try:
        held = probe("hold", lock, plain_backend.url)
        assert (held["ok"], held["acquired"], held["mode"]) == (True, True, "hold") and held["tooz"]
        assert server.keys(f"*{lock}*")                                     # held after its run ended
        assert probe("try", lock, plain_backend.url)["acquired"] is False
        assert probe("break", lock, plain_backend.url)["acquired"] is True  # there was a key to remove
        assert server.keys(f"*{lock}*") == []
        assert probe("try", lock, plain_backend.url)["acquired"] is True    # free: taken, then released
        assert server.keys(f"*{lock}*") == []
    finally:
        server.close()

