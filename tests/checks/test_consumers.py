"""The gate's judgement of every consumer a repository renders (coordcheck/checks/consumers.py): the
URL consumers by their loaders, what does not render, URLs with no host, and the sentinels' password."""
from coordcheck.checks.consumers import consumer_findings, loading_findings, sentinel_auth, urls_without_hosts
from coordcheck.kolla.render import render_repo
from coordcheck.kolla.render.values import Record
from tests.checks import repos

CONSUMED = {("cinder.conf", "coordination", "backend_url")}


def _record(value, host="ctl1"):
    return Record(host, "cinder-api", "cinder.conf", "coordination", "backend_url", value)


def test_each_url_is_judged_by_its_loader_one_finding_per_error():
    records = [_record(""), _record("", "ctl2"), _record("http://h"), _record("memcached://h:11211"),
               _record("redis://h:26379?sentinel=kolla")]
    found = {f.id: f for f in loading_findings(records, CONSUMED)}
    assert set(found) == {"URL_BLANK", "URL_NOT_LOADABLE", "BACKEND_NOT_SENTINEL"}
    assert [p.host for p in found["URL_BLANK"].where.all_places()] == ["ctl1", "ctl2"]
    assert "No 'tooz.backends' driver found, looking for 'http'" in found["URL_NOT_LOADABLE"].evidence
    assert found["BACKEND_NOT_SENTINEL"].severity == "warn"
    assert loading_findings(records, set()) == []  # a value no service reads is not judged


def test_urls_that_name_no_host():
    [finding] = urls_without_hosts([_record("redis://&db=0"), _record("redis://h:26379?sentinel=kolla")])
    assert finding.id == "URL_NO_HOSTS" and "1 URLs name no host" in finding.evidence


def test_the_sentinels_password_is_the_operators_word_or_the_repositorys(tmp_path):
    rendered = render_repo(repos.HEALTHY / "etc/kolla", repos.HEALTHY / "multinode")
    assert sentinel_auth(rendered, "none") == (False, "--sentinel-auth=none")
    needed, why = sentinel_auth(rendered, "auto")
    assert needed and "redis-sentinel.conf:2 sets requirepass" in why


def test_the_healthy_example_with_octavia_on_has_only_warnings(tmp_path):
    repo = repos.consumers_repo(tmp_path, valkey=False)
    rendered = render_repo(repo / "etc/kolla", repo / "multinode")
    found = consumer_findings(rendered, sentinel_auth(rendered))
    assert [f.id for f in found] == ["OVERRIDE_NOT_READ"] and found[0].severity == "warn"
