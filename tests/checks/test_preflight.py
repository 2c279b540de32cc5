"""The migration preflight and the overrides Kolla never reads (coordcheck/checks/preflight.py), on
repositories under tmp_path rendered by the built-in tables."""
from coordcheck.checks.preflight import consumer_lines, overrides, preflight, read_paths
from coordcheck.kolla.releases import release_for
from coordcheck.kolla.render import render_repo
from tests.checks import repos


def _rendered(repo, release=None):
    return render_repo(repo / "etc/kolla", repo / "multinode", None, release)


def test_consumer_lines_are_the_last_setting_of_each_consumer_option():
    text = "[coordination]\nbackend_url = a\n# backend_url = b\n[DEFAULT]\nx = 1\n[coordination]\nbackend_url = c\n"
    assert consumer_lines(text) == {("coordination", "backend_url"): 7}


def test_read_paths_are_the_files_a_role_merges():
    release = release_for("20.6.0")
    assert read_paths(release, "cinder", {"ctl1"}, "cinder/ctl1/cinder.conf") == {"cinder/ctl1/cinder.conf"}
    patterns = read_paths(release, "cinder", {"ctl1"}, "cinder/coordination.conf")
    assert "cinder/<service>.conf" in patterns and "cinder/coordination.conf" not in patterns


def test_what_octavia_reads_and_kolla_never_renders_is_read(tmp_path):
    """config/octavia.conf's jobboard_redis_sentinel_password (the catalogue's fix) and jobboard_backend_driver
    reach octavia; keystone has no [coordination] consumer: that override reaches nothing."""
    repo = repos.consumers_repo(tmp_path, valkey=False, overrides={
        "config/octavia.conf": "jobboard_backend_driver = redis_taskflow_driver\n",
        "config/keystone.conf": "[coordination]\nbackend_url = redis://x\n"})
    found = overrides(_rendered(repo))
    assert [f.where.file.rsplit("/", 1)[1] for f in found if f.id == "OVERRIDE_NO_CONSUMER"] == ["keystone.conf:2"]


def test_redis_names_on_a_valkey_only_release_are_left_over(tmp_path):
    repo = repos.consumers_repo(tmp_path, valkey=False)
    found = {f.id: f for f in preflight(_rendered(repo, "23.0.0"))}
    assert "enable_redis" in found["REDIS_NAMES_LEFTOVER"].evidence or \
        "redis_connection_string_extras" in found["REDIS_NAMES_LEFTOVER"].evidence
    assert found["OLD_PASSWORD_LEFT"].severity == "warn"
    assert not [f for f in preflight(_rendered(repo)) if f.id in ("REDIS_NAMES_LEFTOVER", "OLD_PASSWORD_LEFT")]
