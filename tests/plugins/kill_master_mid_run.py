"""A pytest plugin for tests/observe/test_failover.py, loaded into a checklist run with
``-p kill_master_mid_run``: when the run reaches its master step (the
sentinel and auth steps have passed), it kills the master data node of the
local deployment in $COORDCHECK_KILL_DIR (SIGKILL: a process, or the
container of docker-compose.sentinel.yml)."""

import os
import signal

from coordcheck.lab.deployment import LocalDeployment

killed = []


def pytest_runtest_setup(item):
    module = getattr(item, "module", None)
    if not killed and module is not None and module.__name__.endswith("test_master"):
        LocalDeployment(os.environ["COORDCHECK_KILL_DIR"]).signal("ctl1", "server", signal.SIGKILL)
        killed.append(item.nodeid)
