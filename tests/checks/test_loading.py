"""Every coordination value judged by its consumer's own loader (coordcheck/checks/loading.py): tooz's
driver lookup with real tooz, gnocchi's incoming rules; and each hostile value class through the real gate
(`pytest -m config`), which must fail with the consumer's error, never "3 passed"."""
import shutil

import pytest

from coordcheck.checks import loading
from coordcheck.secrets import Secret, redact
from tests.conftest import reported, run_checklist
from tests.kolla import scenarios

INCIDENT_URL = ("redis://default:{{ redis_master_password }}@127.0.2.110:26379?sentinel=kolla"
                "&sentinel_fallback=127.0.2.111:26379&sentinel_fallback=127.0.2.112:26379&db=0")


@pytest.mark.parametrize("value, kind, says", [
    ("REDIS://default:pw@h:26379?sentinel=kolla", "sentinel", ""),
    ("Redis://h:26379?sentinel=kolla", "sentinel", ""),
    ("http://x", "not_loadable", "No 'tooz.backends' driver found, looking for 'http'"),
    ("::::not a url::::", "not_loadable", "No 'tooz.backends' driver found, looking for ''"),
    ("", "blank", "looking for ''"),
    ("   ", "blank", "looking for ''"),
    ("memcached://h:11211", "other_backend", "tooz.drivers.memcached:MemcachedDriver"),
    ("etcd3+http://h:2379", "other_backend", "tooz.drivers.etcd3gw:Etcd3Driver"),
    ("zookeeper://h:2181", "other_backend", "tooz.drivers.zookeeper:KazooDriver"),
    ("mysql://u:p@h/db", "other_backend", "tooz.drivers.mysql:MySQLDriver"),
    ("file:///var/lib/cinder", "other_backend", "locks on one host only"),
])
def test_tooz_consumers_are_judged_by_tooz(value, kind, says):
    verdict = loading.judge("coordination", "backend_url", value)
    assert verdict.kind == kind and says in verdict.error and verdict.loader.startswith("tooz ")
    assert loading.judge("DEFAULT", "coordination_url", value).kind == kind  # gnocchi's coordination_url: tooz too


def test_tooz_drivers_come_from_tooz_itself():
    from importlib.metadata import entry_points
    assert loading.tooz_drivers() == {e.name: e.value for e in entry_points(group="tooz.backends")}
    assert loading.tooz_drivers()["redis"] == "tooz.drivers.redis:RedisDriver"


def test_the_loaders_error_quotes_a_piece_of_the_password_that_the_output_masks():
    """tooz's parser quotes what it could not read, here a piece of the password: the output boundary masks it."""
    password = Secret("abQ7[cdefgh]ijK2")
    error = loading.tooz_load(f"redis://default:{password.reveal()}@127.0.2.110:26379?sentinel=kolla")
    assert "'cdefgh' does not appear to be an IPv4 or IPv6 address" in error
    assert redact(error) == error.replace("'cdefgh'", "'***'")


def test_gnocchi_incoming_reads_no_scheme():
    """gnocchi's get_client takes host, port and query whatever the scheme; no host and no path: its ValueError."""
    assert loading.judge("incoming", "redis_url", "HTTP://h:26379?sentinel=kolla").value == "redis://h:26379?sentinel=kolla"
    assert "Expected socket path" in loading.judge("incoming", "redis_url", "").error
    assert loading.judge("incoming", "redis_url", "unix:///run/redis.sock").kind == "other_backend"


def _repo(tmp_path, override: str | None = None, value: str = "", globals_line: str = ""):
    repo = tmp_path / "repo"  # the incident's overrides; globals.yml's own value: the healthy repo (no override)
    shutil.copytree(scenarios.REPOS / ("healthy" if globals_line else "incident"), repo)
    if override is not None:
        (repo / "etc/kolla" / override).write_text(f"[coordination]\nbackend_url = {value}\n")
    if globals_line:
        with open(repo / "etc/kolla/globals.yml", "a") as f:
            f.write(globals_line + "\n")
    return repo


HOSTILE = [  # (name, override file, value, globals.yml line, the finding, the consumer's own words)
    ("capitals", "config/designate.conf", INCIDENT_URL.replace("redis://", "REDIS://"), "",
     "SENTINEL_AUTH_MISSING", "backend_url has no sentinel_password"),
    ("http", "config/designate.conf", "http://127.0.2.110:26379", "", "URL_NOT_LOADABLE",
     "No 'tooz.backends' driver found, looking for 'http'"),
    ("blank", "config/cinder/cinder-volume.conf", "", "", "URL_BLANK", "oslo.config reads an empty value as ''"),
    ("not-a-url", "config/mistral.conf", "::::not a url::::", "", "URL_NOT_LOADABLE", "looking for ''"),
    ("globals-not-a-url", None, "", 'redis_connection_string: "not a URL at all"', "URL_NOT_LOADABLE",
     "looking for ''"),
    ("memcached", "config/masakari.conf", "memcached://127.0.2.110:11211", "", "BACKEND_NOT_SENTINEL (warning)",
     "tooz.drivers.memcached:MemcachedDriver"),
]


@pytest.mark.parametrize("name, override, value, globals_line, finding, says", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_values_fail_the_gate_with_the_consumers_error(tmp_path, name, override, value, globals_line,
                                                              finding, says):
    repo = _repo(tmp_path, override, value, globals_line)
    run = run_checklist("-m", "config", "--configdir", str(repo / "etc/kolla"), "--inventory", str(repo / "multinode"),
                        tmp_path=tmp_path, cwd=tmp_path)
    found = reported(run)
    assert run.returncode == 1 and finding in found, (sorted(found), run.stdout[-2000:])
    assert says in run.stdout and "Traceback" not in run.output
    if name == "globals-not-a-url":  # every consumer on every host
        places = " ".join(found[finding])
        assert all(h in places for h in ("ctl1", "ctl2", "ctl3", "stor1"))
        assert all(s in places for s in ("cinder-api", "cinder-volume", "designate-worker", "mistral-api"))
