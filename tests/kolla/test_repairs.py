"""coordcheck.kolla.repairs: a fix as data (the edits of the config repository, then the one command) and
the mechanical application of those edits — and so, every fix takes (a property): for every example and
scenario repository and every finding id whose fix the gate gives as repository edits, apply those edits —
from the JSON report's structured fix (causes[].repairs) — to a copy of the repository and judge it again:
that id is gone. The incident is also proven end to end through the real gate (`pytest -m config`,
--report-json, then exit 0), and hypothesis draws hostile overrides (any scheme, any case, any merged file)
for the same property."""
import json
import shutil
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from coordcheck.checks.consumers import consumer_findings, sentinel_auth
from coordcheck.checks.verdicts import REPAIRABLE
from coordcheck.kolla.render import render_repo
from coordcheck.kolla.repairs import Edit, Repair, apply_edits, ini_lines, yaml_lines
from coordcheck.pytest_plugin.outputs import SCHEMA, as_json
from coordcheck.pytest_plugin.report import STEPS, finding_record
from coordcheck.pytest_plugin.run import Run
from tests.conftest import reported, run_checklist
from tests.kolla import scenarios

GOOD = ("redis://default:{{ redis_master_password }}@127.0.2.110:26379?sentinel=kolla"
        "&sentinel_fallback=127.0.2.111:26379&sentinel_fallback=127.0.2.112:26379&db=0"
        "&socket_timeout=60&retry_on_timeout=yes&sentinel_password={{ redis_master_password }}")
BARE = GOOD.replace("&sentinel_password={{ redis_master_password }}", "")
#: (override under etc/kolla, its [coordination] backend_url) put into a copy of the healthy repo
OVERRIDES = {
    "password-mismatch": ("config/cinder.conf", GOOD.replace(":{{ redis_master_password }}@", ":old@")),
    "user-wrong": ("config/designate.conf", GOOD.replace("default:", "admin:")),
    "url-invalid": ("config/masakari.conf", GOOD.replace("db=0", "db=zero")),
    "unknown-option": ("config/cinder.conf", GOOD + "&sentinel_pasword=x"),
    "encoding": ("config/cinder.conf", GOOD.replace(":{{ redis_master_password }}@", ":%38Uv6Y4mWcQqU3tXk2fZr@")),
    "drift-per-host": ("config/cinder/ctl2/cinder.conf", GOOD.replace("&retry_on_timeout=yes", "")),
    "global-missing": ("config/global.conf", BARE),
    "template-error": ("config/mistral.conf", GOOD.replace("redis_master_password }}@", "redis_master_pasword }}@")),
    "capitals": ("config/designate.conf", BARE.replace("redis://", "REDIS://")),
    "http": ("config/designate.conf", "http://127.0.2.110:26379"),
    "blank": ("config/cinder/cinder-volume.conf", ""),
    "not-a-url": ("config/mistral.conf", "::::not a url::::"),
    "masakari-memcached": ("config/masakari.conf", "memcached://127.0.2.110:11211"),
    "etcd": ("config/cinder.conf", "etcd3+http://127.0.2.110:2379"),
}


def _copy(source, base, name):
    repo = base / name
    shutil.copytree(source, repo)
    return repo


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    """name -> (repo, release, facts, vault, auth): every example, scenario and hostile repository."""
    base = tmp_path_factory.mktemp("fixes")
    out = {p.name: (p, None, None, p / "vault-password.txt" if (p / "vault-password.txt").exists() else None, "auto")
           for p in sorted(scenarios.REPOS.iterdir()) if (p / "multinode").exists()}
    full, facts = scenarios.full(base)  # its render is the slowest (~6 s): once, with --sentinel-auth=required
    out["full"] = (full, "23.0.0", facts["23.0.0"], None, "required")
    out["leftover"] = (scenarios.leftover(base), "23.0.0", None, scenarios.REPOS / "vaulted/vault-password.txt", "auto")
    out["memcached"] = (scenarios.horizon_memcached(base), "23.0.0", None, None, "auto")
    out["profiler"] = (scenarios.profiler(base), "23.0.0", None, None, "auto")
    out["cinder-lvm"] = (scenarios.cinder_backends(base, "lvm"), "22.2.0", None, None, "auto")
    for name, (relative, value) in OVERRIDES.items():
        repo = _copy(scenarios.REPOS / "healthy", base, f"override-{name}")
        (repo / "etc/kolla" / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / "etc/kolla" / relative).write_text(f"[coordination]\nbackend_url = {value}\n")
        out[name] = (repo, None, None, None, "auto")
    unexpected = _copy(scenarios.REPOS / "healthy", base, "unexpected")  # no sentinel password; URLs mixed
    (unexpected / "etc/kolla/config/redis/redis-sentinel.conf").unlink()
    (unexpected / "etc/kolla/config/mistral.conf").write_text(f"[coordination]\nbackend_url = {BARE}\n")
    out["unexpected"] = (unexpected, None, None, None, "auto")
    query = _copy(scenarios.REPOS / "healthy", base, "password-query")  # the extras write it as it is: cut at '&'
    passwords = query / "etc/kolla/passwords.yml"
    passwords.write_text(passwords.read_text().replace("8Uv6Y4mWcQqU3tXk2fZr", '"Ab3@xY:7%40z&k=1"'))
    out["password-query"] = (query, None, None, None, "auto")
    return out


def findings(repo, release, facts, vault, auth):
    rendered = render_repo(repo / "etc/kolla", repo / "multinode", vault, release, facts)
    return consumer_findings(rendered, sentinel_auth(rendered, auth))


def report(found) -> dict:
    """--report-json's document for these findings, made by the plugin's own code (finding_record, Run, as_json)."""
    run = Run(STEPS, time.time())
    run.add({"row": "runner", "step": "config", "status": "fail", "where": "from this machine", "test": "gate",
             "findings": [finding_record(f) for f in found], "reason": None})
    return json.loads(json.dumps(as_json(run, 1)))


def repairable(document: dict) -> dict[str, list[dict]]:
    """id -> every edit its cause's structured fixes name (ids whose fix edits the repository)."""
    return {c["id"]: [e for r in c["repairs"] for e in r["edits"]] for c in document["causes"]
            if any(r["edits"] for r in c["repairs"])}


def fixed_copy(repo, edits, target):
    shutil.copytree(repo, target)
    apply_edits([dict(e, file=e["file"].replace(str(repo), str(target), 1)) for e in edits])
    return target


def takes(name, repos, tmp_path) -> set[str]:
    """Each id's edits, as the JSON report gives them, applied: the id is gone (or, where some of its findings
    have no repository fix — a sentinel config no role merges — each repaired place is gone)."""
    repo, release, facts, vault, auth = repos[name]
    found = findings(repo, release, facts, vault, auth)
    assert "repairs" in SCHEMA["properties"]["causes"]["items"]["properties"]
    todo = repairable(report(found))
    for finding_id, edits in todo.items():
        assert all(e["file"].startswith(str(repo)) for e in edits), edits
        fixed = fixed_copy(repo, edits, tmp_path / f"{name}-{finding_id}")
        after = findings(fixed, release, facts, vault, auth)
        mine = [f for f in found if f.id == finding_id]
        repaired = {f.where.file for f in mine if f.repair is not None and f.repair.edits}
        if len(repaired) == len({f.where.file for f in mine}):
            assert finding_id not in {f.id for f in after}, (name, finding_id, edits, sorted(f.id for f in after))
        else:
            assert not [f for f in after if f.id == finding_id and f.where.file in repaired], (name, finding_id)
    return set(todo)


#: the ids each repository must give a repairable finding for: together, every repairable id
EXPECTED = {"healthy": set(), "vaulted": set(), "incident": {"SENTINEL_AUTH_MISSING"},
            "runbook-fix": {"OVERRIDE_NOT_READ", "SENTINEL_AUTH_MISSING"},
            "full": {"FALLBACK_MISMATCH", "HORIZON_NO_SENTINEL_AUTH", "JOBBOARD_NO_SENTINEL_AUTH", "OVERRIDE_NOT_READ",
                     "OVERRIDE_NO_CONSUMER", "PASSWORD_MISMATCH", "REDIS_NAMES_LEFTOVER", "SENTINEL_AUTH_MISSING",
                     "URL_DRIFT", "URL_BYPASSES_SENTINEL"},
            "leftover": {"JOBBOARD_NO_SENTINEL_AUTH", "REDIS_NAMES_LEFTOVER"}, "memcached": {"REDIS_NAMES_LEFTOVER"},
            "profiler": {"OVERRIDE_NOT_READ", "URL_BYPASSES_SENTINEL"}, "cinder-lvm": {"REDIS_NAMES_LEFTOVER"},
            "password-mismatch": {"PASSWORD_MISMATCH"}, "user-wrong": {"MASTER_USER_WRONG"},
            "url-invalid": {"URL_INVALID"}, "unknown-option": {"URL_UNKNOWN_OPTION"}, "encoding": {"URL_ENCODING"},
            "password-query": {"URL_ENCODING"},
            "drift-per-host": {"URL_DRIFT"}, "global-missing": {"SENTINEL_AUTH_MISSING"},
            "template-error": {"URL_INVALID"}, "capitals": {"SENTINEL_AUTH_MISSING"}, "http": {"URL_NOT_LOADABLE"},
            "blank": {"URL_BLANK"}, "not-a-url": {"URL_NOT_LOADABLE"}, "masakari-memcached": {"BACKEND_NOT_SENTINEL"},
            "etcd": {"BACKEND_NOT_SENTINEL"}, "unexpected": {"SENTINEL_AUTH_UNEXPECTED"}}


def test_the_repositories_cover_every_repairable_id():
    assert set().union(*EXPECTED.values()) == REPAIRABLE


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fix_takes(repos, tmp_path, name):
    assert takes(name, repos, tmp_path) >= EXPECTED[name]


MERGED = ["config/global.conf", "config/cinder.conf", "config/designate.conf", "config/mistral.conf",
          "config/masakari.conf", "config/cinder/cinder-volume.conf", "config/cinder/ctl2/cinder.conf",
          "config/mistral/mistral-api.conf", "config/designate/ctl1/designate.conf"]
VALUES = st.sampled_from([GOOD, BARE, "", "http://h", "::::x::::", "memcached://h:11211", "file:///tmp/x",
                          "zookeeper://h:2181", BARE + "&sentinel_pasword=x", GOOD.replace("default:", "admin:"),
                          GOOD.replace("127.0.2.112", "127.0.2.113"), "redis://", "redis://h:26379"])
CASES_OF = st.sampled_from([str.lower, str.upper, str.title, lambda s: s])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(MERGED), VALUES, CASES_OF), min_size=1, max_size=3, unique_by=lambda t: t[0]),
       st.booleans())
def test_hostile_overrides_are_repaired(tmp_path_factory, overrides, sentinel_conf):
    base = tmp_path_factory.mktemp("hostile")
    repo = _copy(scenarios.REPOS / "healthy", base, "repo")
    if not sentinel_conf:
        (repo / "etc/kolla/config/redis/redis-sentinel.conf").unlink()
    for relative, value, case in overrides:
        scheme, sep, rest = value.partition("://")
        path = repo / "etc/kolla" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"[coordination]\nbackend_url = {case(scheme) + sep + rest if sep else value}\n")
    takes_on = {"repo": (repo, None, None, None, "auto")}
    takes("repo", takes_on, base)


def test_the_incident_fix_takes_through_the_real_gate(tmp_path):
    """The fix the gate prints for the incident, from its --report-json: applied, the same gate exits 0."""
    repo = _copy(scenarios.REPOS / "incident", tmp_path, "incident")
    args = ["-m", "config", "--configdir", str(repo / "etc/kolla"), "--inventory", str(repo / "multinode"),
            "--report-json", str(tmp_path / "report.json")]
    run = run_checklist(*args, tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 1 and "SENTINEL_AUTH_MISSING" in reported(run)
    for line in ("config/designate.conf:3: remove [coordination] backend_url", "config/masakari.conf:3: remove",
                 "config/mistral.conf:3: remove", "config/cinder/cinder-volume.conf:5: remove",
                 'set redis_connection_string_extras: "&db=0&socket_timeout=60&retry_on_timeout=yes&sentinel_password='
                 '{{ redis_master_password }}"'):
        assert line in run.stdout, line
    document = json.loads((tmp_path / "report.json").read_text())
    apply_edits([e for c in document["causes"] for r in c["repairs"] for e in r["edits"]])
    again = run_checklist(*args, tmp_path=tmp_path, cwd=tmp_path)
    assert again.returncode == 0, again.stdout[-3000:]
    assert set(reported(again)) == {"PASSWORDS_PLAINTEXT (warning)", "OVERRIDE_NOT_READ (warning)"}


# -- the fix as data, and its mechanical application -------------------------------------------------------
EXTRAS = Edit("etc/kolla/globals.yml", 12, "set", "redis_connection_string_extras", "&db=0")
REMOVE = Edit("etc/kolla/config/mistral.conf", 3, "remove", "backend_url", section="coordination", why="Kolla renders it")
REWRITE = Edit("etc/kolla/config/cinder.conf", None, "replace", "backend_url", "{{ redis_connection_string }}",
               "coordination")


def test_a_repair_prints_each_edit_then_the_command():
    repair = Repair((EXTRAS, REMOVE, REWRITE), "kolla-ansible -i INVENTORY reconfigure --tags cinder,mistral")
    assert repair.lines() == [
        'in the repository: etc/kolla/globals.yml:12: set redis_connection_string_extras: "&db=0"',
        "                   etc/kolla/config/mistral.conf:3: remove [coordination] backend_url (Kolla renders it)",
        "                   etc/kolla/config/cinder.conf: rewrite [coordination] backend_url = {{ redis_connection_string }}",
        "then: kolla-ansible -i INVENTORY reconfigure --tags cinder,mistral"]
    assert repair.as_dict()["edits"][1] == {"file": "etc/kolla/config/mistral.conf", "line": 3, "action": "remove",
                                            "key": "backend_url", "value": None, "section": "coordination"}
    assert Repair((), None).lines() == []


def test_the_lines_that_set_a_key_are_found():
    ini = "[DEFAULT]\nbackend_url = a\n[coordination]\n# backend_url = old\nbackend_url = b\n[coordination]\nbackend_url=c\n"
    assert ini_lines(ini, "coordination", "backend_url") == [5, 7] and ini_lines(ini, "DEFAULT", "backend_url") == [2]
    assert yaml_lines("a: 1\n\"redis_x\": 2\n  redis_x: nested\nredis_x : 3\n", "redis_x") == [2, 4]


def test_edits_apply_bottom_up_once_each_and_append_where_the_key_is_not(tmp_path):
    globals_yml, conf = tmp_path / "globals.yml", tmp_path / "cinder.conf"
    globals_yml.write_text("enable_redis: 'yes'\nredis_connection_string: >\n  redis://old\n  &db=0\nlast: 1\n")
    conf.write_text("[coordination]\nbackend_url = redis://x\n[DEFAULT]\ndebug = true\n")
    edits = [{"file": str(globals_yml), "line": 2, "action": "remove", "key": "redis_connection_string", "value": None,
              "section": None},
             {"file": str(globals_yml), "line": None, "action": "set", "key": "redis_connection_string_extras",
              "value": "&db=0&sentinel_password={{ redis_master_password }}", "section": None},
             {"file": str(conf), "line": 2, "action": "replace", "key": "backend_url",
              "value": "{{ redis_connection_string }}", "section": "coordination"},
             {"file": str(conf), "line": None, "action": "set", "key": "extra", "value": "1", "section": "profiler"}]
    apply_edits(edits + edits[:1])  # the same edit twice is applied once
    assert globals_yml.read_text() == ("enable_redis: 'yes'\nlast: 1\nredis_connection_string_extras: "
                                       '"&db=0&sentinel_password={{ redis_master_password }}"\n')
    assert conf.read_text() == ("[coordination]\nbackend_url = {{ redis_connection_string }}\n[DEFAULT]\ndebug = true\n"
                                "\n[profiler]\nextra = 1\n")
    new = tmp_path / "config" / "mistral.conf"
    apply_edits([{"file": str(new), "line": None, "action": "set", "key": "backend_url", "value": "x",
                  "section": "coordination"}])
    assert new.read_text() == "\n[coordination]\nbackend_url = x\n"
