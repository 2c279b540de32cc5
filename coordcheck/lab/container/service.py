"""A coordination client like an OpenStack service's: start a tooz
coordinator with the [coordination] backend_url of the service's config,
then take and release a lock every few seconds, logging in oslo.log's
format where Kolla's config sends it: ``[DEFAULT] log_dir`` (the kolla_logs
volume) as ``<service>.log``, and stderr (what `docker logs` shows) only
when ``use_stderr`` is true or no log_dir is set. A failure is logged with
its traceback, as cinder and designate log it, and retried.

    python3 service.py /etc/cinder/cinder.conf cinder-volume
"""

import configparser
import logging
import os
import signal
import socket
import sys
import time

from tooz import coordination

LOG = logging.getLogger(sys.argv[2] if len(sys.argv) > 2 else "service")
PERIOD = 5.0


def read(path):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(path)
    return parser


def backend_url(path):
    return read(path).get("coordination", "backend_url")


def handlers(path, name):
    """oslo.log's choice: a file in log_dir, stderr if use_stderr (or no log_dir)."""
    defaults = read(path)["DEFAULT"]
    chosen = []
    if defaults.get("log_dir"):
        os.makedirs(defaults["log_dir"], exist_ok=True)
        chosen.append(logging.FileHandler(os.path.join(defaults["log_dir"], name + ".log")))
    if not chosen or defaults.getboolean("use_stderr", fallback=False):
        chosen.append(logging.StreamHandler(sys.stderr))
    return chosen


def run(path, name):
    member = ("%s-%s" % (name, socket.gethostname())).encode()
    coordinator = coordination.get_coordinator(backend_url(path), member)
    coordinator.start(start_heart=True)
    LOG.info("coordination backend started")
    try:
        while True:
            with coordinator.get_lock(("%s-periodic" % name).encode()):
                pass
            time.sleep(PERIOD)
    finally:
        coordinator.stop()


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1: `docker stop` need not wait 10 s
    logging.basicConfig(handlers=handlers(sys.argv[1], LOG.name), level=logging.INFO,
                        format="%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [-] %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S")
    while True:
        try:
            run(sys.argv[1], LOG.name)
        except Exception:  # noqa: BLE001 - a service logs, and tries again
            LOG.exception("Error starting coordination backend.")
            time.sleep(PERIOD)


if __name__ == "__main__":
    main()
