"""`coordcheck break` scenarios, one per catalogue entry: each says what the
checklist must then report (its finding, and the consequences it may also
report) and where (``{ctl3}`` stands for that host's address in the lab).

    $ coordcheck up --dir /tmp/kolla
    $ coordcheck break SENTINEL_CANNOT_AUTH_MASTER --dir /tmp/kolla
    $ pytest --hosts=controllers --inventory /tmp/kolla/multinode --configdir /tmp/kolla
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

import redis

from coordcheck.consumers import FAKED
from coordcheck.lab.deployment import DeploymentError, LocalDeployment
from coordcheck.lab import drill_faults
from coordcheck.lab import faults as f
from coordcheck.lab.faults import LOG_TIMEOUT  # noqa: F401 - re-exported
from coordcheck.lab.garbage import GARBAGE_SERVER, garbage_cloud, start_garbage_server  # noqa: F401 - re-exported


@dataclass(frozen=True)
class Scenario:
    name: str
    finding: str                       # the catalogue id the checklist must report
    description: str
    apply: Callable[[LocalDeployment], None]
    related: frozenset[str] = frozenset()  # consequences it may also report
    where: tuple[str, ...] = ()         # text the finding's where must hold (host, file, address)
    passes: bool = False                # only warnings: pytest exits 0
    sentinel_auth: bool = True          # needs `coordcheck up` with (or --no-sentinel-auth without) it
    containers: bool = False            # needs `coordcheck up --containers`
    also: frozenset[str] = frozenset()  # consequences it must also report
    netns: bool = False                 # needs `coordcheck up --netns`
    release: str | None = None          # needs `coordcheck up --containers --release R`
    consumers: bool = False             # needs `coordcheck up --containers --consumers`


    def places(self, hosts: dict[str, str]) -> tuple[str, ...]:
        """``where`` with each ``{ctlK}`` replaced by that host's address in the lab."""
        return tuple(part.format(**hosts) for part in self.where)


CLIENT_FAILS = frozenset({"TOOZ_HANDSHAKE_FAILED"})
LOOKS_DEGRADED = frozenset({"SENTINEL_TOPOLOGY_INCOMPLETE"})
CONFIGS = "/ctl1/cinder-volume/cinder.conf"


def _all(*rows: Scenario) -> dict[str, Scenario]:
    return {row.name: row for row in rows}


SCENARIOS = _all(
    Scenario("SENTINEL_AUTH_MISSING", "SENTINEL_AUTH_MISSING", "the incident: no sentinel_password in backend_url",
             f.sentinel_auth_missing, CLIENT_FAILS, ("host ctl1", CONFIGS)),
    Scenario("SENTINEL_AUTH_WRONG", "SENTINEL_AUTH_WRONG", "backend_url's sentinel_password is not the sentinels'",
             f.sentinel_auth_wrong, CLIENT_FAILS | {"PASSWORD_MISMATCH"}, ("host ctl1", CONFIGS)),
    Scenario("SENTINEL_AUTH_UNEXPECTED", "SENTINEL_AUTH_UNEXPECTED",
             "sentinel_password sent to sentinels without a password (stock Kolla)",
             f.sentinel_auth_unexpected, frozenset(), ("host ctl1", CONFIGS), passes=True, sentinel_auth=False),
    Scenario("SENTINEL_AUTH_UNEXPECTED_REDIS_PY_6", "SENTINEL_AUTH_UNEXPECTED",
             "the same, with 2025.2's tooz 7.0.0 and redis-py 6.2.0 in the containers: they fail on it",
             f.sentinel_auth_unexpected, CLIENT_FAILS | {"SERVICE_LOG_ERRORS"}, ("host ctl1", "cinder_volume"),
             sentinel_auth=False, containers=True, release="2025.2"),
    Scenario("MASTER_AUTH_WRONG", "MASTER_AUTH_WRONG", "backend_url's user:password is not the data nodes'",
             f.master_auth_wrong, CLIENT_FAILS | {"PASSWORD_MISMATCH"}, ("host ctl1", "address {ctl1}:6379")),
    Scenario("MASTER_USER_WRONG", "MASTER_USER_WRONG", "backend_url's user is admin, unknown to the data nodes",
             f.master_user_wrong, CLIENT_FAILS, ("host ctl1", "address {ctl1}:6379")),
    Scenario("PASSWORD_MISMATCH", "PASSWORD_MISMATCH", "backend_url holds an old password everywhere",
             f.password_mismatch, CLIENT_FAILS | {"SENTINEL_AUTH_WRONG"}, ("host ctl1", CONFIGS)),
    Scenario("SENTINEL_UNREACHABLE", "SENTINEL_UNREACHABLE", "one sentinel down: degraded, a quorum remains",
             f.sentinel_unreachable, LOOKS_DEGRADED, ("{ctl3}:26379",), passes=True),
    Scenario("SENTINEL_UNREACHABLE_NO_QUORUM", "SENTINEL_UNREACHABLE", "two sentinels down: no quorum",
             lambda d: f.sentinel_unreachable(d, ("ctl2", "ctl3")), LOOKS_DEGRADED | {"QUORUM_LOST"},
             ("{ctl2}:26379",), also=frozenset({"QUORUM_LOST"})),
    Scenario("SENTINEL_PARTITIONED", "SENTINEL_UNREACHABLE", "one sentinel hangs (SIGSTOP): degraded, a quorum remains",
             f.sentinel_partitioned, LOOKS_DEGRADED, ("{ctl3}:26379",), passes=True),
    Scenario("SENTINELS_SILENT", "SENTINEL_UNREACHABLE", "every sentinel hangs (SIGSTOP): TCP accepts, no reply",
             f.sentinels_silent, CLIENT_FAILS, ("{ctl2}:26379",)),
    Scenario("NOT_A_REDIS_SERVER", "NOT_A_REDIS_SERVER",
             "ctl1's sentinel replaced by a listener that answers junk bytes (the first sentinel of every URL)",
             f.not_a_redis_server, CLIENT_FAILS | LOOKS_DEGRADED, ("{ctl1}:26379",),
             also=frozenset({"TOOZ_HANDSHAKE_FAILED"})),
    Scenario("SENTINEL_UNKNOWN_MASTER", "SENTINEL_UNKNOWN_MASTER", "backend_url asks for sentinel=kola",
             f.sentinel_unknown_master, CLIENT_FAILS, ("{ctl1}:26379",)),
    Scenario("QUORUM_LOST", "QUORUM_LOST", "the sentinels' quorum (4) exceeds the sentinels (3)",
             f.quorum_lost, frozenset(), ("{ctl1}:26379",)),
    Scenario("SENTINEL_CANNOT_AUTH_MASTER", "SENTINEL_CANNOT_AUTH_MASTER", "the sentinels' auth-pass is wrong",
             f.sentinel_cannot_auth_master, CLIENT_FAILS | LOOKS_DEGRADED | {"SENTINEL_SEES_MASTER_DOWN", "QUORUM_LOST"},
             ("{ctl1}:26379",)),
    Scenario("SENTINEL_SEES_MASTER_DOWN", "SENTINEL_SEES_MASTER_DOWN",
             "the master hangs (SIGSTOP) and no replica may replace it",
             f.sentinel_sees_master_down, CLIENT_FAILS | LOOKS_DEGRADED | {"MASTER_UNREACHABLE", "NODE_UNREACHABLE",
                                                                          "QUORUM_LOST", "REPLICATION_BROKEN"},
             ("{ctl1}:26379",)),
    Scenario("MASTER_UNREACHABLE", "MASTER_UNREACHABLE", "the announced master hangs (SIGSTOP): TCP accepts, no reply",
             f.master_unreachable, CLIENT_FAILS | {"NODE_UNREACHABLE", "REPLICATION_BROKEN"},
             ("{ctl1}:6379",)),
    Scenario("REPLICATION_BROKEN", "REPLICATION_BROKEN", "a replica restarted without masterauth",
             f.replication_broken, LOOKS_DEGRADED, ("{ctl3}:6379",)),
    Scenario("NODE_UNREACHABLE", "NODE_UNREACHABLE", "a replica's server is down",
             f.node_unreachable, LOOKS_DEGRADED | {"REPLICATION_BROKEN"}, ("{ctl3}:6379",)),
    Scenario("FALLBACK_MISMATCH", "FALLBACK_MISMATCH", "backend_url lists 127.0.2.113 instead of 127.0.2.112",
             f.fallback_mismatch, frozenset(), ("host ctl1", CONFIGS)),
    Scenario("URL_INVALID", "URL_INVALID", "a sentinel_fallback without a port",
             f.url_invalid, frozenset(), ("host ctl1", CONFIGS)),
    Scenario("URL_BYPASSES_SENTINEL", "URL_BYPASSES_SENTINEL",
             "backend_url names the master data node itself, without sentinel=", drill_faults.url_bypasses_sentinel,
             frozenset({"URL_DRIFT", "FALLBACK_MISMATCH"}), ("host ctl1", CONFIGS)),
    Scenario("URL_UNKNOWN_OPTION", "URL_UNKNOWN_OPTION", "socket_timout=5, an option tooz ignores",
             f.url_unknown_option, frozenset(), ("host ctl1", CONFIGS)),
    Scenario("URL_ENCODING", "URL_ENCODING", "the user:password part percent-encoded (tooz does not decode it)",
             f.url_encoding, CLIENT_FAILS, ("host ctl1", CONFIGS)),
    Scenario("URL_DRIFT", "URL_DRIFT", "one service on one host has another URL",
             f.url_drift, frozenset(), ("host ctl2", "/ctl2/designate-worker/designate.conf")),
    Scenario("CONFIG_WORLD_READABLE", "CONFIG_WORLD_READABLE", "a service config is mode 0644",
             f.config_world_readable, frozenset(), ("host ctl1", CONFIGS)),
    Scenario("SENTINEL_AUTH_INCONSISTENT", "SENTINEL_AUTH_INCONSISTENT", "one sentinel lost its password",
             f.sentinel_auth_inconsistent, frozenset(), ("{ctl3}:26379",)),
    Scenario("PASSWORD_REJECTED", "PASSWORD_REJECTED", "passwords.yml holds another password than the servers",
             f.password_rejected, frozenset({"PASSWORD_MISMATCH", "MASTER_DISAGREEMENT"}), ("{ctl1}:26379",)),
    Scenario("MASTER_DISAGREEMENT", "MASTER_DISAGREEMENT", "one sentinel monitors a replica as the master",
             f.master_disagreement, LOOKS_DEGRADED | {"SENTINEL_SEES_MASTER_DOWN", "QUORUM_LOST"},
             ("{ctl3}:26379",)),
    Scenario("MASTER_ROLE_WRONG", "MASTER_ROLE_WRONG", "every sentinel monitors a replica as the master",
             f.master_role_wrong, CLIENT_FAILS | LOOKS_DEGRADED | {"SENTINEL_SEES_MASTER_DOWN", "REPLICATION_BROKEN",
                                                                  "QUORUM_LOST"},
             ("{ctl2}:6379",)),
    Scenario("CLIENT_TOO_OLD", "CLIENT_TOO_OLD", "designate_worker runs Debian's tooz 3.1.0 / redis-py 4.3.4",
             f.client_too_old, CLIENT_FAILS | {"SERVICE_LOG_ERRORS"}, ("ctl2", "designate_worker"), containers=True),
    Scenario("LOCKS_NOT_EXCLUSIVE", "LOCKS_NOT_EXCLUSIVE",
             "masakari_api (ctl3) on 2026.2's tooz 9.0.1, the others on 2026.1's 8.1.0: a lock held on one side is "
             "taken on the other", drill_faults.locks_not_exclusive, frozenset(), ("ctl3", "masakari_api"), containers=True,
             release="2026.1"),
    Scenario("CONTAINER_CONFIG_STALE", "CONTAINER_CONFIG_STALE",
             "cinder_volume's host copy changed, the container not restarted",
             f.container_config_stale, frozenset({"URL_DRIFT"}), ("ctl1", "cinder_volume"), containers=True),
    Scenario("CONTAINER_NOT_RUNNING", "CONTAINER_NOT_RUNNING", "masakari_api is stopped",
             f.container_not_running, frozenset(), ("ctl3", "masakari_api"), containers=True),
    Scenario("SERVICE_LOG_ERRORS", "SERVICE_LOG_ERRORS",
             "the incident in masakari_api only, until its log shows it (minutes)",
             f.service_log_errors, CLIENT_FAILS | {"SENTINEL_AUTH_MISSING", "URL_DRIFT"}, ("ctl3", "masakari_api"),
             containers=True),
    *(Scenario(c.fake.scenario, c.missing_auth, c.fake.description, partial(f.consumer_as_stock_kolla, consumer=c),
               frozenset({"SERVICE_LOG_ERRORS"}), (c.fake.host, c.fake.container), containers=True, consumers=True)
      for c in FAKED.values()),
    Scenario("PARTITION_ONE_HOST", "SENTINEL_UNREACHABLE",
             "ctl2 alone cannot reach ctl3's sentinel (a rule in ctl2's namespace)",
             f.partition_one_host, LOOKS_DEGRADED, ("host ctl2", "{ctl3}:26379"), passes=True, netns=True),
)


def apply(d: LocalDeployment, name: str) -> Scenario:
    """Inject scenario ``name`` into the running deployment ``d``."""
    if name not in SCENARIOS:
        raise DeploymentError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
    scenario = SCENARIOS[name]
    if scenario.netns and not d.state().get("netns"):
        raise DeploymentError(f"scenario {name} needs a deployment made by `coordcheck up --netns`")
    if scenario.consumers and not d.state().get("consumers"):
        raise DeploymentError(f"scenario {name} needs a deployment made by `coordcheck up --containers --consumers`")
    if scenario.containers and not d.state().get("engine"):
        raise DeploymentError(f"scenario {name} needs a deployment made by `coordcheck up --containers`")
    if d.state()["sentinel_auth"] != scenario.sentinel_auth:
        needs = "`coordcheck up`" if scenario.sentinel_auth else "`coordcheck up --no-sentinel-auth`"
        raise DeploymentError(f"scenario {name} needs a deployment made by {needs}")
    try:
        scenario.apply(d)
    except redis.RedisError as exc:
        raise DeploymentError(f"scenario {name}: the deployment refused the fault: {exc}") from None
    if d.state().get("faults") is not None:   # a lab made by an older coordcheck keeps no record
        d.record_fault(name)
    return scenario


#: the faults `coordcheck fix` undoes: it rewrites every service config (and the
#: consumers' files) as `up` wrote them with sentinel_password, and restarts the containers
FIX_UNDOES = frozenset({
    "SENTINEL_AUTH_MISSING", "SENTINEL_AUTH_WRONG", "MASTER_AUTH_WRONG", "MASTER_USER_WRONG", "PASSWORD_MISMATCH",
    "SENTINEL_UNKNOWN_MASTER", "FALLBACK_MISMATCH", "URL_INVALID", "URL_UNKNOWN_OPTION", "URL_ENCODING", "URL_DRIFT",
    "CONTAINER_CONFIG_STALE", "SERVICE_LOG_ERRORS", "JOBBOARD_NO_SENTINEL_AUTH", "HORIZON_NO_SENTINEL_AUTH",
    "SENTINEL_AUTH_MISSING_GNOCCHI"})


CONSUMER_FAULTS = frozenset({"JOBBOARD_NO_SENTINEL_AUTH", "HORIZON_NO_SENTINEL_AUTH", "SENTINEL_AUTH_MISSING_GNOCCHI"})


def record_url_change(d: LocalDeployment, verb: str) -> None:
    """Both verbs rewrite every service config (`fix` the consumers' files too):
    the faults that lived there are gone. `repro` is then the incident where the
    sentinels have a password; `fix` is SENTINEL_AUTH_UNEXPECTED where they have none."""
    state = d.state()
    if state.get("faults") is None:
        return
    gone = FIX_UNDOES if verb == "fix" else FIX_UNDOES - CONSUMER_FAULTS
    for name in state["faults"]:
        if name in gone or name == "SENTINEL_AUTH_UNEXPECTED":
            d.record_fault(name, active=False)
    if verb == "repro" and state["sentinel_auth"]:
        d.record_fault("SENTINEL_AUTH_MISSING")
    elif verb == "fix" and not state["sentinel_auth"]:
        d.record_fault("SENTINEL_AUTH_UNEXPECTED")


def _needs(s: Scenario) -> str:
    if s.netns:
        return " (needs `up --netns`)"
    needs = [*(["--no-sentinel-auth"] if not s.sentinel_auth else []), *(["--containers"] if s.containers else []),
             *(["--consumers"] if s.consumers else []),
             *([f"--release {s.release}"] if s.release else [])]
    return f" (needs `up {' '.join(needs)}`)" if needs else ""


def markdown_table(netns: bool = False) -> str:
    """The README's scenario table (tests/test_readme.py keeps them equal);
    ``netns``: the scenarios that need `up --netns` (the lab's section)."""
    rows = ["| `coordcheck break` | reproduces | fault | pytest exit |", "|---|---|---|---|"]
    rows += [f"| `{s.name}` | `{s.finding}` | {s.description}{_needs(s)} | {0 if s.passes else 1} |"
             for s in SCENARIOS.values() if s.netns == netns]
    return "\n".join(rows)
