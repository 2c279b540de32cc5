"""The alert, end to end on loopback: a real node_exporter serves the watch's
textfile, a real Prometheus scrapes it and evaluates ``coordcheck
prometheus-rules``; the lab's incident (`coordcheck repro`) fires
CoordcheckCauseFailing for every host and service, `coordcheck fix` resolves it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from tests.conftest import PROJECT, run_cli
from tests.watch.monitoring import BOUND, firing, get, monitoring as started_monitoring, query, wait_for
from tests.watch.test_loop import SERVICES

pytestmark = pytest.mark.xdist_group("watch-prometheus")


@pytest.fixture
def monitoring(tmp_path):
    with started_monitoring(tmp_path, run_cli("prometheus-rules").stdout) as running:
        yield running


def test_the_incident_fires_the_alert_and_the_fix_resolves_it(deployment, monitoring):
    textfile, api, processes = monitoring
    watch = subprocess.Popen([sys.executable, "-m", "coordcheck", "watch", "--every", "1s", "--round-deadline",
                              "180s", "--textfile", str(textfile), "-m", "config", *deployment.checklist_args()],
                             cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for("a healthy verdict scraped", lambda: query(api, "coordcheck_run_ok == 1"), BOUND, watch, *processes)
        assert firing(api) == set()
        run_cli("repro", "--dir", str(deployment.root))
        incident = {("SENTINEL_AUTH_MISSING", host, service) for host in deployment.hosts for service in SERVICES}
        wait_for("the alert firing for every host and service", lambda: firing(api) == incident, BOUND,
                 watch, *processes)
        [alert] = [a for a in json.loads(get(f"{api}/api/v1/alerts"))["data"]["alerts"]
                   if a["labels"]["alertname"] == "CoordcheckCauseFailing" and a["labels"]["host"] == "ctl1"
                   and a["labels"]["service"] == "mistral-api"]
        assert alert["labels"]["severity"] == "critical"
        assert alert["annotations"]["runbook"].startswith("SENTINEL_AUTH_MISSING: ")
        assert "sentinel_password" in alert["annotations"]["runbook"]
        run_cli("fix", "--dir", str(deployment.root))
        wait_for("the alert resolved", lambda: not firing(api) and query(api, "coordcheck_run_ok == 1"), BOUND,
                 watch, *processes)
    finally:
        watch.send_signal(signal.SIGTERM)
        _, err = watch.communicate(timeout=10)
    assert watch.returncode == 0 and "Traceback" not in err, err
