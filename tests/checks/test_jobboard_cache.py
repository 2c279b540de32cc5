"""octavia's jobboard and horizon's cache through the real gate (`pytest -m config`, coordcheck/checks/
jobboard_cache.py): every hostile value class fails with its loader's own words, each put on one host
(or one service) of a repository under tmp_path; the stock renders pass; and the structured fix of the
gate's --report-json, applied, takes (that id is gone for those consumers)."""
import pytest

from tests.checks import repos

CUSTOM = "config/horizon/{host}/_9999-custom-settings.py"
OCTAVIA = "config/octavia/{host}/octavia.conf"
#: (host, override file, its text, the finding, the loader's words), one repository per group
HOSTILE = {
    "valkey": [
        ("ctl1", OCTAVIA, "[task_flow]\njobboard_backend_port = abc\n", "URL_NOT_LOADABLE",
         "Value for option jobboard_backend_port from /etc/octavia/octavia.conf is not valid: invalid literal for int()"),
        ("ctl2", OCTAVIA, "[task_flow]\njobboard_backend_hosts =\n", "URL_BLANK", "IndexError: list index out of range"),
        ("ctl3", OCTAVIA, "[task_flow]\njobboard_redis_sentinel =\n", "URL_BLANK",
         "taskflow asks the sentinels for the master of '': MasterNotFoundError: No master found for ''"),
        ("ctl1", CUSTOM, repos.HORIZON_AUTH + "CACHES['default']['LOCATION'] = 'memcached://127.0.2.110:11211'\n",
         "URL_NOT_LOADABLE", "Redis URL must specify one of the following schemes (redis://, rediss://, unix://)"),
        ("ctl2", CUSTOM, repos.HORIZON_AUTH + "CACHES['default']['LOCATION'] = 'redis:///0'\n", "URL_BLANK",
         "django_redis takes the Sentinel service name from LOCATION's host"),
        ("ctl3", CUSTOM, repos.HORIZON_AUTH + "CACHES['default']['OPTIONS']['SENTINELS'] = ['127.0.2.110:26379']\n",
         "URL_NOT_LOADABLE", "redis-py's Sentinel(SENTINELS): ValueError: too many values to unpack (expected 2)"),
    ],
    "19.3.0": [  # Kolla 19.0.0-19.3.0 render no jobboard_redis_sentinel: the stock worker bypasses the sentinels
        ("ctl1", OCTAVIA, "[task_flow]\njobboard_backend_driver = zookeeper_taskflow_driver\n",
         "BACKEND_NOT_SENTINEL (warning)", "zookeeper_taskflow_driver: ZooKeeper (taskflow's zookeeper jobboard"),
        ("ctl2", "config/octavia/octavia-api.conf", "[task_flow]\njobboard_backend_driver = foo\n", "URL_NOT_LOADABLE",
         "Valid values are [redis_taskflow_driver, zookeeper_taskflow_driver, etcd_taskflow_driver], but found 'foo'"),
        ("ctl3", None, "", "URL_BYPASSES_SENTINEL",
         "[task_flow] sets no jobboard_redis_sentinel: octavia's [task_flow] (oslo.config"),
    ],
    "memcached": [
        ("ctl1", "config/horizon/_9999-custom-settings.py",
         "CACHES = {'default': {'BACKEND': 'django.core.cache.backends.memcached.PyMemcacheCache',\n"
         "                      'LOCATION': ['127.0.2.110:11211']}}\n", "BACKEND_NOT_SENTINEL (warning)",
         "loads django.core.cache.backends.memcached.PyMemcacheCache at ['127.0.2.110:11211']: memcached (pymemcache)"),
    ],
}
RELEASE = {"19.3.0": "19.3.0"}
MINE = {"URL_NOT_LOADABLE", "URL_BLANK", "URL_BYPASSES_SENTINEL", "BACKEND_NOT_SENTINEL"}


def _repo(tmp_path, group):
    overrides = {}
    for host, relative, text, *_ in HOSTILE[group]:
        if relative:
            overrides[relative.format(host=host)] = overrides.get(relative.format(host=host), "") + text
    return repos.consumers_repo(tmp_path, valkey=group != "19.3.0", overrides=overrides)


@pytest.mark.parametrize("group", sorted(HOSTILE))
def test_hostile_values_fail_the_gate_with_their_loaders_words(tmp_path, group):
    repo = _repo(tmp_path, group)
    more = ("--kolla-release", RELEASE[group]) if group in RELEASE else ()
    run, found, document = repos.gate(repo, tmp_path, *more)
    failing = any(not finding.endswith("(warning)") for *_, finding, _ in HOSTILE[group])
    assert run.returncode == (1 if failing else 0) and "Traceback" not in run.output, run.stdout[-3000:]
    for host, _, _, finding, says in HOSTILE[group]:
        assert [p for p in found.get(finding, []) if host in p], (host, finding, sorted(found))
        assert says in run.stdout, (finding, says)
    # the fix the gate prints, from its --report-json: applied, those findings are gone for these consumers
    edits = repos.apply_fixes(document, MINE)
    assert edits and all(e["file"].startswith(str(repo)) for e in edits)
    left = [f for f in repos.judged(repo, RELEASE.get(group)) if f.id in MINE]
    assert not [f for f in left if "octavia" in f.where.file or "horizon" in f.where.file], [f.render() for f in left]


def test_the_stock_renders_pass_the_gate(tmp_path):
    """Valkey's 2026.1 with octavia's jobboard and horizon's django_redis cache as Kolla renders them, their
    sentinel passwords given as the catalogue's fixes say: the gate passes."""
    run, found, _ = repos.gate(repos.consumers_repo(tmp_path), tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(found) <= {"PASSWORDS_PLAINTEXT (warning)"}, found


@pytest.mark.parametrize("release", ["19.4.0", "19.8.0", "20.3.0", "20.6.0"])
def test_every_redis_era_stock_jobboard_loads(tmp_path, release):
    """The healthy example (Redis) with octavia on: each release's stock [task_flow] asks the sentinels."""
    found = repos.judged(repos.consumers_repo(tmp_path, valkey=False), release)
    assert not [f.id for f in found if f.id in MINE], [f.render() for f in found if f.id in MINE]
