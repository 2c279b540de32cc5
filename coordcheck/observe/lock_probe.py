"""The lock-exclusion probe: a script appended to ``handshake.py``'s source
(it uses that script's ``backend_url``, ``_version``, ``_arm`` and
``Deadline``) and run the same way, on stdin, by the Python of a service
container (its own tooz and redis-py) or of the runner. One mode a run:

- ``hold``: take the probe lock and leave it held (the coordinator is not
  stopped, so tooz does not release it); its key expires after
  ``lock_timeout`` seconds by itself
- ``try``: take the same lock without waiting; if that works the two clients
  do not exclude each other: release it at once
- ``break``: remove the held lock's key with tooz's own ``Lock.break_()``

The lock is named as the services' are (tooz's default namespace), under a
name of its own: ``coordcheck-probe-<random>``. It prints one JSON line:

    {"mode": "try", "ok": true, "acquired": false, "tooz": "8.1.0", "redis": "7.2.0", "seconds": 0.05}

Standard library and tooz only; old Pythons (no f-strings).
"""


def lock_probe(params):
    """Run ``params["mode"]`` on the lock ``params["lock"]``; print the result."""
    result = {"mode": params["mode"], "ok": False, "acquired": None, "tooz": _version("tooz"),
              "redis": _version("redis"), "python": platform.python_version(), "error": None}
    started = time.monotonic()
    try:
        from tooz import coordination

        started = _arm(params)
        options = {"lock_timeout": params["lock_timeout"], "socket_timeout": params["timeout"],
                   "socket_connect_timeout": params["timeout"]}
        coordinator = coordination.get_coordinator(backend_url(params), params["member"].encode(), **options)
        coordinator.start(start_heart=False)
        lock = coordinator.get_lock(params["lock"].encode())
        if params["mode"] == "break":
            result["acquired"] = bool(lock.break_())   # True: there was a key to remove
        else:
            result["acquired"] = bool(lock.acquire(blocking=False))
        if params["mode"] != "hold":
            coordinator.stop()                          # releases what a ``try`` took
        result["ok"] = True
    except Deadline:
        result["error"] = "the lock probe did not finish within %g s" % params["deadline"]
    except Exception as exc:  # noqa: BLE001 - every failure is reported as data
        result["error"] = " ".join(("%s: %s" % (exc.__class__.__name__, exc)).split())
    finally:
        if params.get("deadline"):
            signal.setitimer(signal.ITIMER_REAL, 0)
    result["seconds"] = round(time.monotonic() - started, 3)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
