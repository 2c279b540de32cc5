"""The coordination handshake, as a self-contained script; or the client of
a consumer that is not a tooz backend_url (gnocchi, octavia's jobboard,
horizon's cache), with that service's own parser and libraries.

Its source is sent on stdin to ``python3 -`` (locally, or inside a service
container with the container's own Python, tooz and redis-py), followed by a
line calling ``main()`` with the parameters: the URL itself, or (inside a
container) the config file to read it from; for a consumer, what its
record (coordcheck/consumers.py) says as data: ``client`` (the routine of
CLIENTS to run) and ``libraries``. The backend URL therefore never appears
on a command line. It prints one JSON line:

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


def _arm(params):
    """Start the deadline: after the imports (a loaded host's start-up is not the server's time)."""
    if params.get("deadline"):
        signal.signal(signal.SIGALRM, _expire)
        signal.setitimer(signal.ITIMER_REAL, params["deadline"])
    return time.monotonic()


def _tooz(url, params, result):
    """Start a coordinator, take and release a namespaced lock, stop."""
    from tooz import coordination

    result["stage"] = "start"
    options = {
        "namespace": params["namespace"],
        "lock_timeout": params["lock_timeout"],
        "socket_timeout": params["timeout"],
        "socket_connect_timeout": params["timeout"],
    }
    coordinator = coordination.get_coordinator(url, params["member"].encode(), **options)
    try:
        coordinator.start(start_heart=False)
        result["stage"] = "lock"
        lock = coordinator.get_lock(params["lock"].encode())
        if not lock.acquire(blocking=params["timeout"]):
            raise RuntimeError("lock %s is held by another member" % params["lock"])
        result["stage"] = "release"
        lock.release()
        result["stage"] = "stop"
    finally:
        try:
            coordinator.stop()
        except Exception:  # noqa: BLE001 - the first error is the one reported
            if result["stage"] == "stop":
                raise


def gnocchi_client(params, result):
    """gnocchi's parser and client: [incoming] redis_url through
    gnocchi.common.redis.get_client, PING; a redis [DEFAULT] coordination_url
    through tooz, as metricd starts it."""
    import configparser

    from gnocchi.common import redis as gnocchi_redis
    from oslo_config import cfg

    conf = cfg.ConfigOpts()
    conf.register_opts(gnocchi_redis.OPTS, group="incoming")
    conf.register_opt(cfg.StrOpt("coordination_url", secret=True))
    conf([], project="gnocchi", default_config_files=[params["config"]])
    written = configparser.ConfigParser(interpolation=None, strict=False)
    written.read(params["config"])
    incoming = written.has_option("incoming", "redis_url")  # else gnocchi's default, not this cloud's
    coordination = (conf.coordination_url or "").startswith("redis")
    urls = ([conf.incoming.redis_url] if incoming else []) + ([conf.coordination_url] if coordination else [])
    result["sentinel_password"] = all("sentinel_password=" in url for url in urls)
    _arm(params)
    if incoming:
        result["stage"] = "redis_url"
        client, _ = gnocchi_redis.get_client(conf.incoming)
        client.ping()
    if coordination:
        _tooz(conf.coordination_url, params, result)


def jobboard_client(params, result):
    """octavia's options and driver: [task_flow] read with octavia's own
    definitions, the jobboard made by RedisTaskFlowDriver and connected
    (taskflow's redis jobboard asks the sentinels, then PINGs the master)."""
    from oslo_config import cfg
    from octavia.common import config  # noqa: F401 - registers octavia's options
    from octavia.controller.worker.v2 import taskflow_jobboard_driver

    cfg.CONF([], project="octavia", default_config_files=[params["config"]])
    flow = cfg.CONF.task_flow
    result["sentinel_password"] = flow.jobboard_redis_sentinel_password is not None
    if flow.jobboard_backend_driver != "redis_taskflow_driver":
        result["stage"] = "not redis (%s)" % flow.jobboard_backend_driver
        return
    _arm(params)
    result["stage"] = "jobboard"
    with taskflow_jobboard_driver.RedisTaskFlowDriver(None).job_board(None):  # connects, then closes
        pass


def _horizon_caches(path):
    """CACHES as horizon's settings end with them: every ``*.py`` of the
    settings file's folder (local_settings.d: Kolla's _9998, an operator's
    _9999-custom-settings.py), run in order as horizon's settings.py runs
    them, with horizon's ``_``."""
    import os
    from django.utils.translation import gettext_lazy

    namespace = {"_": gettext_lazy, "os": os}
    folder = os.path.dirname(path)
    for name in sorted(n for n in os.listdir(folder) if n.endswith(".py")):
        with open(os.path.join(folder, name)) as handle:
            exec(compile(handle.read(), os.path.join(folder, name), "exec"), namespace)  # noqa: S102 - as horizon does
    return namespace.get("CACHES", {})


def django_redis_client(params, result):
    """horizon's cache as Django builds it from those settings (django_redis's
    SentinelClient for Kolla's Valkey backend), one GET."""
    import django
    from django.conf import settings

    caches = _horizon_caches(params["config"])
    options = caches.get("default", {}).get("OPTIONS", {})
    result["sentinel_password"] = bool((options.get("SENTINEL_KWARGS") or {}).get("password"))
    settings.configure(CACHES=caches, USE_TZ=True)
    django.setup()
    from django.core.cache import caches as django_caches

    _arm(params)
    result["stage"] = "get"
    django_caches["default"].get(params["lock"])


#: the consumers' clients, by name (a record's ``client``)
CLIENTS = dict((run.__name__, run) for run in (gnocchi_client, jobboard_client, django_redis_client))


def main(params):
    """The tooz handshake, or (``params["client"]``) that consumer's own client."""
    consumer = params.get("consumer")
    result = {"ok": False, "stage": "import", "tooz": _version("tooz"), "redis": _version("redis"),
              "python": platform.python_version(), "error": None, "consumer": consumer}
    started = time.monotonic()
    try:
        if params.get("client"):
            result["libraries"] = dict((name, _version(name)) for name in params.get("libraries", ()))
            result["stage"] = "config"
            CLIENTS[params["client"]](params, result)
        else:
            from tooz import coordination  # noqa: F401 - imported before the deadline starts

            started = _arm(params)
            result["stage"] = "config"
            _tooz(backend_url(params), params, result)
        result["ok"], result["stage"] = True, "done"
    except Deadline:
        result["timed_out"] = True
        result["error"] = ("%s did not finish within %g s (%s retries connection errors%s, so a service "
                           "waits minutes)" % (consumer or "tooz", params["deadline"], consumer and "its client"
                                               or "tooz", "" if consumer else " 15 times"))
    except Exception as exc:  # noqa: BLE001 - every failure is reported as data
        cause = exc.__cause__ or exc.__context__
        text = "%s: %s" % (exc.__class__.__name__, exc)
        if cause is not None and str(cause) not in text:
            text += " (caused by %s: %s)" % (cause.__class__.__name__, cause)
        result["error"] = " ".join(text.split())
    finally:
        if params.get("deadline"):
            signal.setitimer(signal.ITIMER_REAL, 0)
    result["seconds"] = round(time.monotonic() - started, 3)
    sys.stdout.write(json.dumps(result) + "\n")
