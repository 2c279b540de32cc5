"""A server's address: host and port, printed as a URL writes it.

    >>> str(Address("10.0.2.110", 26379)), str(Address("fd00::1", 6379))
    ('10.0.2.110:26379', '[fd00::1]:6379')
"""

from __future__ import annotations

from typing import NamedTuple


class Address(NamedTuple):
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
