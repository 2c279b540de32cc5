"""The consumer records (coordcheck/consumers.py) drive the gate, the live
discovery, the handshake's clients and the lab: checked against every
release table, and against files real kolla-ansible 23.0.0 renders (the
scenario repo with every consumer on; the rendered tree cached by content)."""
import json
import re
import subprocess
import sys
from importlib.metadata import version

import pytest
import testinfra

from coordcheck import consumers, kolla
from coordcheck.checks import containers as checks
from coordcheck.consumers import CONSUMERS, FAKED, LIVE, RECORDS
from coordcheck.findings import CATALOGUE
from coordcheck.kolla import backend_url_of
from coordcheck.kolla.releases import RELEASES
from coordcheck.kolla.render import installed as ka
from coordcheck.kolla.render.values import OPTIONS, _parse
from coordcheck.lab import containers, images
from coordcheck.lab.kolla_files import consumer_files
from coordcheck.lab.scenarios import SCENARIOS
from coordcheck.observe import handshake, tooz
from coordcheck.observe.engine import Container
from coordcheck.observe.host_configs import discover_consumers
from coordcheck.secrets import Secret
from tests.conftest import lab
from tests.kolla import oracle, scenarios

#: a consumer's own client, bounded: taskflow and django_redis retry a refusing sentinel
CLIENT_DEADLINE = 8.0


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """kolla-ansible 23.0.0's tree (<host>/<service>/<file>) of the repo with every consumer on, and its share/."""
    repo, facts = scenarios.full(tmp_path_factory.mktemp("consumers"))
    tree = oracle.tree(oracle.VALKEY_ONLY, repo, facts=facts[oracle.VALKEY_ONLY])
    venv = ka.install(oracle.VALKEY_ONLY, oracle.VENVS)
    return tree, venv / "share/kolla-ansible/ansible"


def test_the_records_cover_every_release_table():
    """Every option a release renders belongs to exactly one record, and a
    record's release range is where its options are."""
    for name, release in RELEASES.items():
        for option in release.options:
            owners = [c for c in RECORDS if option in c.options_in(release)]
            assert len(owners) == 1, (name, option, owners)
            assert getattr(option, "consumer", owners[0].table) == owners[0].table  # tables keyed by consumer name
        for c in RECORDS:
            assert bool(c.options_in(release)) == c.renders_in(name), (name, c.name)
    tables = {(o.section, o.option) for r in RELEASES.values() for o in r.options if o.parser != "django"}
    # beyond the tables: what octavia reads and Kolla never renders (the operator's override), judged all the same
    never = {CONSUMERS["octavia-jobboard"].sentinel_password} | {f"jobboard_{o}" for o in (
        "backend_driver", "redis_backend_db", "redis_sentinel_username")}
    assert OPTIONS - tables == {("task_flow", o) for o in never} and tables <= OPTIONS


def _uses_redis(c, record):
    """What the gate's records say of a live consumer: its switch is on, or a URL it reads is Redis."""
    if record.file != c.files[0]:
        return False
    if c.switch:
        return record.option == c.switch[0] and c.switch[1].lower() in record.value.lower()
    return (record.section, record.option) in c.url_options() and record.value.startswith("redis")


def test_the_gate_and_the_live_discovery_read_the_same_files(rendered):
    """On real rendered files: the consumers the live step finds on each host
    (one find per host, each record's file and pattern) are those whose
    options the gate's parser reads as using Redis/Valkey."""
    tree, _ = rendered
    records = _parse(tree)
    local = testinfra.get_host("local://")
    found, expected = set(), set()
    for host in sorted(p.name for p in tree.iterdir()):
        found |= {(host, service, c.name) for service, c, _ in discover_consumers(local, host, str(tree / host))}
    for r in records:
        expected |= {(r.host, r.service, c.name) for c in LIVE if _uses_redis(c, r)}
    assert found == expected
    assert {name for _, _, name in found} == {c.name for c in LIVE if c.renders_in("23")}
    assert {(h, s) for h, s, n in found if n == "octavia-jobboard"} >= {("ctl1", "octavia-worker")}
    urls = {(r.section, r.option) for r in records if r.value.startswith("redis") and r.file.endswith(".conf")}
    assert urls and urls <= consumers.URL_OPTIONS
    # every value the gate parsed is in a file of a record that reads it; the one exception is the
    # scenario's config/keystone/ctl2/keystone.conf, which Kolla merges and keystone never reads
    unclaimed = {(r.host, r.file, r.section, r.option) for r in records
                 if not any(r.file in c.file_names() and (r.section, r.option) in {(x.section, x.option) for x in c.reads}
                            for c in RECORDS)}
    assert unclaimed == {("ctl2", "keystone.conf", "coordination", "backend_url")}


def test_each_live_record_names_the_path_kolla_copies_its_config_to(rendered):
    """The record's in-container path is the dest of its file in Kolla's own config.json template."""
    _, share = rendered
    for c in LIVE:
        service = c.fake.service if c.fake else c.project
        template = (share / "roles" / c.project / "templates" / f"{service}.json.j2").read_text()
        for name in c.files:
            dest = re.findall(r'"dest":\s*"([^"]+)"', template)
            assert f"{c.container_dir}/{name}" in dest, (c.name, name, dest)
    inspector = (oracle.VENVS / oracle.REDIS_ERA / "share/kolla-ansible/ansible/roles/ironic/templates/"
                 "ironic-inspector.json.j2")
    if inspector.is_file():  # the Redis-era venv, installed by the agreement tests
        assert f'"dest": "{CONSUMERS["ironic"].path_inside}"' in inspector.read_text()
    assert consumers.path_in_container("cinder.conf", "cinder") == "/etc/cinder/cinder.conf"


def test_the_handshake_runs_the_client_the_record_names(tmp_path):
    """The script (self-contained, no coordcheck inside) takes the client and its
    libraries from the record's params: here gnocchi's client, in a Python without gnocchi (with the
    oslo.config coordcheck itself needs: the script reports the version it finds)."""
    assert {c.client for c in LIVE} <= set(handshake.CLIENTS)
    assert "coordcheck" not in re.findall(r"^\s*(?:from|import) (\w+)", tooz.SOURCE, re.M)
    config = tmp_path / "gnocchi.conf"
    config.write_text("[incoming]\nredis_url = redis://127.0.0.1:1\n")
    c = CONSUMERS["gnocchi"]
    params = tooz.params(1.0, 5.0, config=str(config), **c.params())
    done = subprocess.run([sys.executable, "-"], input=tooz.script(params), capture_output=True, text=True, timeout=60)
    result = tooz.parse_result(done.stdout, [])
    assert result.consumer == "gnocchi" and set(result.libraries) == set(c.libraries)
    assert not result.ok and "gnocchi" in result.error and result.stage == "config"
    assert json.loads(done.stdout)["libraries"] == {"gnocchi": None, "oslo.config": version("oslo.config")}


def test_the_lab_fakes_each_record():
    url = Secret("redis://default:lab-Pw-7@127.0.2.110:26379?sentinel=kolla&sentinel_password=lab-Pw-7", by_value=False)
    password = Secret("lab-Pw-7")
    assert set(containers.CONSUMER_PLACEMENT) == {c.fake.host for c in FAKED.values()}
    for c in FAKED.values():
        fixed = consumer_files(c, url, password, ["127.0.2.110"])
        stock = consumer_files(c, url, password, ["127.0.2.110"], sentinel_password=False)
        assert list(fixed) == list(stock) == list(c.files)
        assert c.sentinel_password in "".join(fixed.values())
        assert c.sentinel_password not in "".join(stock.values()).replace(url.reveal(), "")
        config = json.loads(containers.consumer_config_json(c, list(fixed)))
        assert config["config_files"][0]["dest"] == c.path_inside
        assert config["command"].split()[2:] == [c.name, c.client, c.project, c.path_inside, c.fake.service]
        scenario = SCENARIOS[c.fake.scenario]
        assert scenario.finding == c.missing_auth and scenario.where == (c.fake.host, c.fake.container)
        assert set(c.fake.packages + c.fake.no_deps) <= set(images.CONSUMER_PINS + images.CONSUMER_NO_DEPS)


def test_every_record_has_its_routines():
    """A record names its routines; each exists where it runs: the gate's judge of a
    value that is not a URL, the handshake's client, the lab's files of a fake."""
    from coordcheck.checks.consumers import JUDGES
    from coordcheck.lab.kolla_files import BUILDERS
    assert {c.parser for c in RECORDS if not c.url_options()} <= set(JUDGES)
    assert {c.client for c in RECORDS} <= set(handshake.CLIENTS) | {"tooz"}
    assert {c.name for c in FAKED.values()} <= set(BUILDERS)
    assert all(c.uses_redis and c.files for c in LIVE)


def test_the_catalogue_names_each_records_cause_and_fix():
    for c in RECORDS:
        assert c.missing_auth in CATALOGUE, c.name
        if c.missing_auth != "SENTINEL_AUTH_MISSING":  # a cause of its own: its fix names the file and the setting
            fix = CATALOGUE[c.missing_auth].fix
            assert f"config/{c.fix_file}" in fix and c.sentinel_password in fix, c.name


def test_a_live_consumer_is_found_by_its_file_and_the_fakes_are_named_in_a_sentence():
    assert all(consumers.by_file(c.files[0]) is c for c in LIVE)
    assert consumers.by_file("nova.conf") is None
    assert consumers.names([CONSUMERS["gnocchi"]]) == "gnocchi"
    projects = [c.project for c in FAKED.values()]
    assert consumers.names() == ", ".join(projects[:-1]) + " and " + projects[-1]
    assert consumers.path_in_container("inspector.conf", "ironic") == CONSUMERS["ironic"].path_inside


@pytest.fixture(scope="module")
def sentinels(tmp_path_factory):
    """A lab whose sentinels require a password (processes, a range of its own)."""
    with lab(tmp_path_factory.mktemp("sentinels") / "kolla") as made:
        yield made


@pytest.mark.parametrize("name", [c.name for c in FAKED.values()])
def test_each_records_own_client_in_its_image_names_its_cause(sentinels, tmp_path, name):
    """The live step as the record drives it, with the consumer's real libraries
    (coordcheck/service:consumers, a throwaway container) against real
    sentinels: the lab's files for the record at its in-container path, its
    client and libraries from its params; fixed it passes, as stock Kolla
    renders it the check names the record's missing-auth id."""
    c = CONSUMERS[name]
    hosts = list(sentinels.hosts.values())
    fixed_conf = sentinels.root / "ctl1" / "cinder-volume" / "cinder.conf"
    fixed = Secret(backend_url_of(fixed_conf.read_text(), str(fixed_conf)), by_value=False)
    incident = kolla.connection_string(kolla.FLAVORS["redis"], hosts, sentinels.password)
    results = {}
    for label, url, with_password in (("fixed", fixed, True), ("stock", incident, False)):
        folder = tmp_path / label
        folder.mkdir()
        for file_name, text in consumer_files(c, url, sentinels.password, hosts, with_password).items():
            (folder / file_name).write_text(text)
        script = tooz.script(tooz.params(2.0, CLIENT_DEADLINE, config=c.path_inside, **c.params()))
        done = containers.python_in("docker", c.fake.image, script, CLIENT_DEADLINE + tooz.START_ALLOWANCE,
                                    {str(folder): c.container_dir})
        results[label] = tooz.outcome(done.stdout, done.stderr, done.rc, CLIENT_DEADLINE, [sentinels.password], c.name)
    assert results["fixed"].ok, results["fixed"]
    assert set(results["fixed"].libraries) == set(c.libraries) and all(results["fixed"].libraries.values())
    container = checks.ConsumerContainer(c.fake.host, c.fake.service, c, f"/etc/kolla/{c.fake.service}/{c.files[0]}",
                                         c.fake.container, Container(c.fake.container, "running", c.fake.image))
    assert checks.consumer_findings(container, results["fixed"], True) == []
    [cause] = checks.consumer_findings(container, results["stock"], True)
    assert cause.id == c.missing_auth and c.lacks in cause.evidence, cause
    assert sentinels.password.reveal() not in cause.render()
