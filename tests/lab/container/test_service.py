"""The service loop of the lab's containers (service.py, copied into the
images), run here with this venv's tooz: it logs where oslo.log would,
starts a coordinator from [coordination] backend_url and takes its lock
every few seconds, logs a failure with its traceback, ends on SIGTERM."""

import logging
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coordcheck.lab import images
from coordcheck.lab.container import service

SCRIPT = images.SUPPORT_FILES["service.py"]


def start(config: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(SCRIPT), str(config), "cinder-volume"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for_log(path: Path, text: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        logged = path.read_text() if path.exists() else ""
        if text in logged:
            return logged
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not logged in {seconds} s")


def test_the_url_is_the_configs_backend_url(service_config):
    assert service.backend_url(service_config).startswith("redis://:")


@pytest.mark.parametrize("defaults, files, stderr", [
    ("log_dir = {log}\nuse_stderr = False\n", 1, False),
    ("log_dir = {log}\nuse_stderr = True\n", 1, True),
    ("debug = False\n", 0, True),
])
def test_it_logs_where_oslo_log_would(tmp_path, defaults, files, stderr):
    config = tmp_path / "designate.conf"
    config.write_text("[DEFAULT]\n" + defaults.format(log=tmp_path / "log"))
    chosen = service.handlers(config, "designate-worker")
    try:
        written = [h.baseFilename for h in chosen if isinstance(h, logging.FileHandler)]
        assert written == [str(tmp_path / "log" / "designate-worker.log")] * files
        assert any(type(h) is logging.StreamHandler for h in chosen) == stderr
    finally:
        for handler in chosen:
            handler.close()


def test_the_loop_reaches_its_backend_and_ends_on_sigterm(service_config, tmp_path):
    proc = start(service_config)
    try:
        logged = wait_for_log(tmp_path / "log" / "cinder-volume.log", "coordination backend started")
        assert " INFO cinder-volume [-] coordination backend started" in logged
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        proc.kill()
        proc.wait()
    assert proc.stderr.read() == ""   # use_stderr = False: nothing where `docker logs` looks


def test_a_failure_is_logged_with_its_traceback_and_retried(service_config, tmp_path):
    service_config.write_text(service_config.read_text().replace("backend_url = redis://", "backend_url = nosuch://"))
    proc = start(service_config)
    try:
        logged = wait_for_log(tmp_path / "log" / "cinder-volume.log", "Traceback")
        assert " ERROR cinder-volume [-] Error starting coordination backend." in logged
        assert proc.poll() is None   # it tries again
    finally:
        proc.kill()
        proc.wait()
