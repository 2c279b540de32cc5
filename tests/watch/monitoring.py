"""A real node_exporter (textfile collector only) and a real Prometheus
(1 s scrapes and evaluations, coordcheck's rules) on free loopback ports, each
in its own folder, for the tests and bench/watch.py.

    with monitoring(tmp_path, rules_text) as (textfile, api, processes):
        ...  # write textfile; firing(api) -> {(id, host, service)}
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

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


@contextlib.contextmanager
def monitoring(tmp_path: Path, rules: str):
    """node_exporter (textfile collector only) and Prometheus (1 s scrapes and evaluations), on free ports."""
    for tool in ("prometheus", "prometheus-node-exporter"):
        assert shutil.which(tool), f"{tool} is not installed: make prometheus"
    textfiles = tmp_path / "textfile"
    textfiles.mkdir(parents=True)
    exporter_port, prometheus_port = free_port(), free_port()
    (tmp_path / "coordcheck.rules").write_text(rules)
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
