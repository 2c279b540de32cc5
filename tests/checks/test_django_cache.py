"""horizon's CACHES['default'] judged the way Django and django_redis load it
(coordcheck/checks/django_cache.py): the rendered records, the operator's custom settings read with ast
(never run), then real redis-py builds the Sentinel and the pool django_redis would (no connection)."""
import pytest

from coordcheck.checks import django_cache

#: CACHES['default'] as Kolla's _9998-kolla-settings.py renders it (2026.1+), flattened as the gate's records hold it
STOCK = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://kolla/0",
         "OPTIONS.CLIENT_CLASS": "django_redis.client.SentinelClient",
         "OPTIONS.CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
         "OPTIONS.SENTINELS": "10.0.2.110:26379,10.0.2.111:26379", "OPTIONS.PASSWORD": "pw",
         "OPTIONS.CONNECTION_POOL_KWARGS.retry_on_timeout": "true", "OPTIONS.IGNORE_EXCEPTIONS": "false"}


def after(custom: str) -> dict:
    return django_cache.with_custom(django_cache.rendered_cache(STOCK), django_cache.custom_assignments(custom))


def test_the_records_unflatten_to_the_settings_kolla_writes():
    cache = django_cache.rendered_cache(STOCK)
    assert cache["OPTIONS"]["SENTINELS"] == [("10.0.2.110", 26379), ("10.0.2.111", 26379)]
    assert cache["OPTIONS"]["CONNECTION_POOL_KWARGS"] == {"retry_on_timeout": True}
    assert cache["OPTIONS"]["IGNORE_EXCEPTIONS"] is False and cache["LOCATION"] == "redis://kolla/0"


@pytest.mark.parametrize("custom, kind, key, says", [
    ("", "sentinel", None, ""),
    ("CACHES['default']['LOCATION'] = 'memcached://10.0.2.110:11211'", "not_loadable", "LOCATION",
     "ValueError: Redis URL must specify one of the following schemes (redis://, rediss://, unix://)"),
    ("CACHES['default']['LOCATION'] = 'REDIS://kolla/0'", "not_loadable", "LOCATION", "must specify one of"),
    ("CACHES['default']['LOCATION'] = 'redis:///0'", "blank", "LOCATION", "No master found for None"),
    ("CACHES['default']['LOCATION'] = ''", "blank", "LOCATION", "ImproperlyConfigured: Missing connections string"),
    ("CACHES['default']['OPTIONS']['SENTINELS'] = ['10.0.2.110:26379']", "not_loadable", "OPTIONS.SENTINELS",
     "redis-py's Sentinel(SENTINELS): ValueError: too many values to unpack (expected 2)"),
    ("CACHES['default']['OPTIONS']['SENTINELS'] = []", "blank", "OPTIONS.SENTINELS",
     "SENTINELS must be provided as a list of (host, port)."),
    ("CACHES['default']['OPTIONS']['CONNECTION_FACTORY'] = 'django_redis.pool.ConnectionFactory'", "not_loadable",
     "OPTIONS.CONNECTION_FACTORY", "CACHE[].OPTIONS.CONNECTION_POOL_CLASS is not configured correctly."),
    ("CACHES['default']['OPTIONS']['CLIENT_CLASS'] = 'django_redis.client.DefaultClient'", "bypass",
     "OPTIONS.CLIENT_CLASS", "DefaultClient connects to LOCATION's host as a Redis server"),
    ("CACHES = {'default': {'BACKEND': 'django.core.cache.backends.memcached.PyMemcacheCache',\n"
     "                      'LOCATION': ['10.0.2.110:11211']}}", "other_backend", "BACKEND", "memcached (pymemcache)"),
    ("CACHES['default']['BACKEND'] = 'django.core.cache.backends.redis.RedisCache'", "bypass", "BACKEND",
     "Django's own RedisCache connects to LOCATION's servers"),
    ("CACHES['default']['BACKEND'] = ''", "blank", "BACKEND", "Could not find backend ''"),
])
def test_each_value_class_gets_django_redis_words(custom, kind, key, says):
    verdict = django_cache.judge_cache(repr(after(custom)))
    assert verdict.kind == kind and says in verdict.error, verdict
    assert verdict.options == ((key,) if key else ())


def test_the_sentinels_and_their_password_are_what_the_settings_end_with():
    cache = after("CACHES['default']['OPTIONS']['SENTINEL_KWARGS'] = {'password': '{{ valkey_master_password }}'}")
    assert cache["OPTIONS"]["SENTINEL_KWARGS"] == {"password": "{{ valkey_master_password }}"}
    assert django_cache.judge_cache(repr(cache)).value == "10.0.2.110:26379,10.0.2.111:26379"


def test_custom_assignments_name_their_keys_and_lines():
    text = "import os\nDEBUG = False\nCACHES['default']['OPTIONS']['SENTINELS'] = [\n    ('h', 26379),\n]\n"
    [assignment] = django_cache.custom_assignments(text)
    assert assignment.path == ("CACHES", "default", "OPTIONS", "SENTINELS") and assignment.lines == (3, 4, 5)
    assert assignment.value == [("h", 26379)]


@pytest.mark.parametrize("text", ["CACHES['default']['OPTIONS'].update(EXTRA)", "CACHES = make_caches()",
                                  "CACHES['default'][KEY] = 1", "{% if enable_valkey %}x = 1{% endif %}"])
def test_a_cache_the_gate_cannot_read_without_running_it_is_unknown(text):
    assert django_cache.custom_assignments(text) is None
