"""`coordcheck.observe.ports`: which ports a host reaches, asked on the host
in one command (here through testinfra's local backend)."""

import socket

import testinfra

from coordcheck.observe import ports
from coordcheck.observe.probe import Address


def test_open_port_reached_closed_port_not():
    host = testinfra.get_host("local://")
    with socket.socket() as listening, socket.socket() as closed:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        closed.bind(("127.0.0.1", 0))   # bound, never listening: refused
        open_at, closed_at = (Address("127.0.0.1", s.getsockname()[1]) for s in (listening, closed))
        assert ports.reachable(host, [closed_at, open_at], timeout=2) == {closed_at: False, open_at: True}


def test_an_address_is_never_run_as_a_command(tmp_path):
    """Addresses come from an inventory: quoted, never run."""
    host = testinfra.get_host("local://")
    marker = tmp_path / "ran"
    hostile = Address(f"127.0.0.1$(touch {marker})'; touch {marker}; '", 1)
    assert ports.reachable(host, [hostile], timeout=1) == {hostile: False}
    assert not marker.exists()
