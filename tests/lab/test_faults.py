"""The faults of `coordcheck break` on the Compose deployment too: the
server faults of the scenario table (tests/lab/test_scenarios.py runs every
scenario on processes), signalled through the lab's own compose project."""

import pytest

from coordcheck.lab import images
from coordcheck.lab.scenarios import SCENARIOS
from tests.conftest import Deployment, run_cli
from tests.lab.diagnosis import assert_diagnosed

#: the server faults issue 6 names (two sentinels down must also report QUORUM_LOST)
SERVER_FAULTS = ["SENTINEL_UNREACHABLE", "SENTINEL_UNREACHABLE_NO_QUORUM", "REPLICATION_BROKEN", "SENTINEL_PARTITIONED"]


@pytest.mark.parametrize("name", SERVER_FAULTS)
def test_server_fault_on_compose(name, tmp_path):
    root = tmp_path / "kolla"
    run_cli("up", "--dir", str(root), "--engine", "compose", "--image", images.SERVER, timeout=300)
    try:
        assert_diagnosed(SCENARIOS[name], Deployment(root), tmp_path)
    finally:
        run_cli("down", "--dir", str(root))
