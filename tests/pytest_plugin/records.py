"""Test records as the plugin makes them (`coordcheck.pytest_plugin.report`),
runs built from them (`coordcheck.pytest_plugin.run.Run`), and a JSON Schema
checker: the outputs', the HTML page's and the annotations' tests read them.

    run = incident_run(); run.causes()[0]["id"]   # -> 'SENTINEL_AUTH_MISSING'
"""

import time

from coordcheck.findings import Finding, Place, Where
from coordcheck.pytest_plugin.report import STEPS, finding_record
from coordcheck.pytest_plugin.run import Run

PW = "Pw-0utput-s3cret"
REPO = "/repo/etc/kolla"
GATE_PLACES = [Place(h, s, f"{s}/{s.split('-')[0]}.conf", option="[coordination] backend_url",
                     source=f"{REPO}/config/{s.split('-')[0]}.conf:3" if not s.startswith("cinder") else
                     "Kolla default (redis_master_password from /repo/etc/kolla/passwords.yml)")
               for h in ("ctl1", "ctl2", "ctl3") for s in ("cinder-api", "designate-worker", "masakari-api",
                                                            "mistral-api")]
GATE_PLACES.append(Place("stor1", "cinder-volume", "cinder-volume/cinder.conf", option="[coordination] backend_url",
                         source=f"{REPO}/config/cinder/cinder-volume.conf:5"))
CORRECTED = f"redis://default:{PW}@10.0.2.110:26379?sentinel=kolla&db=0&sentinel_password={PW}"


def finding(fid, host, service=None, severity="fail", evidence="e", fix="f"):
    return {"id": fid, "severity": severity, "cause": f"cause of {fid}",
            "where": {"host": host, "service": service, "file": f"/etc/kolla/{service}/x.conf" if service else None,
                      "address": None, "container": None, "more_files": []},
            "place": f"host {host}" + (f", service {service}" if service else ""), "evidence": evidence, "fix": fix}


def record(row, step, status, *found, where=None, test=None):
    return {"row": row, "step": step, "status": status, "where": where or f"inside cinder_volume on {row}",
            "test": test or f"tests_infra/test_{step}.py::t[{row}]", "findings": list(found), "reason": None}


def incident_run() -> Run:
    """SENTINEL_AUTH_MISSING on ctl1-3 (client and config fail), a FAILOVER_SEEN warning at the runner."""
    run = Run(STEPS, time.time() - 2.0)
    run.inventory = "/etc/kolla/multinode"
    for host in ("ctl1", "ctl2", "ctl3"):
        for step in ("network", "sentinel", "auth", "master"):
            run.add(record(host, step, "pass"))
        missing = finding("SENTINEL_AUTH_MISSING", host, "cinder-volume", evidence=f"NOAUTH (url had {PW})",
                          fix="kolla-ansible -i INVENTORY reconfigure --tags cinder")
        run.add(record(host, "client", "fail", missing))
        run.add(record(host, "config", "fail", missing))
    run.add(record("runner", "client", "warn", finding("FAILOVER_SEEN", None, severity="warn"), where="from this machine"))
    run.finished = time.time()
    return run


def gate_run() -> Run:
    """SENTINEL_AUTH_MISSING at 13 places on four hosts, TOOZ_HANDSHAKE_FAILED following from it."""
    run = Run(STEPS, time.time() - 1.0)
    run.inventory = "/repo/multinode"
    fix = f"add &sentinel_password=<the sentinels' password> to backend_url\n            corrected URL: {CORRECTED}"
    missing = Finding("SENTINEL_AUTH_MISSING", Where(host="ctl1", places=tuple(GATE_PLACES)),
                      evidence="config/redis/redis-sentinel.conf:2 sets requirepass", fix=fix)
    follows = Finding("TOOZ_HANDSHAKE_FAILED", Where(host="ctl2", places=tuple(GATE_PLACES[4:8])),
                      evidence="stage start: timed out; cause: SENTINEL_AUTH_MISSING")
    run.add(record("runner", "config", "fail", finding_record(missing), test="tests_infra/test_gate_consumers.py::a"))
    run.add(record("ctl2", "client", "fail", finding_record(follows), test="tests_infra/test_python_client.py::b"))
    run.finished = time.time()
    return run


def check(schema, value, path="$"):
    """A JSON Schema subset (type, enum, const, required, properties,
    items, additionalProperties): enough for outputs.SCHEMA."""
    kinds = {"string": str, "integer": int, "number": (int, float), "object": dict, "array": list,
             "null": type(None), "boolean": bool}
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        assert any(isinstance(value, kinds[t]) for t in types), f"{path}: {value!r} is not {types}"
    assert "enum" not in schema or value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    assert "const" not in schema or value == schema["const"], path
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{path}: {key} missing"
        for key, item in value.items():
            sub = schema.get("properties", {}).get(key, schema.get("additionalProperties"))
            if isinstance(sub, dict):
                check(sub, item, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check(schema["items"], item, f"{path}[{i}]")
