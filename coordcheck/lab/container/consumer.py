"""A consumer's coordination, as the lab runs it: every PERIOD seconds that
consumer's own client (``handshake.py``'s routine that its record,
coordcheck/consumers.py, names: the one the checklist runs) in a fresh
Python with the container's config, logging each outcome in oslo.log's
format to ``/var/log/kolla/<project>/<service>.log`` (the kolla_logs volume).

    python3 consumer.py octavia-jobboard jobboard_client octavia /etc/octavia/octavia.conf octavia-worker
"""

import json
import logging
import os
import signal
import subprocess
import sys
import time

PERIOD = 20.0
HANDSHAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handshake.py")


def attempt(consumer, client, config):
    """One run of the consumer's client: its JSON result."""
    with open(HANDSHAKE) as handle:
        source = handle.read()
    params = {"consumer": consumer, "client": client, "config": config, "deadline": None, "timeout": 5.0, "lock": "coordcheck-lab",
              "namespace": "coordcheck-lab", "member": "lab", "lock_timeout": 30}
    done = subprocess.run([sys.executable, "-"], input="%s\nmain(%r)\n" % (source, params),
                          capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"ok": False, "stage": "run", "error": done.stderr[-500:]}


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # PID 1: `docker stop` need not wait 10 s
    consumer, client, project, config, service = sys.argv[1:6]
    folder = "/var/log/kolla/" + project
    os.makedirs(folder, exist_ok=True)
    logging.basicConfig(filename=os.path.join(folder, service + ".log"), level=logging.INFO,
                        format="%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [-] %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S")
    log = logging.getLogger(service)
    while True:
        result = attempt(consumer, client, config)
        if result.get("ok"):
            log.info("%s reached its coordination backend", consumer)
        else:
            log.error("%s cannot reach its coordination backend at %s: %s", consumer, result.get("stage"),
                      result.get("error"))
        time.sleep(PERIOD)


if __name__ == "__main__":
    main()
