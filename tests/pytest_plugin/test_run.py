"""A run's results as data (`coordcheck.pytest_plugin.run.Run`): the matrix
keeps each cell's worst status, the verdict, each cause once with every
place, a consequence folded into its cause, the fix with the real inventory."""

import time

from coordcheck.pytest_plugin.report import STEPS
from coordcheck.pytest_plugin.run import Run
from tests.conftest import run_checklist
from tests.pytest_plugin.records import finding, record


def test_the_verdict_is_the_worst_cell_and_unknown_when_nothing_ran():
    run = Run(STEPS, time.time())
    assert run.verdict() == "unknown"
    run.add(record("ctl1", "network", "pass"))
    assert run.verdict() == "pass"
    run.add(record("ctl1", "network", "warn", finding("FAILOVER_SEEN", "ctl1", severity="warn")))
    run.add(record("ctl1", "network", "pass"))   # a later pass does not hide the warning
    assert run.matrix["ctl1"]["network"] == "warn" and run.verdict() == "warn"
    run.add(record("runner", "client", "fail", finding("SENTINEL_AUTH_MISSING", None)))
    assert run.verdict() == "fail" and run.rows == ["ctl1", "runner"] and run.hosts == ["ctl1"]
    run.collection_errors = 1
    assert run.verdict() == "unknown"


def test_each_cause_once_with_the_real_inventory_in_its_fix():
    run = Run(STEPS, time.time())
    run.inventory = "/srv/kolla/multinode"
    for host in ("ctl1", "ctl2"):
        for step in ("client", "config"):
            run.add(record(host, step, "fail", finding("SENTINEL_AUTH_MISSING", host, "cinder-volume",
                                                       fix="kolla-ansible -i INVENTORY reconfigure --tags cinder")))
    [cause] = run.causes()
    assert len(cause["tests"]) == 4 and [p["host"] for p in cause["places"]] == ["ctl1", "ctl2"]
    assert cause["fixes"] == ["kolla-ansible -i /srv/kolla/multinode reconfigure --tags cinder"]
    assert sum(line.startswith("  SENTINEL_AUTH_MISSING") for line in run.summary_lines()) == 1


def test_a_consequence_folds_into_its_cause_with_every_place(gate_run):
    [cause] = gate_run.causes()
    assert cause["id"] == "SENTINEL_AUTH_MISSING" and len(cause["tests"]) == 2
    assert [c["id"] for c in cause["consequences"]] == ["TOOZ_HANDSHAKE_FAILED"]
    assert len(cause["places"]) == 13 and {p["host"] for p in cause["places"]} == {"ctl1", "ctl2", "ctl3", "stor1"}
    assert cause["services"] == ["cinder-api", "cinder-volume", "designate-worker", "masakari-api", "mistral-api"]
    block = "\n".join(gate_run.summary_lines())
    headlines = [line.split()[0] for line in block.splitlines() if line.startswith("  ") and not line.startswith("   ")]
    assert [h for h in headlines if h.isupper()] == ["SENTINEL_AUTH_MISSING"]
    assert "TOOZ_HANDSHAKE_FAILED (1 tests, its places above)" in block
    # places under the host they are on: stor1's own line, ctl1-3 alike in one group
    assert "host stor1: cinder-volume" in block and "hosts ctl1, ctl2, ctl3\n" in block
    assert "host ctl1" not in block and "ctl1:" not in block


def test_incident_fix_names_both_kolla_ways(incident, tmp_path):
    run = run_checklist(*incident.checklist_args(), "-m", "config", tmp_path=tmp_path, cwd=tmp_path)
    short = run.failures()["test_container_config::test_backend_url_carries_sentinel_password[ansible://ctl1]"]
    assert "see cause SENTINEL_AUTH_MISSING under 'causes (each once)'" in short
    message = run.stdout.split("causes (each once):", 1)[1].split("short test summary info", 1)[0]
    assert message.count("SENTINEL_AUTH_MISSING") == 1
    assert 'redis_connection_string_extras: "&db=0&socket_timeout=60&retry_on_timeout=yes' \
           '&sentinel_password={{ redis_master_password }}"' in message
    assert "config/cinder.conf" in message
    assert f"kolla-ansible -i {incident.inventory} reconfigure --tags cinder,designate,masakari,mistral" in message
    assert "&sentinel_password=***" in message
