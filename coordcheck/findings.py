"""The failure catalogue: every coordination failure coordcheck can name,
with its cause and its fix, and the findings the checks report.

    >>> f = Finding("SENTINEL_AUTH_MISSING", Where(host="ctl1", service="cinder-volume"),
    ...             evidence="127.0.2.110:26379 replied NOAUTH")
    >>> print(f.render().splitlines()[0])
    SENTINEL_AUTH_MISSING: the sentinels require a password, but backend_url carries no sentinel_password
"""

from __future__ import annotations

import re

from dataclasses import dataclass

from coordcheck.consumers import RECORDS
from coordcheck.places import HOST_MARK, Place, Where, place_lines  # noqa: F401 (a finding's places, named here too)


FAIL, WARN = "fail", "warn"


@dataclass(frozen=True)
class Entry:
    id: str
    step: str   # the runbook step (test module / marker) that reports it
    cause: str
    fix: str


def _entries(*rows: tuple[str, str, str, str]) -> dict[str, Entry]:
    return {row[0]: Entry(*row) for row in rows}


CATALOGUE = _entries(
    ("SENTINEL_UNREACHABLE", "network", "a sentinel does not answer on its port",
     "start the sentinel container (docker ps -a | grep sentinel; docker logs <it>) and check firewalls between this host and it"),
    ("HOST_UNREACHABLE", "network", "coordcheck cannot reach a host of --hosts (its address does not resolve, or SSH fails)",
     "check the inventory's ansible_host for it, name resolution and SSH from this machine (ansible -i INVENTORY HOST -m ping)"),
    ("NOT_A_REDIS_SERVER", "network", "something answers on the port, but it does not speak the Redis protocol (RESP)",
     "check what listens on that address and port (ss -ltnp); the sentinel/data node container may be replaced by another service, or a proxy sits in between"),
    ("NODE_UNREACHABLE", "network", "a data node does not answer on its port",
     "start the data node container (docker ps -a; docker logs <it>) and check firewalls between this host and it"),
    ("SENTINEL_UNKNOWN_MASTER", "sentinel", "the sentinel does not monitor the master name the services ask for",
     "make backend_url's sentinel= name match the sentinels' `sentinel monitor` name (Kolla: kolla)"),
    ("SENTINEL_SEES_MASTER_DOWN", "sentinel", "the sentinel flags the master as down or not a master",
     "check the master (INFO replication) and the sentinels' `sentinel auth-pass`; see the sentinel logs"),
    ("SENTINEL_CANNOT_AUTH_MASTER", "sentinel", "the sentinels' auth-pass is wrong, so they see the master as down",
     "set `sentinel auth-pass kolla <master password>` on every sentinel (SENTINEL SET kolla auth-pass ...), from passwords.yml"),
    ("QUORUM_LOST", "sentinel", "SENTINEL CKQUORUM fails: too few sentinels agree to elect a failover",
     "bring the missing sentinels back; a Kolla cluster needs 2 of 3"),
    ("SENTINEL_TOPOLOGY_INCOMPLETE", "sentinel", "the sentinel does not see every replica and every other sentinel",
     "check that every node announces its own address (replica-announce-ip, sentinel announce-ip) and that the sentinels authenticate to each other"),
    ("SENTINEL_AUTH_INCONSISTENT", "auth", "some sentinels require a password and others do not",
     "give every sentinel the same requirepass (or none) and reconfigure them together"),
    ("PASSWORD_REJECTED", "auth", "the password in passwords.yml is rejected by a server",
     "the deployed servers run with another password: re-deploy them from passwords.yml (kolla-ansible reconfigure --tags redis) or correct passwords.yml"),
    ("MASTER_DISAGREEMENT", "master", "the sentinels do not agree on the master's address",
     "wait for a running failover to finish; if it persists, check the sentinels' logs and their view of each other"),
    ("FAILOVER_SEEN", "master", "the master stopped answering during the run and the sentinels failed over to another",
     "nothing for the services (tooz follows the sentinels to the new master); bring the old master back: it rejoins as a replica"),
    ("MASTER_UNREACHABLE", "master", "the master address the sentinels announce does not answer",
     "check the announced address (replica-announce-ip) is reachable from the service hosts"),
    ("MASTER_ROLE_WRONG", "master", "the address the sentinels announce as master is not a master",
     "wait for the failover to finish; otherwise check the replicas' replicaof settings"),
    ("REPLICATION_BROKEN", "master", "a replica's link to the master is down",
     "check the replica's masterauth matches the master's requirepass and read its log"),
    ("SENTINEL_AUTH_MISSING", "client", "the sentinels require a password, but backend_url carries no sentinel_password",
     "add &sentinel_password= to backend_url"),
    ("SENTINEL_AUTH_WRONG", "client", "the sentinels reject backend_url's sentinel_password",
     "set sentinel_password to the sentinels' requirepass (passwords.yml)"),
    ("SENTINEL_AUTH_UNEXPECTED", "client", "backend_url sends a sentinel_password but the sentinels have none",
     "remove sentinel_password from backend_url, or give the sentinels that requirepass"),
    ("MASTER_AUTH_WRONG", "client", "the data node rejects the password in backend_url",
     "put the master password from passwords.yml in the URL's user:password part"),
    ("MASTER_USER_WRONG", "client", "the data node rejects the user name in backend_url",
     "use the user `default` (Kolla) or an ACL user that exists on the data nodes"),
    ("DISCOVERY_FAILED", "client", "redis-py Sentinel discovery with backend_url finds no master",
     "read the evidence: each sentinel's own answer is quoted"),
    ("CLIENT_TOO_OLD", "client", "the service container's tooz is older than 6.1.0, which ignores sentinel_password, and the sentinels require a password",
     "upgrade the service images to a Kolla release whose tooz is >= 6.1.0 (kolla-ansible pull, then upgrade), or run the sentinels without requirepass"),
    ("TOOZ_HANDSHAKE_FAILED", "client", "tooz cannot start a coordinator and take a lock with backend_url",
     "fix the discovery finding for the same URL first"),
    ("LOCKS_NOT_EXCLUSIVE", "client", "two service containers that share the coordination backend both acquired the same tooz lock: their tooz versions name a Redis lock differently (tooz 9.0 renamed the keys), so their locks do not exclude each other",
     "finish the upgrade of every host of that project to one Kolla release (kolla-ansible pull, then upgrade) before restarting its services on the upgraded hosts; until then run its lock-taking services (cinder-volume, designate workers, mistral) on one release only"),
    ("URL_BYPASSES_SENTINEL", "config", "the coordination URL names a data node directly, without sentinel=: the service keeps the old master after a failover and gets READONLY or hangs until restarted",
     "use Kolla's own connection string: the sentinels in the netloc and sentinel_fallback, with sentinel=kolla (the corrected URL is given)"),
    ("FAILOVER_NOT_FOLLOWED", "client", "after a Sentinel failover the service's own client did not work against the new master within --failover-wait",
     "use Kolla's connection string (sentinel= and every sentinel as sentinel_fallback) and a client that asks the sentinels again on READONLY/connection errors; restart the service to recover now"),
    ("CONSUMER_CLIENT_FAILED", "client", "a gnocchi, octavia (jobboard) or horizon container's own client cannot reach the coordination backend with its config",
     "fix the discovery finding for the same sentinels first; the evidence names the client's error"),
    ("CONFIG_MISSING", "config", "no service config with [coordination] backend_url on this host",
     "check node_config_directory and that the services were deployed here"),
    ("CONFIG_UNREADABLE", "config", "a service config file is not INI text the service can read, or its [coordination] backend_url is empty",
     "regenerate it from the config repository (kolla-ansible reconfigure --tags <project>) and read the file named as evidence"),
    ("CONTAINER_ENGINE_UNUSABLE", "config", "the container engine (kolla_container_engine) cannot be used on this host",
     "install and start docker or podman as globals.yml says, and let the SSH user use it (root or the docker group; or --sudo / ansible_become)"),
    ("CONTAINER_NOT_RUNNING", "config", "a service container that uses coordination is not running on a host the inventory places it on",
     "read `docker logs <container>`, then `docker start <container>` (or kolla-ansible deploy --tags <project>)"),
    ("CONTAINER_CONFIG_STALE", "config", "the backend_url inside the container differs from the host's copy: the service runs an old config",
     "restart the container so that it copies the host's config in (`docker restart <container>`, or kolla-ansible reconfigure --tags <project>)"),
    ("SERVICE_LOG_ERRORS", "config", "the service logged coordination errors (ToozConnectionError, No master found) recently",
     "fix the finding named as the cause, then restart the container; the newest such log line is quoted with its "
     "file (/var/log/kolla/<project>/<service>.log) and time"),
    ("URL_INVALID", "config", "backend_url cannot be used by tooz",
     "write it as redis://default:PASSWORD@HOST:26379?sentinel=kolla&sentinel_fallback=HOST:26379..."),
    ("URL_ENCODING", "config", "a password in backend_url is written so that tooz reads another string",
     "netloc: write the password as it is (tooz does not percent-decode it); query (sentinel_password): "
     "percent-encode it (Kolla's extras: {{ <flavor>_master_password | urlencode }})"),
    ("URL_UNKNOWN_OPTION", "config", "backend_url has an option tooz silently ignores",
     "correct the option name (tooz reads only its own option list)"),
    ("PASSWORD_MISMATCH", "config", "a password in backend_url differs from passwords.yml",
     "regenerate the service config from passwords.yml (kolla-ansible reconfigure) or correct the override"),
    ("FALLBACK_MISMATCH", "config", "backend_url's sentinels differ from the inventory's sentinel hosts",
     "list every host of the redis/valkey group, first in the netloc, the others as sentinel_fallback"),
    ("URL_DRIFT", "config", "backend_url differs between services or hosts",
     "render every service from the same <flavor>_connection_string; remove stale per-service overrides"),
    ("PASSWORDS_PLAINTEXT", "config", "passwords.yml is committed unencrypted",
     "ansible-vault encrypt passwords.yml, and give kolla-ansible and coordcheck --vault-password-file"),
    ("OVERRIDE_NOT_READ", "config", "a file under config/ that no Kolla role merges: nothing it sets reaches a service",
     "move its options to a file Kolla merges for that service (named in the fix), or to globals.yml, then reconfigure"),
    ("OVERRIDE_NO_CONSUMER", "config", "an override sets a coordination option for a service that has no such consumer in this release: the service ignores it",
     "remove it; the services that do coordinate are fixed once through <flavor>_connection_string_extras in globals.yml"),
    ("REDIS_NAMES_LEFTOVER", "config", "Redis names (enable_redis, redis_*) are set where the release renders every consumer from Valkey: Kolla ignores them (or, on 20.4-20.6, deploys Redis beside Valkey)",
     "rename them to their valkey_* names (enable_valkey, valkey_connection_string_extras, ...) and remove the redis_* ones"),
    ("URL_NO_HOSTS", "config", "a coordination URL Kolla renders names no host: its flavor's inventory group is empty (mistral renders it always)",
     "enable the flavor (enable_<flavor>) and give its inventory group the sentinel hosts, or disable the service"),
    ("OLD_PASSWORD_LEFT", "config", "redis_master_password is still in passwords.yml where the release renders every consumer from Valkey",
     "once the Redis containers are gone, remove redis_master_password (kolla-ansible LP#2138461: the move to Valkey generates valkey_master_password)"),
    *((c.missing_auth, "config", c.cause, c.fix) for c in RECORDS if c.cause),  # their own causes: their records'
    ("URL_NOT_LOADABLE", "config", "a coordination value its consumer's own loader refuses (tooz finds no driver for its scheme, or the driver rejects it): the service cannot coordinate",
     "write it as Kolla renders it: remove the overrides named in the fix so that <flavor>_connection_string renders it, or rewrite them to the corrected URL"),
    ("URL_BLANK", "config", "a coordination option is set but empty: the service gets '' instead of a backend",
     "remove the empty setting (Kolla then renders <flavor>_connection_string) or give it the corrected URL"),
    ("BACKEND_NOT_SENTINEL", "config", "a coordination value names a backend that is not Redis/Valkey Sentinel (memcached, etcd3, ZooKeeper, MySQL, file ...): the Sentinel checks do not apply to it",
     "if the service should use Kolla's Redis/Valkey, remove the override (Kolla renders <flavor>_connection_string); otherwise run that backend where every host of the service reaches the same one"),
    ("ADDRESSES_UNVERIFIED", "config", "cannot compare without facts: a comparison of addresses where one side is an address the gate had to synthesize (no fact cache)",
     "give --facts DIR, or set fact_caching = jsonfile and fact_caching_connection in the ansible.cfg kolla-ansible uses and run kolla-ansible gather-facts"),
    ("CONFIG_WORLD_READABLE", "config", "a file holding a password is readable by every user on the host",
     "chmod o-rwx the file (Kolla writes service configs 0660)"),
)


@dataclass(frozen=True)
class Finding:
    """One diagnosed failure: what (id, cause), where, evidence, fix."""

    id: str
    where: Where
    evidence: str
    fix: str | None = None   # a specific fix; the catalogue's otherwise
    severity: str = FAIL     # WARN: degraded or risky, the suite still passes
    repair: object = None    # the fix as data (coordcheck.kolla.fixes.Repair): edits + command

    def __post_init__(self) -> None:
        if self.id not in CATALOGUE:
            raise KeyError(f"finding id {self.id} is not in the catalogue")

    @property
    def entry(self) -> Entry:
        return CATALOGUE[self.id]

    @property
    def advice(self) -> str:
        """Its specific fix, or the catalogue's."""
        return self.fix or self.entry.fix

    def render(self) -> str:
        fix = self.advice
        label = f"{self.id} (warning)" if self.severity == WARN else self.id
        return (f"{label}: {self.entry.cause}\n  where:    {self.where}\n"
                f"  evidence: {self.evidence}\n  fix:      {fix}")


def because(causes: list[Finding]) -> str:
    """``; cause: ID, ...`` for a finding that follows from others ("" if none)."""
    return f"; cause: {', '.join(sorted({f.id for f in causes}))}" if causes else ""


def named_causes(evidence: str) -> set[str]:
    """The ids a finding's evidence names as its cause (what `because` wrote)."""
    return {i for m in re.findall(r"cause: ([A-Z_]+(?:, [A-Z_]+)*)", evidence) for i in m.split(", ")}


def render(findings: list[Finding]) -> str:
    return "\n".join(f.render() for f in findings)


def _cell(text: str) -> str:
    """A table cell that renders as written: `|` would split it, `<x>` would vanish as an HTML tag."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def markdown_table() -> str:
    """The catalogue as a Markdown table (docs/catalogue.md; tests/test_docs.py keeps them equal)."""
    rows = ["| id | step | cause | fix |", "|---|---|---|---|"]
    rows += [f"| `{e.id}` | {e.step} | {_cell(e.cause)} | {_cell(e.fix)} |" for e in CATALOGUE.values()]
    return "\n".join(rows)


#: how docs/catalogue.md is written again after the catalogue changed
REGENERATE = "python -m coordcheck.findings --markdown > docs/catalogue.md"


def markdown_document() -> str:
    """docs/catalogue.md, whole: generated, never edited by hand."""
    return (f"# Failure catalogue\n\n<!-- generated from coordcheck/findings.py: {REGENERATE} -->\n\n"
            "Every id a run can name, the runbook step (test module and marker) that reports it, its cause and "
            "its fix. A finding is a failure unless the run prints it `(warning)`: a lost sentinel while a quorum "
            "remains, a sentinel that does not see every peer while `CKQUORUM` passes, and a `sentinel_password` "
            "sent to sentinels that have none (fine with redis-py >= 8, fatal with older clients) are warnings: "
            "reported, and pytest still exits 0. The fix a run prints is this one made specific: your files, "
            "lines, inventory and the `kolla-ansible ... reconfigure --tags ...` command.\n\n"
            f"{markdown_table()}\n")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--markdown"]:
        sys.exit(f"usage: {REGENERATE}")
    sys.stdout.write(markdown_document())
