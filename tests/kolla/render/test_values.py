"""coordcheck.kolla.render.values: what a rendering yields — one Record per host × service × file × option,
read from rendered files as the services' parsers read them — and the masking of what it prints."""

from coordcheck.kolla.render.values import Record, RenderError, _parse, mask, secrets


def test_mask():
    assert mask("redis://default:pw@h:26379?sentinel=kolla&sentinel_password=pw&db=0") == \
        "redis://default:***@h:26379?sentinel=kolla&sentinel_password=***&db=0"
    assert mask("secret", "jobboard_backend_password") == "***"
    assert mask("127.0.2.110,127.0.2.111", "jobboard_backend_hosts") == "127.0.2.110,127.0.2.111"


def test_every_password_the_records_carry_is_found_and_masked():
    records = [Record("ctl1", "cinder-api", "cinder.conf", "coordination", "backend_url",
                      "redis://default:n3tloc@h:26379?sentinel=kolla&sentinel_password=qu3ry"),
               Record("ctl1", "octavia-worker", "octavia.conf", "task_flow", "jobboard_backend_password", "j0bboard")]
    known = secrets(records)
    assert known == {"n3tloc", "qu3ry", "j0bboard"}
    assert mask("a log line naming j0bboard and qu3ry", known=known) == "a log line naming *** and ***"


def test_rendered_files_are_read_as_their_services_read_them(tmp_path):
    cinder = tmp_path / "ctl1" / "cinder-api"
    cinder.mkdir(parents=True)
    (cinder / "cinder.conf").write_text("[DEFAULT]\ndebug = True\n[coordination]\nbackend_url = redis://first\n"
                                        "backend_url = redis://last\n")
    horizon = tmp_path / "ctl1" / "horizon"
    horizon.mkdir()
    (horizon / "_9998-kolla-settings.py").write_text(
        "SESSION_ENGINE = 'django.contrib.sessions.backends.cache'\n"
        "CACHES = {'default': {'LOCATION': 'redis://kolla/0', 'OPTIONS': {'SENTINELS': [('10.0.2.110', 26379)]}}}\n")
    records = {(r.service, r.section, r.option): r.value for r in _parse(tmp_path)}
    assert records[("cinder-api", "coordination", "backend_url")] == "redis://last"  # the last wins, as in oslo.config
    assert ("cinder-api", "DEFAULT", "debug") not in records  # not a consumer's option
    assert records[("horizon", "CACHES['default']", "OPTIONS.SENTINELS")] == "10.0.2.110:26379"
    assert records[("horizon", "", "SESSION_ENGINE")] == "django.contrib.sessions.backends.cache"
    assert _parse(tmp_path / "nothing") == []


def test_a_render_error_says_host_service_and_place():
    error = RenderError("ctl1", "cinder-api", "config/cinder.conf:2 [coordination] backend_url", "'x' is undefined")
    assert str(error) == "ctl1 cinder-api: config/cinder.conf:2 [coordination] backend_url: 'x' is undefined"
