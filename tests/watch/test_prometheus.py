"""The alert, end to end on loopback: a real node_exporter serves the watch's
textfile, a real Prometheus scrapes it and evaluates ``coordcheck
prometheus-rules``; the lab's incident (`coordcheck repro`) fires
CoordcheckCauseFailing for every host and service, `coordcheck fix` resolves it."""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import PROJECT, run_cli
from tests.watch.test_loop import SERVICES

pytestmark = pytest.mark.xdist_group("watch-prometheus")
BOUND = 240   # seconds for any one wait: a round of the checklist takes ~20 s on a loaded 2-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.read()


def wait_for(what: str, probe, timeout: float = BOUND, *processes: subprocess.Popen):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for process in processes:
            assert process.poll() is None, f"{process.args[0]} ended while waiting for {what}"
        with contextlib.suppress(OSError, ValueError):
            found = probe()
            if found:
                return found
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {timeout} s")


@contextlib.contextmanager
def started(argv: list[str], log: Path):
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def monitoring(tmp_path):
    """node_exporter (textfile collector only) and Prometheus (1 s scrapes and evaluations), on free ports."""
    for tool in ("prometheus", "prometheus-node-exporter"):
        assert shutil.which(tool), f"{tool} is not installed: make prometheus"
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    exporter_port, prometheus_port = free_port(), free_port()
    (tmp_path / "coordcheck.rules").write_text(run_cli("prometheus-rules").stdout)
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
        "rule_files": [str(tmp_path / "coordcheck.rules")],
        "scrape_configs": [{"job_name": "node", "static_configs": [{"targets": [f"127.0.0.1:{exporter_port}"]}]}]}))
    exporter = ["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{exporter_port}",
                "--collector.disable-defaults", "--collector.textfile",
                f"--collector.textfile.directory={textfiles}"]
    prometheus = ["prometheus", f"--config.file={tmp_path / 'prometheus.yml'}",
                  f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{prometheus_port}"]
    with started(exporter, tmp_path / "node_exporter.log") as node, \
            started(prometheus, tmp_path / "prometheus.log") as server:
        api = f"http://127.0.0.1:{prometheus_port}"
        wait_for("node_exporter serving", lambda: get(f"http://127.0.0.1:{exporter_port}/metrics"), 60, node)
        wait_for("Prometheus ready", lambda: get(f"{api}/-/ready"), 60, server)
        yield textfiles / "coordcheck.prom", api, (node, server)


def query(api: str, expression: str) -> list[dict]:
    answer = json.loads(get(f"{api}/api/v1/query?" + urllib.parse.urlencode({"query": expression})))
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def firing(api: str) -> set[tuple[str, str, str]]:
    found = query(api, 'ALERTS{alertname="CoordcheckCauseFailing", alertstate="firing"}')
    return {(r["metric"]["id"], r["metric"]["host"], r["metric"].get("service", "")) for r in found}


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
