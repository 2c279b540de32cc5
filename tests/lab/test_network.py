"""Address ranges: picked free, claimed atomically across processes,
released by `down`, stale claims taken over."""

import json
import multiprocessing
import os
import threading
import time

import pytest

from coordcheck.lab import network
from coordcheck.lab.errors import DeploymentError


@pytest.fixture(autouse=True)
def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("COORDCHECK_RUNTIME_DIR", str(tmp_path / "run"))


def test_controllers_from_110_then_from_1():
    assert network.addresses("127.0.9.0/24", 3) == {"ctl1": "127.0.9.110", "ctl2": "127.0.9.111",
                                                    "ctl3": "127.0.9.112"}
    assert list(network.addresses("127.0.9.0/24", 12).values())[-1] == "127.0.9.121"
    assert network.addresses("127.0.9.0/24", 200)["ctl1"] == "127.0.9.1"


def _claim(args):
    root, out = args
    os.environ["COORDCHECK_RUNTIME_DIR"] = out
    return network.claim(root).network


def test_parallel_claims_get_different_ranges(tmp_path):
    jobs = [(tmp_path / f"lab{i}", str(tmp_path / "run")) for i in range(6)]
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        got = pool.map(_claim, jobs)
    assert len(set(got)) == 6, got


def test_explicit_network_claimed_once(tmp_path):
    layout = network.claim(tmp_path / "a", network="127.0.77.0/24")
    with pytest.raises(DeploymentError, match="127.0.77.0/24 is claimed by another lab"):
        network.claim(tmp_path / "b", network="127.0.77.0/24")
    network.release(layout, tmp_path / "a")
    assert network.claim(tmp_path / "b", network="127.0.77.0/24").network == "127.0.77.0/24"


def test_a_lab_waiting_for_its_range_gets_it_before_free_picks(tmp_path):
    first = network.claim(tmp_path / "a")
    got = {}
    waiter = threading.Thread(target=lambda: got.update(
        layout=network.claim(tmp_path / "b", network=first.network, wait=30)))
    waiter.start()
    deadline = time.monotonic() + 10
    while not list((tmp_path / "run" / "ranges").glob("*.wanted.*")):
        assert time.monotonic() < deadline and waiter.is_alive(), "the waiter reserved nothing"
        time.sleep(0.01)
    network.release(first, tmp_path / "a")
    assert network.claim(tmp_path / "c").network != first.network  # passed by, though free or taken by b
    waiter.join(30)
    assert got["layout"].network == first.network and not list((tmp_path / "run" / "ranges").glob("*.wanted.*"))


def test_a_reserved_range_is_passed_by_free_picks_and_given_to_a_lab_that_names_it(tmp_path):
    free = network.claim(tmp_path / "probe")
    network.release(free, tmp_path / "probe")
    with network.reserved(free.network):
        assert network.claim(tmp_path / "a").network != free.network
        assert network.claim(tmp_path / "b", network=free.network).network == free.network
    assert not list((tmp_path / "run" / "ranges").glob("*.wanted.*"))


def test_a_bad_request_is_refused_at_once_not_waited_on(tmp_path):
    started = time.monotonic()
    with pytest.raises(DeploymentError, match="--controllers must be at least 1"):
        network.claim(tmp_path / "a", controllers=0, network="127.0.75.0/24", wait=30)
    assert time.monotonic() - started < 5   # not the 30 s wait


def test_waiting_for_a_held_range_ends_in_one_line(tmp_path):
    held = network.claim(tmp_path / "a", network="127.0.76.0/24")
    with pytest.raises(DeploymentError, match="127.0.76.0/24 is claimed by another lab"):
        network.claim(tmp_path / "b", network=held.network, wait=0.5)


def test_stale_claim_is_taken_over(tmp_path):
    layout = network.claim(tmp_path / "gone", network="127.0.78.0/24")
    with open(layout.claim, "w") as handle:  # its process is dead, its lab has no state
        json.dump({"root": str(tmp_path / "gone"), "pid": 2 ** 22 + 1}, handle)
    assert network.claim(tmp_path / "new", network="127.0.78.0/24").network == "127.0.78.0/24"


@pytest.mark.parametrize("text, says", [("127.0.0.0/24", "belong to the machine"), ("10.0.0.0/24", "loopback"),
                                        ("127.0.9.0/28", "from /16 to /24"), ("nope", "not an IPv4 network")])
def test_bad_network_is_one_line(text, says, tmp_path):
    with pytest.raises(DeploymentError, match=says):
        network.claim(tmp_path / "x", network=text)


def test_backends_on_the_first_controllers(tmp_path):
    layout = network.claim(tmp_path / "a", controllers=12, backends=3, network="127.0.79.0/24")
    assert layout.backends == ["ctl1", "ctl2", "ctl3"] and len(layout.hosts) == 12
    with pytest.raises(DeploymentError, match="--backends 4"):
        network.claim(tmp_path / "b", controllers=3, backends=4)
