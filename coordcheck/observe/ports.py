"""Which TCP ports a host reaches, asked on the host in one command: every
address at once, each connect bounded by the probe timeout. (testinfra's
``host.addr(ip).port(p).is_reachable`` costs two commands an address, one
after another, and bounds a try at 1 s with its shell's start-up inside:
on a busy host that is the host's load, not the port's answer.)

    reachable(testinfra_host, [Address("10.0.0.1", 26379)], timeout=2.0)   # -> {Address(...): True}

A port is closed when two tries in a row fail; a host without bash or
coreutils' ``timeout`` is asked through testinfra's own check instead.
"""

from __future__ import annotations

import shlex

# every target at once, each as $1.. ("host/port"); bash's /dev/tcp opens the connection
SCRIPT = ('for target in "$@"; do (timeout "$0" bash -c \'exec 3<>"/dev/tcp/$0"\' "$target" 2>/dev/null'
          ' && echo "open $target") & done; wait; echo done')
TRIES = 2


def _ask(testinfra_host, addresses: list, timeout: float) -> dict | None:
    targets = [f"{a.host}/{a.port}" for a in addresses]
    command = " ".join(["bash", "-c", shlex.quote(SCRIPT), f"{timeout:g}", *map(shlex.quote, targets)])
    lines = testinfra_host.run(command).stdout.splitlines()
    if "done" not in lines:
        return None
    return {a: f"open {t}" in lines for a, t in zip(addresses, targets)}


def reachable(testinfra_host, addresses: list, timeout: float) -> dict:
    """address -> whether a TCP connect from the host succeeds within ``timeout``."""
    found = {}
    closed = list(addresses)
    for _ in range(TRIES):
        if not closed:
            break
        answer = _ask(testinfra_host, closed, timeout)
        if answer is None:   # no bash or no timeout(1) there: testinfra's own check, one by one
            answer = {a: testinfra_host.addr(a.host).port(a.port).is_reachable for a in closed}
        found.update(answer)
        closed = [a for a in closed if not answer[a]]
    return {a: found[a] for a in addresses}
