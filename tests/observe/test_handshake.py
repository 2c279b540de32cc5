"""The coordination handshake as the script it is (sent on stdin to
``python3 -``, then ``main(params)``): a namespaced lock taken and released
through a real tooz, the URL from params or from a service config, every
failure one JSON line with its stage, a deadline that no retry swallows."""

import json
import subprocess
import sys

import pytest
from tooz import coordination

from coordcheck.observe import handshake
from coordcheck.observe import tooz as tooz_probe


def run_main(**params) -> dict:
    """handshake.py's source and a ``main`` call, on the stdin of this Python: its JSON line."""
    call = {**tooz_probe.params(timeout=2.0, deadline=10.0), **params}
    script = f"{tooz_probe.SOURCE}\nmain(json.loads({json.dumps(json.dumps(call))}))\n"
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=60)
    [line] = done.stdout.splitlines()
    return json.loads(line)


def test_a_lock_is_taken_and_released_with_the_url_given(plain_backend):
    result = run_main(url=plain_backend.url)
    assert (result["ok"], result["stage"], result["error"]) == (True, "done", None)
    assert result["tooz"] and result["redis"] and result["python"] == ".".join(map(str, sys.version_info[:3]))


def test_the_url_of_a_service_config(plain_backend, tmp_path):
    config = tmp_path / "cinder.conf"
    config.write_text(f"[DEFAULT]\ndebug = False\n\n[coordination]\nbackend_url = {plain_backend.url}\n")
    assert run_main(config=str(config))["ok"]
    assert handshake.backend_url({"config": str(config)}) == plain_backend.url


def test_a_config_that_cannot_be_read_fails_at_its_stage(tmp_path):
    result = run_main(config=str(tmp_path / "absent.conf"))
    assert (result["ok"], result["stage"]) == (False, "config")
    assert result["error"] == f"OSError: cannot read {tmp_path / 'absent.conf'}"


def test_a_lock_another_member_holds_is_named(plain_backend):
    params = tooz_probe.params(timeout=0.5, deadline=10.0, url=plain_backend.url)
    other = coordination.get_coordinator(plain_backend.url, b"another-member", namespace=params["namespace"])
    other.start()
    lock = other.get_lock(params["lock"].encode())
    assert lock.acquire(blocking=False)
    try:
        result = run_main(**params)
    finally:
        lock.release()
        other.stop()
    assert (result["ok"], result["stage"]) == (False, "lock")
    assert result["error"] == f"RuntimeError: lock {params['lock']} is held by another member"


def test_the_deadline_ends_a_server_that_never_answers(silent_port):
    result = run_main(url=f"redis://:pw@{silent_port}", timeout=30.0, deadline=1.0)
    assert result["timed_out"] and not result["ok"] and result["seconds"] < 3
    assert result["error"].startswith("tooz did not finish within 1 s (tooz retries connection errors 15 times")


def test_each_consumer_client_is_a_routine_of_the_script():
    assert sorted(handshake.CLIENTS) == ["django_redis_client", "gnocchi_client", "jobboard_client"]
    assert handshake.backend_url({"url": "redis://given"}) == "redis://given"
    with pytest.raises(IOError):
        handshake.backend_url({"config": "/nonexistent/cinder.conf"})
