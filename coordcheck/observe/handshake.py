"""The coordination handshake, as a self-contained script.

Its source is sent on stdin to ``python3 -`` (locally, or inside a service
container with the container's own Python, tooz and redis-py), followed by a
line calling ``main()`` with the parameters: the URL itself, or (inside a
container) the config file to read it from. The backend URL therefore never
appears on a command line. It prints one JSON line:

    {"ok": true, "stage": "done", "tooz": "9.1.0", "redis": "8.1.0", "seconds": 0.01}

Only the standard library and tooz are used here: keep it importable on old
Pythons (no f-strings with ``=``, no walrus).
"""

import json
import platform
import signal
import sys
import time


class Deadline(BaseException):
    """``params["deadline"]`` passed after the imports: not an Exception, so
    that no retry loop of tooz or redis-py can swallow it."""


def _expire(signum, frame):
    raise Deadline()


def _version(module_name):
    try:
        from importlib import metadata
        return metadata.version(module_name)
    except Exception:  # noqa: BLE001 - a missing version is only reported
        return None


def backend_url(params):
    """``params["url"]``, or the [coordination] backend_url of ``params["config"]``."""
    if "url" in params:
        return params["url"]
    import configparser
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    if not parser.read(params["config"]):
        raise IOError("cannot read %s" % params["config"])
    return parser.get("coordination", "backend_url")


def main(params):
    """Start a coordinator, take and release a namespaced lock, stop."""
    result = {"ok": False, "stage": "import", "tooz": _version("tooz"), "redis": _version("redis"),
              "python": platform.python_version(), "error": None}
    started = time.monotonic()
    coordinator = None
    try:
        from tooz import coordination

        if params.get("deadline"):  # the interpreter's start and the imports are not the server's time
            started = time.monotonic()
            signal.signal(signal.SIGALRM, _expire)
            signal.setitimer(signal.ITIMER_REAL, params["deadline"])
        result["stage"] = "config"
        url = backend_url(params)

        result["stage"] = "start"
        options = {
            "namespace": params["namespace"],
            "lock_timeout": params["lock_timeout"],
            "socket_timeout": params["timeout"],
            "socket_connect_timeout": params["timeout"],
        }
        coordinator = coordination.get_coordinator(
            url, params["member"].encode(), **options)
        coordinator.start(start_heart=False)
        result["stage"] = "lock"
        lock = coordinator.get_lock(params["lock"].encode())
        if not lock.acquire(blocking=params["timeout"]):
            raise RuntimeError("lock %s is held by another member" % params["lock"])
        result["stage"] = "release"
        lock.release()
        result["stage"] = "stop"
        coordinator.stop()
        coordinator = None
        result["ok"], result["stage"] = True, "done"
    except Deadline:
        result["timed_out"] = True
        result["error"] = ("tooz did not finish within %g s (tooz retries connection errors 15 times, so a "
                           "service waits minutes)" % params["deadline"])
    except Exception as exc:  # noqa: BLE001 - every failure is reported as data
        cause = exc.__cause__ or exc.__context__
        text = "%s: %s" % (exc.__class__.__name__, exc)
        if cause is not None and str(cause) not in text:
            text += " (caused by %s: %s)" % (cause.__class__.__name__, cause)
        result["error"] = " ".join(text.split())
    finally:
        if params.get("deadline"):
            signal.setitimer(signal.ITIMER_REAL, 0)
        if coordinator is not None:
            try:
                coordinator.stop()
            except Exception:  # noqa: BLE001
                pass
    result["seconds"] = round(time.monotonic() - started, 3)
    sys.stdout.write(json.dumps(result) + "\n")
