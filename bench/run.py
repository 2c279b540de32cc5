"""coordcheck's figures, measured on the local deployment in one run.

    python bench/run.py [--tooz-cap SECONDS] [--rounds N]

Prints: `coordcheck up` time to agreement, the checklist's wall time on a
healthy deployment and on the incident, the time coordcheck needs to name
SENTINEL_AUTH_MISSING, and, side by side, the time tooz itself takes to fail
on the same URL with one sentinel (capped: tooz retries for minutes), and
the checklist's wall time when every sentinel accepts TCP but never answers.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import checklist, spread, table, timed, write_section

from coordcheck import kolla  # noqa: E402
from coordcheck.observe import tooz as tooz_probe
from coordcheck.checks import servers as checks
from coordcheck.observe import probe
from coordcheck.lab import scenarios
from coordcheck import url as urls  # noqa: E402
from coordcheck.lab.deployment import LocalDeployment  # noqa: E402
from coordcheck.secrets import Secret  # noqa: E402


def verdict_seconds(deployment: LocalDeployment, broken: urls.BackendURL, password: Secret) -> float:
    """Probe every sentinel and the URL until SENTINEL_AUTH_MISSING is named."""
    def diagnose():
        sentinels = [probe.observe_sentinel(probe.Address(ip, kolla.SENTINEL_PORT), "kolla", password)
                     for ip in deployment.sentinel_addresses()]
        required = checks.sentinels_require_password(sentinels)
        found = probe.discover(broken)
        return required, found
    seconds, (required, found) = timed(diagnose)
    assert required and not found.ok and all("AuthenticationError" in a.error for a in found.answers)
    return seconds


def tooz_alone(broken: urls.BackendURL, cap: float) -> str:
    """tooz's own failure time on the broken URL with one sentinel, capped."""
    one_sentinel = urls.without_option(broken.raw, "sentinel_fallback")
    source = (f"import time, json\nfrom tooz import coordination\nt = time.monotonic()\n"
              f"c = coordination.get_coordinator(json.loads({json_literal(one_sentinel)}), b'bench')\n"
              "try:\n    c.start()\nexcept Exception as e:\n    print('%.1f s (%s)' % (time.monotonic() - t, type(e).__name__))\n")
    try:
        done = subprocess.run([sys.executable, "-"], input=source, capture_output=True, text=True, timeout=cap)
        return done.stdout.strip() or done.stderr.strip()[-200:]
    except subprocess.TimeoutExpired:
        return f"> {cap:g} s (still retrying at the cap; killed)"


def json_literal(text: str) -> str:
    import json
    return repr(json.dumps(text))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tooz-cap", type=float, default=150.0, help="stop tooz after this many seconds")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ups, healthy, broken_runs, verdicts = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="coordcheck-bench-") as tmp:
        for round_ in range(args.rounds):
            deployment = LocalDeployment(Path(tmp) / f"kolla{round_}")
            ups.append(deployment.up(kolla.FLAVORS["redis"]))
            try:
                healthy.append(checklist(deployment))
                password = deployment.password()
                deployment.repro()
                broken_runs.append(checklist(deployment))
                broken = urls.parse(deployment.incident_url().reveal())
                verdicts.append(verdict_seconds(deployment, broken, password))
                if round_ == args.rounds - 1:
                    tooz = tooz_alone(broken, args.tooz_cap)
                    handshake = tooz_probe.handshake(broken, deadline=5.0)
                    scenarios.apply(deployment, "SENTINELS_SILENT")
                    silent = checklist(deployment)
            finally:
                deployment.down()

    def show(name: str, values: list[float]) -> None:
        print(f"{name:58} median {statistics.median(values):7.3f} s  (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})")

    print(f"coordcheck bench, {args.rounds} rounds, redis-server + tooz/redis-py from this venv")
    show("coordcheck up: start to all sentinels agreeing", ups)
    show("checklist wall time, healthy deployment (pytest exit 0)", [s for s, rc in healthy if rc == 0])
    show("checklist wall time, incident URL (pytest exit 1)", [s for s, rc in broken_runs if rc == 1])
    show("probing until SENTINEL_AUTH_MISSING is named", verdicts)
    print(f"{'coordcheck tooz handshake on the incident URL (bounded)':58} {handshake.seconds:.1f} s, timed_out={handshake.timed_out}")
    print(f"{'tooz itself on the incident URL, one sentinel':58} {tooz}")
    print(f"{'checklist wall time, every sentinel silent (SIGSTOP)':58} {silent[0]:.1f} s (pytest exit {silent[1]})")
    if len(healthy) != args.rounds or len(broken_runs) != args.rounds:
        raise SystemExit("a checklist run ended with an unexpected exit code")
    write_section("run", table(["what", "figure"], [
        ["`coordcheck up`, start to all sentinels agreeing", spread(ups)],
        ["checklist wall time, healthy", spread([s for s, _ in healthy])],
        ["checklist wall time, incident URL", spread([s for s, _ in broken_runs])],
        ["probing until SENTINEL_AUTH_MISSING is named", spread(verdicts, 3)],
        ["coordcheck's tooz handshake on the incident URL (bounded)", f"{handshake.seconds:.1f} s"],
        ["tooz itself failing on the incident URL, one sentinel", tooz],
        ["checklist wall time, every sentinel accepting TCP and never answering",
         f"{silent[0]:.1f} s (exit {silent[1]})"]]))


if __name__ == "__main__":
    main()
