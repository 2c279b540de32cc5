"""Run coordcheck's own probes (`coordcheck.observe.probe`) from a controller: the
module's source is shipped on stdin to a Python there (inside a service
container, with the container's redis-py), called with its arguments —
passwords included, on stdin only — and its observation comes back as JSON,
rebuilt into the same dataclasses. Firewalls and routes are then the ones
the services see.

    observe = Remote(lambda script: engine.python("cinder_volume", script, 5))
    observe.sentinel(Address("10.0.2.110", 26379), "kolla", password, 2.0).login.password_ok
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Callable

from coordcheck.observe import probe
from coordcheck.secrets import Secret, redact
from coordcheck.observe import transport
from coordcheck.observe.transport import Result, last_json

PACKAGE = Path(__file__).resolve().parent.parent   # coordcheck/
#: The probe and the modules it imports, in import order.
SHIPPED = ("interrupt", "secrets", "address", "observe.wire", "observe.discovery", "observe.probe")

LOADER = '''import dataclasses, json, sys, types
for _name, _source in SOURCES:
    _parts = ("coordcheck." + _name).split(".")
    for _i in range(1, len(_parts)):
        sys.modules.setdefault(".".join(_parts[:_i]), types.ModuleType(".".join(_parts[:_i])))
    _module = types.ModuleType("coordcheck." + _name)
    sys.modules[_module.__name__] = _module
    exec(compile(_source, "coordcheck/%s.py" % _name.replace(".", "/"), "exec"), _module.__dict__)
probe, secrets = sys.modules["coordcheck.observe.probe"], sys.modules["coordcheck.secrets"]
'''


class RemoteError(Exception):
    """The far side could not run the probe (no python3, no redis-py, ...)."""


def script(call: dict) -> str:
    """The shipped sources, the loader, the call (it may hold a password:
    the script only ever travels on stdin) and the caller."""
    sources = [(name, (PACKAGE / f"{name.replace('.', '/')}.py").read_text(encoding="utf-8")) for name in SHIPPED]
    return (f"import json\nSOURCES = json.loads({json.dumps(json.dumps(sources))})\n{LOADER}"
            f"CALL = json.loads({json.dumps(json.dumps(call))})\n{CALLER}")


CALLER = '''_addr = probe.Address(CALL["host"], CALL["port"])
_password = secrets.Secret(CALL["password"]) if CALL["password"] is not None else None
if CALL["kind"] == "discover":
    _url = types.SimpleNamespace(**{**CALL["url"], "sentinels": [tuple(s) for s in CALL["url"]["sentinels"]]})
    for _key in ("password", "sentinel_password"):
        setattr(_url, _key, secrets.Secret(CALL["url"][_key]) if CALL["url"][_key] is not None else None)
    _known = {probe.Address(*k): v for k, v in CALL["known"]}
    _seen = probe.discover(_url, CALL["timeout"], _known)
elif CALL["kind"] == "survey":
    _found = probe.survey([probe.Address(*a) for a in CALL["sentinels"]], [probe.Address(*a) for a in CALL["nodes"]],
                          CALL["master_name"], _password, CALL["timeout"])
    _seen = types.SimpleNamespace(sentinels=_found[0], nodes=_found[1])
elif CALL["kind"] == "sentinel":
    _seen = probe.observe_sentinel(_addr, CALL["master_name"], _password, CALL["timeout"])
else:
    _seen = probe.observe_node(_addr, _password, CALL["timeout"])
if isinstance(_seen, types.SimpleNamespace):
    print(json.dumps({k: [dataclasses.asdict(o) for o in v] for k, v in vars(_seen).items()}))
else:
    print(json.dumps(dataclasses.asdict(_seen)))
'''


def _address(value) -> probe.Address | None:
    return probe.Address(value[0], int(value[1])) if value else None


def _login(data: dict) -> probe.Login:
    return probe.Login(**{**data, "address": _address(data["address"])})


def sentinel_from(data: dict) -> probe.SentinelObservation:
    return probe.SentinelObservation(**{**data, "login": _login(data["login"]),
                                        "master_addr": _address(data["master_addr"])})


def node_from(data: dict) -> probe.NodeObservation:
    return probe.NodeObservation(**{**data, "login": _login(data["login"])})


def discovery_from(data: dict) -> probe.Discovery:
    answers = [probe.SentinelAnswer(**{**a, "address": _address(a["address"])}) for a in data["answers"]]
    return probe.Discovery(**{**data, "answers": answers, "master_addr": _address(data["master_addr"]),
                              "stopped_at": _address(data["stopped_at"])})


def _reveal(secret: Secret | None) -> str | None:
    return secret.reveal() if secret else None


class Remote:
    """Probes run by ``run_python(script) -> transport.Result`` somewhere else."""

    def __init__(self, run_python: Callable[[str], Result], where: str) -> None:
        self.run_python = run_python
        self.where = where          # e.g. "inside cinder_volume on ctl1"

    def _call(self, call: dict, password: Secret | None, *more: Secret | None) -> dict:
        done = self.run_python(script({**call, "password": password.reveal() if password else None}))
        data = last_json(done.stdout)
        if done.rc != 0 or data is None:
            reason = "timed out" if done.timed_out else f"exited {done.rc}"
            tail = redact(" ".join(done.stderr.split()[-20:]), [password, *more])
            raise RemoteError(f"probe {self.where} {reason}: {tail}")
        return data

    def sentinel(self, addr: probe.Address, master_name: str, password: Secret | None,
                 timeout: float) -> probe.SentinelObservation:
        return sentinel_from(self._call({"kind": "sentinel", "host": addr.host, "port": addr.port,
                                         "master_name": master_name, "timeout": timeout}, password))

    def survey(self, sentinels: list[probe.Address], nodes: list[probe.Address], master_name: str,
               password: Secret | None, timeout: float):
        """`coordcheck.observe.probe.survey`, run there in one process."""
        data = self._call({"kind": "survey", "host": "", "port": 0, "master_name": master_name, "timeout": timeout,
                           "sentinels": [list(a) for a in sentinels], "nodes": [list(a) for a in nodes]}, password)
        return [sentinel_from(d) for d in data["sentinels"]], [node_from(d) for d in data["nodes"]]

    def node(self, addr: probe.Address, password: Secret | None, timeout: float) -> probe.NodeObservation:
        return node_from(self._call({"kind": "node", "host": addr.host, "port": addr.port,
                                     "timeout": timeout}, password))

    def discover(self, url, timeout: float, known_not_redis: dict | None = None) -> probe.Discovery:
        """`coordcheck.observe.discovery.discover` with ``url`` (a `BackendURL`), run there."""
        fields = {"raw": "", "master_name": url.master_name, "sentinels": [list(a) for a in url.sentinels],
                  "username": url.username, "sentinel_username": url.sentinel_username,
                  "password": _reveal(url.password), "sentinel_password": _reveal(url.sentinel_password)}
        known = [[[a.host, a.port], v] for a, v in (known_not_redis or {}).items()]
        return discovery_from(self._call({"kind": "discover", "host": "", "port": 0, "url": fields,
                                          "known": known, "timeout": timeout}, None,
                                         url.password, url.sentinel_password))


def on_host(host, deadline: float) -> Callable[[str], Result]:
    """Run a shipped script with the host's own ``python3`` (through its
    testinfra connection, script on stdin), killed there at ``deadline`` s."""
    python, seconds = transport.python_killed_after(deadline)

    def run_python(source: str) -> Result:
        return transport.run(host, f"PYTHONDONTWRITEBYTECODE=1 {shlex.join(python)}", source, timeout=seconds + 5)
    return run_python
