"""Starting a written lab: a data node then a sentinel on each backend,
ready when the sentinels agree; an address in use refused before anything
starts, and a start that does not get ready leaves nothing running."""

import socket

import pytest

from coordcheck import kolla
from coordcheck.lab import images, processes
from coordcheck.lab.errors import DeploymentError
from coordcheck.lab.starting import StartMixin


def test_each_backend_runs_a_data_node_then_a_sentinel(one_backend_lab):
    started = one_backend_lab.processes()
    assert [(p.name, running) for p, running in started] == [("ctl1 server", True), ("ctl1 sentinel", True)]
    ctl2 = one_backend_lab.address("ctl2")
    assert not processes.accepts(ctl2, kolla.DATA_PORT) and not processes.accepts(ctl2, kolla.SENTINEL_PORT)


def test_an_address_in_use_is_refused_before_anything_starts(written_lab):
    taken = written_lab.address("ctl1")
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind((taken, kolla.DATA_PORT))
        squatter.listen()
        with pytest.raises(DeploymentError, match=f"{taken}:{kolla.DATA_PORT} is already in use"):
            written_lab.start()
    assert written_lab.processes() == []


def test_a_start_not_ready_in_time_leaves_nothing_running(written_lab):
    with pytest.raises(DeploymentError, match=r"^deployment not ready in time: (master|sentinel) .* \(logs: "):
        written_lab.start(timeout=0.0)   # the replicas or the sentinels not there yet, by a hair
    spawned = written_lab.processes()
    assert [p.name for p, _ in spawned][:3] == ["ctl1 server", "ctl2 server", "ctl3 server"]
    assert not any(running for _, running in spawned)


def test_each_host_runs_its_own_releases_image_else_the_labs():
    state = {"service_image": images.release_image("2025.1"), "host_images": {"ctl3": images.release_image("2026.1")}}
    assert StartMixin.image_of("ctl3", state) == "coordcheck/service:2026.1"
    assert StartMixin.image_of("ctl1", state) == "coordcheck/service:2025.1"
    assert StartMixin.image_of("ctl1", {}) == images.CURRENT
