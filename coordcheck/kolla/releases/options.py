"""The consumer options Kolla renders, as rows of data keyed by consumer
name ("tooz", "gnocchi", "octavia-jobboard", "horizon", "osprofiler"):
per project the file, section and option, its value and its condition as
the Jinja of Kolla's template (``{p}``: the project), and the point
releases (a range, coordcheck.kolla.releases.points) that render it so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    consumer: str
    section: str
    option: str
    value: str  # Jinja
    when: str = "true"  # Jinja expression
    releases: str = "19.0.0-"  # a point-release range: "A-B" or "A-"


#: The parser that reads each consumer's options (how the checks judge them).
PARSERS = {"tooz": "tooz", "gnocchi": "gnocchi", "octavia-jobboard": "taskflow", "horizon": "django",
           "osprofiler": "osprofiler"}
#: Consumer -> project -> (file, the only services that render it or ()) and the point releases it is rendered in.
PROJECTS = {
    "tooz": {"cinder": ("cinder.conf", (), "19.0.0-"), "designate": ("designate.conf", (), "19.0.0-"),
             "masakari": ("masakari.conf", ("masakari-api",), "19.0.0-"), "mistral": ("mistral.conf", (), "19.0.0-"),
             "ironic": ("inspector.conf", (), "19.0.0-20.6.0")},  # ironic-inspector left in 2025.2
    "gnocchi": {"gnocchi": ("gnocchi.conf", (), "19.0.0-")},
    "octavia-jobboard": {"octavia": ("octavia.conf", (), "19.0.0-")},
    "horizon": {"horizon": ("_9998-kolla-settings.py", (), "22.0.0-")},  # django_redis from 2026.1
    "osprofiler": {p: (f"{p}.conf" if p != "glance" else "glance-api.conf", (), "19.0.0-" if p != "zun" else "19.0.0-21.3.0")
                   for p in "cinder glance heat keystone magnum mistral neutron nova placement trove zun".split()},
}

REDIS, VALKEY = "{{ redis_connection_string }}", "{{ valkey_connection_string }}"
EITHER = "{{ valkey_connection_string if %s else redis_connection_string }}"
BACKEND = "{p}_coordination_backend"
#: The [coordination] backend_url of cinder, designate, masakari (api), ironic-inspector; mistral always.
TOOZ = (
    Row("tooz", "coordination", "backend_url", REDIS, f"{BACKEND} == 'redis'", "19.0.0-20.3.0"),
    Row("tooz", "coordination", "backend_url", EITHER % f"{BACKEND} == 'valkey'",
        f"{BACKEND} in ['valkey', 'redis']", "20.4.0-20.6.0"),
    Row("tooz", "coordination", "backend_url", VALKEY, f"{BACKEND} == 'valkey'", "21.0.0-"),
)
MISTRAL = (  # rendered always, even with no flavor on (then the URL names no host)
    Row("tooz", "coordination", "backend_url", REDIS, "true", "19.0.0-20.3.0"),
    Row("tooz", "coordination", "backend_url", EITHER % "enable_valkey | bool", "true", "20.4.0-20.6.0"),
    Row("tooz", "coordination", "backend_url", VALKEY, "true", "21.0.0-"),
)
GNOCCHI = (
    Row("gnocchi", "DEFAULT", "coordination_url", REDIS, "enable_redis | bool", "19.0.0-20.3.0"),
    Row("gnocchi", "DEFAULT", "coordination_url", EITHER % "enable_valkey | bool",
        "enable_valkey | bool or enable_redis | bool", "20.4.0-20.6.0"),
    Row("gnocchi", "DEFAULT", "coordination_url", VALKEY, "enable_valkey | bool", "21.0.0-"),
    Row("gnocchi", "incoming", "redis_url", REDIS, "gnocchi_incoming_storage == 'redis'", "19.0.0-20.3.0"),
    Row("gnocchi", "incoming", "redis_url", EITHER % "gnocchi_incoming_storage == 'valkey'",
        "gnocchi_incoming_storage in ['valkey', 'redis']", "20.4.0-20.6.0"),
    Row("gnocchi", "incoming", "redis_url", VALKEY, "gnocchi_incoming_storage == 'valkey'", "21.0.0-"),
)
JOBBOARD_ON = "enable_octavia_jobboard | bool"
HOSTS = ("{% for host in groups['F'] %}{{ 'api' | kolla_address(host) | put_address_in_context('url') }}"
         "{% if not loop.last %},{% endif %}{% endfor %}")
DUAL = "{% if enable_valkey | bool %}V{% else %}R{% endif %}"


def _either(valkey: str, redis: str) -> str:
    return DUAL.replace("V", valkey).replace("R", redis)


OCTAVIA = (
    Row("octavia-jobboard", "task_flow", "jobboard_enabled", "true", JOBBOARD_ON),
    # up to 19.3.0: the data port of the Redis hosts, the password in quotes, no sentinel
    Row("octavia-jobboard", "task_flow", "jobboard_backend_hosts", HOSTS.replace("F", "redis"), JOBBOARD_ON, "19.0.0-19.3.0"),
    Row("octavia-jobboard", "task_flow", "jobboard_backend_password", '"{{ redis_master_password }}"', JOBBOARD_ON,
        "19.0.0-19.3.0"),
    Row("octavia-jobboard", "task_flow", "jobboard_backend_port", '"{{ redis_port }}"', JOBBOARD_ON, "19.0.0-19.3.0"),
    *(Row("octavia-jobboard", "task_flow", f"jobboard_backend_{k}", v.replace("F", "redis"), JOBBOARD_ON, "19.4.0-20.3.0")
      for k, v in (("hosts", HOSTS), ("password", "{{ F_master_password }}"), ("port", "{{ F_sentinel_port }}"))),
    *(Row("octavia-jobboard", "task_flow", f"jobboard_backend_{k}", _either(v.replace("F", "valkey"), v.replace("F", "redis")),
          f"{JOBBOARD_ON} and (enable_valkey | bool or enable_redis | bool)", "20.4.0-20.6.0")
      for k, v in (("hosts", HOSTS), ("password", "{{ F_master_password }}"), ("port", "{{ F_sentinel_port }}"))),
    *(Row("octavia-jobboard", "task_flow", f"jobboard_backend_{k}", v.replace("F", "valkey"), JOBBOARD_ON, "21.0.0-")
      for k, v in (("hosts", HOSTS), ("password", "{{ F_master_password }}"), ("port", "{{ F_sentinel_port }}"))),
    Row("octavia-jobboard", "task_flow", "jobboard_backend_username", "default", JOBBOARD_ON, "19.4.0-"),
    *(Row("octavia-jobboard", "task_flow", f"jobboard_redis_{k}_ssl_options", "ssl:False", JOBBOARD_ON, "19.4.0-")
      for k in ("backend", "sentinel")),
    Row("octavia-jobboard", "task_flow", "jobboard_redis_sentinel", "kolla", JOBBOARD_ON, "19.4.0-20.6.0"),
    Row("octavia-jobboard", "task_flow", "jobboard_redis_sentinel", "{{ valkey_sentinel_monitor_name }}", JOBBOARD_ON,
        "21.0.0-"),
)
#: [profiler] connection_string of every profiled project: the flavor's URL when osprofiler_backend names it.
OSPROFILER = (
    Row("osprofiler", "profiler", "connection_string", "{{ osprofiler_backend_connection_string }}",
        "enable_osprofiler | bool and osprofiler_backend == 'redis'", "19.0.0-20.3.0"),
    Row("osprofiler", "profiler", "connection_string", "{{ osprofiler_backend_connection_string }}",
        "enable_osprofiler | bool and osprofiler_backend in ['redis', 'valkey']", "20.4.0-"),
)
_VALKEY = "horizon_session_cache_backend == 'valkey' and not horizon_backend_database | bool"
_MEMCACHED = "horizon_session_cache_backend == 'memcached' and not horizon_backend_database | bool"
_CACHE = "CACHES['default']"
_SENTINELS = ("{% for host in groups['valkey'] %}{{ 'api' | kolla_address(host) | put_address_in_context('url') }}"
              ":{{ valkey_sentinel_port }}{% if not loop.last %},{% endif %}{% endfor %}")
_MEMCACHED_HOSTS = ('[{% for host in groups["memcached"] %}"{{ "api" | kolla_address(host) | '
                    'put_address_in_context("url") }}:{{ memcached_port }}"{% if not loop.last %}, {% endif %}'
                    '{% endfor %}]')
#: horizon's django_redis cache (``section`` is the settings' dict, ``option`` its key path).
HORIZON = (
    Row("horizon", "", "SESSION_ENGINE", "django.contrib.sessions.backends.db", "horizon_backend_database | bool"),
    Row("horizon", "", "SESSION_ENGINE", "django.contrib.sessions.backends.cache", f"({_VALKEY}) or ({_MEMCACHED})"),
    *(Row("horizon", _CACHE, o, v, _VALKEY) for o, v in (
        ("BACKEND", "django_redis.cache.RedisCache"), ("LOCATION", "redis://{{ valkey_sentinel_monitor_name }}/0"),
        ("OPTIONS.CLIENT_CLASS", "django_redis.client.SentinelClient"),
        ("OPTIONS.CONNECTION_FACTORY", "django_redis.pool.SentinelConnectionFactory"),
        ("OPTIONS.SENTINELS", _SENTINELS), ("OPTIONS.PASSWORD", "{{ valkey_master_password }}"),
        ("OPTIONS.CONNECTION_POOL_KWARGS.retry_on_timeout", "true"), ("OPTIONS.IGNORE_EXCEPTIONS", "false"))),
    *(Row("horizon", _CACHE, o, v, _MEMCACHED) for o, v in (
        ("BACKEND", "django.core.cache.backends.memcached.PyMemcacheCache"), ("LOCATION", _MEMCACHED_HOSTS),
        ("OPTIONS.ignore_exc", "true"))),
)
#: consumer -> project -> its rows (a project absent here renders the consumer's shared rows).
ROWS = {"tooz": {"*": TOOZ, "mistral": MISTRAL}, "gnocchi": {"*": GNOCCHI}, "octavia-jobboard": {"*": OCTAVIA},
        "horizon": {"*": HORIZON}, "osprofiler": {"*": OSPROFILER}}


def rows_of(consumer: str, project: str) -> tuple[Row, ...]:
    table = ROWS[consumer]
    return table.get(project, table["*"])
