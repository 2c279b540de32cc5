"""The lock-exclusion probe with real tooz and redis-py against the lab's
sentinels: a held probe lock refuses a twin of the same tooz, the probe
removes what it held, and a try never leaves a key either."""

import dataclasses

import redis

from coordcheck import url as urls
from coordcheck.kolla import backend_url_of
from coordcheck.observe import locks


def lab_url(deployment):
    conf = deployment.root / "ctl1" / "cinder-volume" / "cinder.conf"
    return urls.parse(backend_url_of(conf.read_text(), str(conf)))


def keys(deployment, pattern):
    master = redis.Redis(deployment.address("ctl1"), 6379, password=deployment.password.reveal(), socket_timeout=5)
    try:
        return master.keys(pattern)
    finally:
        master.close()


def test_twin_is_refused_and_no_probe_key_is_left(deployment):
    runner = locks.runner_client(lab_url(deployment))
    twin = dataclasses.replace(runner, label="the runner again")
    seen = locks.exclusion([runner, twin], deadline=10.0, timeout=2.0)
    assert seen.lock.startswith(locks.PREFIX) and not seen.errors, seen
    assert [(a.holder.label, a.client.label, a.acquired) for a in seen.attempts] == \
        [("the runner", "the runner again", False)]
    assert seen.not_excluded() == [] and seen.removed == ["the runner"]
    assert keys(deployment, f"*{seen.lock}*") == []


def test_a_single_client_class_without_a_twin_takes_no_lock(deployment):
    seen = locks.exclusion([locks.runner_client(lab_url(deployment))], deadline=10.0, timeout=2.0)
    assert seen.attempts == [] and seen.removed == [] and seen.errors == []


def test_a_hold_that_fails_is_reported_not_raised(deployment):
    broken = urls.parse(urls.without_option(lab_url(deployment).raw, "sentinel_password"))
    holder = locks.runner_client(broken)
    seen = locks.exclusion([holder, dataclasses.replace(holder, label="twin")], deadline=10.0, timeout=2.0)
    assert seen.attempts == [] and len(seen.errors) >= 1
    assert "could not hold" in seen.errors[0] and "ToozConnectionError" in seen.errors[0]
    assert deployment.password.reveal() not in " ".join(seen.errors)
