"""A coordination client like an OpenStack service's: start a tooz
coordinator with the [coordination] backend_url of the service's config,
then take and release a lock every few seconds, logging in oslo.log's
format to stderr (what `docker logs` shows). A failure is logged with its
traceback, as cinder and designate log it, and retried.

    python3 service.py /etc/cinder/cinder.conf cinder-volume
"""

import configparser
import logging
import socket
import sys
import time

from tooz import coordination

LOG = logging.getLogger(sys.argv[2] if len(sys.argv) > 2 else "service")
PERIOD = 5.0


def backend_url(path):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(path)
    return parser.get("coordination", "backend_url")


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
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
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
