"""Kolla-Ansible releases as data: each one's Sentinel flavor, the defaults
(Jinja, as its group_vars and role defaults spell them) and the consumers —
which service, file, section and option, rendered when.

Transcribed from the installed packages (share/kolla-ansible/ansible) and
proven against them by tests/kolla/test_agreement.py (20.3.0, 23.0.0).

    >>> release_for("2025.1").name, release_for("23.0.0").flavor
    ('20', 'valkey')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coordcheck.kolla import DEFAULT_EXTRAS, KollaError
from coordcheck.kolla.service_groups import Service, _services, profiled_defaults, profiled_services

SERIES = {"19": "2024.2", "20": "2025.1", "21": "2025.2", "22": "2026.1", "23": "2026.2"}
#: Releases whose tables were compared option by option with a real install.
PROVEN = {"20": "20.3.0", "23": "23.0.0"}
#: Checked against an install's templates and defaults, not rendered end to end.
READ = {"19": "19.8.0", "21": "21.3.0", "22": "22.2.0"}
#: tooz and redis-py in each release's images (OpenStack upper-constraints of its series).
CLIENTS = {"19": ("6.3.0", "5.0.8"), "20": ("6.3.0", "5.2.1"), "21": ("7.0.0", "6.2.0"), "22": ("8.1.0", "7.2.0"),
           "23": ("9.0.1", "8.1.0")}


@dataclass(frozen=True)
class Option:
    """One consumer option: rendered into ``file`` of every service in
    ``services`` (empty: all of the project) when ``when`` holds."""

    project: str
    file: str
    section: str
    option: str
    value: str
    when: str = "true"
    services: tuple[str, ...] = ()
    parser: str = "tooz"  # tooz | gnocchi | taskflow | django | osprofiler


@dataclass(frozen=True)
class Release:
    name: str  # the major version: 19 ... 23
    flavor: str  # redis | valkey
    services: dict[str, tuple[Service, ...]]  # project -> services
    options: tuple[Option, ...]
    defaults: dict[str, str] = field(default_factory=dict)
    enable: dict[str, str] = field(default_factory=dict)  # project -> the site.yml switch
    files: dict[str, str] = field(default_factory=dict)  # project -> its config file

    @property
    def series(self) -> str:
        return SERIES[self.name]

    @property
    def status(self) -> str:
        if self.name in PROVEN:
            return f"proven against kolla-ansible {PROVEN[self.name]}"
        return f"read from kolla-ansible {READ[self.name]}'s templates"

    @property
    def clients(self) -> str:
        tooz, redis_py = CLIENTS[self.name]
        return f"kolla-ansible {self.name}.x ({self.series}) ships tooz {tooz} and redis-py {redis_py}"

    def redis_py_below(self, major: int) -> bool:
        return int(CLIENTS[self.name][1].split(".")[0]) < major

    def services_of(self, project: str) -> tuple[Service, ...]:
        return self.services.get(project, ())


def _connection_string(f: str, monitor: str) -> str:
    address = "'api' | kolla_address(host) | put_address_in_context('url')"
    return (f"redis://{{% for host in groups['{f}'] %}}{{% if host == groups['{f}'][0] %}}default:"
            f"{{{{ {f}_master_password }}}}@{{{{ {address} }}}}:{{{{ {f}_sentinel_port }}}}?sentinel={monitor}"
            f"{{% else %}}&sentinel_fallback={{{{ {address} }}}}:{{{{ {f}_sentinel_port }}}}{{% endif %}}"
            f"{{% endfor %}}{{{{ {f}_connection_string_extras }}}}")


def _build(name: str) -> Release:
    major = int(name)
    f = "redis" if major <= 20 else "valkey"
    monitor = "kolla" if f == "redis" else "{{ valkey_sentinel_monitor_name }}"
    url = f"{{{{ {f}_connection_string }}}}"
    backend = f"'{f}' if enable_{f} | bool else 'etcd' if enable_etcd | bool else ''"
    hosts = (f"{{% for host in groups['{f}'] %}}{{{{ 'api' | kolla_address(host) | put_address_in_context('url') }}}}"
             "{% if not loop.last %},{% endif %}{% endfor %}")
    defaults = {
        f"enable_{f}": "no", "enable_etcd": "no", "enable_openstack_core": "yes", "enable_memcached": "yes",
        "network_interface": "eth0", "api_interface": "{{ network_interface }}", "api_address_family": "ipv4",
        f"{f}_sentinel_port": "26379", f"{f}_connection_string_extras": DEFAULT_EXTRAS,
        f"{f}_connection_string": _connection_string(f, monitor), "valkey_sentinel_monitor_name": "kolla",
        "cinder_coordination_backend": f"{{{{ {backend} }}}}",
        "masakari_coordination_backend": f"{{{{ {backend} }}}}",
        "ironic_coordination_backend": f"{{{{ {backend} }}}}",
        "designate_coordination_backend": f"{{{{ '{f}' if enable_{f} | bool else '' }}}}",
        "gnocchi_incoming_storage": f"{{{{ '{f}' if enable_{f} | bool else '' }}}}",
        "designate_backend": "bind9", "designate_enable_notifications_sink": "no", "enable_cinder_backup": "yes",
        "enable_cinder_backend_lvm": "no", "enable_gnocchi_statsd": "no", "enable_ironic_inspector": "no",
        "neutron_plugin_agent": "openvswitch",
        "octavia_provider_drivers": "amphora:Amphora provider{% if neutron_plugin_agent == 'ovn' %}, ovn:OVN provider{% endif %}",
        "enable_octavia_jobboard": "{{ enable_octavia | bool and 'amphora' in octavia_provider_drivers }}",
        "enable_octavia_driver_agent": "{{ enable_octavia | bool and neutron_plugin_agent == 'ovn' }}",
        "enable_osprofiler": "no", "osprofiler_backend": "elasticsearch",
        "osprofiler_backend_connection_string": (f"{{{{ {f}_connection_string if osprofiler_backend == 'redis' else '' }}}}"
                                                 if f == "redis" else
                                                 "{{ valkey_connection_string if osprofiler_backend in ['redis', 'valkey'] else '' }}"),
        "horizon_backend_database": "no", "memcached_port": "11211", "enable_keystone_federation": "no",
        "horizon_session_cache_backend": "{{ 'valkey' if enable_valkey | bool else 'memcached' if enable_memcached | bool else 'disabled' }}",
    }
    defaults.update({f"enable_{p}": "no" for p in ("cinder", "designate", "masakari", "mistral", "gnocchi",
                                                    "octavia", "ironic", "zun", "magnum", "trove")})
    defaults.update(enable_keystone="{{ enable_openstack_core | bool }}",
                    enable_horizon="{{ enable_openstack_core | bool }}")
    defaults.update(profiled_defaults(major))
    group_lvm = "'cinder-{0}-multiple' if (cinder_enabled_backends_count | int > 1 and enable_cinder_backend_lvm | bool) " \
                "else 'cinder-{0}-lvm' if enable_cinder_backend_lvm | bool else 'cinder-{0}'"
    cinder = [Service("cinder-api", "cinder-api"), Service("cinder-scheduler", "cinder-scheduler"),
              Service("cinder-volume", "cinder-volume"),
              Service("cinder-backup", "cinder-backup", "{{ enable_cinder_backup | bool }}")]
    if major >= 22:  # 2026.1+: volume/backup groups follow the LVM backend and how many backends are on
        cinder[2:] = [Service("cinder-volume", "{{ %s }}" % group_lvm.format("volume")),
                      Service("cinder-backup", "{{ %s }}" % group_lvm.format("backup"), "{{ enable_cinder_backup | bool }}")]
        # cinder_enabled_backends: the cinder_backends and cinder_ceph_backends whose switch is on (counted here)
        switches = [f"enable_cinder_backend_{b}" for b in "lvm nfs quobyte pure_iscsi pure_fc pure_roce pure_nvme_tcp "
                    "lightbits".split() + ["vast"] * (major >= 23)] + ["cinder_backend_ceph"]
        defaults.update({switch: "no" for switch in switches})
        defaults["cinder_enabled_backends_count"] = "{{ [%s] | map('bool') | select | list | length }}" % ", ".join(switches)
    services = {
        "cinder": tuple(cinder),
        "designate": (Service("designate-api", "designate-api"),
                      Service("designate-backend-bind9", "designate-backend-bind9", "{{ designate_backend == 'bind9' }}"),
                      *_services("designate", "central mdns producer worker"),
                      Service("designate-sink", "designate-sink", "{{ designate_enable_notifications_sink | bool }}")),
        "masakari": _services("masakari", "api engine"),
        "mistral": _services("mistral", "api engine event-engine executor"),
        "gnocchi": _services("gnocchi", "api metricd") + (
            Service("gnocchi-statsd", "gnocchi-statsd", "{{ enable_gnocchi_statsd | bool }}"),),
        "octavia": (Service("octavia-api", "octavia-api"),
                    Service("octavia-driver-agent", "octavia-driver-agent", "{{ enable_octavia_driver_agent | bool }}"),
                    *_services("octavia", "health-manager housekeeping worker")),
        "keystone": (Service("keystone" if major <= 22 else "keystone-api", "keystone"),
                     Service("keystone-fernet", "keystone")),
        "horizon": (Service("horizon", "horizon"),),
    } | profiled_services(major)
    files = {p: f"{p}.conf" for p in services} | {"horizon": "_9998-kolla-settings.py", "glance": "glance-api.conf"}
    enable = {p: f"enable_{p}" for p in services}
    options = [
        Option("cinder", "cinder.conf", "coordination", "backend_url", url, f"cinder_coordination_backend == '{f}'"),
        Option("designate", "designate.conf", "coordination", "backend_url", url,
               f"designate_coordination_backend == '{f}'"),
        Option("masakari", "masakari.conf", "coordination", "backend_url", url,
               f"masakari_coordination_backend == '{f}'", ("masakari-api",)),
        Option("mistral", "mistral.conf", "coordination", "backend_url", url),  # always: even with no hosts
        Option("gnocchi", "gnocchi.conf", "DEFAULT", "coordination_url", url, f"enable_{f} | bool", parser="gnocchi"),
        Option("gnocchi", "gnocchi.conf", "incoming", "redis_url", url, f"gnocchi_incoming_storage == '{f}'",
               parser="gnocchi"),
    ]
    jobboard = {"backend_hosts": hosts, "backend_password": f"{{{{ {f}_master_password }}}}",
                "backend_port": f"{{{{ {f}_sentinel_port }}}}", "backend_username": "default", "enabled": "true",
                "redis_sentinel": monitor}
    options += [Option("octavia", "octavia.conf", "task_flow", f"jobboard_{k}", v, "enable_octavia_jobboard | bool",
                       parser="taskflow") for k, v in jobboard.items()]
    if major <= 20:  # ironic-inspector left in 2025.2
        services["ironic"] = (Service("ironic-inspector", "ironic-inspector", "{{ enable_ironic_inspector | bool }}"),)
        files["ironic"], enable["ironic"] = "inspector.conf", "enable_ironic"
        options.append(Option("ironic", "inspector.conf", "coordination", "backend_url", url,
                              f"ironic_coordination_backend == '{f}'"))
    profiled = "cinder glance heat keystone magnum mistral neutron nova placement trove" + (" zun" if major <= 21 else "")
    options += [Option(p, files[p], "profiler", "connection_string", "{{ osprofiler_backend_connection_string }}",
                       f"enable_osprofiler | bool and osprofiler_backend in ['redis', '{f}']", parser="osprofiler")
                for p in profiled.split()]
    if major >= 22:  # horizon's django_redis cache
        options += _horizon()
    return Release(name, f, services, tuple(options), defaults, enable, files)


def _horizon() -> list[Option]:
    cache = "CACHES['default']"
    valkey = "horizon_session_cache_backend == 'valkey' and not horizon_backend_database | bool"
    memcached = "horizon_session_cache_backend == 'memcached' and not horizon_backend_database | bool"
    sentinels = ("{% for host in groups['valkey'] %}{{ 'api' | kolla_address(host) | put_address_in_context('url') }}"
                 ":{{ valkey_sentinel_port }}{% if not loop.last %},{% endif %}{% endfor %}")
    memcached_hosts = ('[{% for host in groups["memcached"] %}"{{ "api" | kolla_address(host) | '
                       'put_address_in_context("url") }}:{{ memcached_port }}"{% if not loop.last %}, {% endif %}'
                       '{% endfor %}]')
    out = [Option("horizon", "_9998-kolla-settings.py", "", "SESSION_ENGINE", "django.contrib.sessions.backends.db",
                  "horizon_backend_database | bool", parser="django"),
           Option("horizon", "_9998-kolla-settings.py", "", "SESSION_ENGINE", "django.contrib.sessions.backends.cache",
                  f"({valkey}) or ({memcached})", parser="django")]
    for option, value in (("BACKEND", "django_redis.cache.RedisCache"),
                          ("LOCATION", "redis://{{ valkey_sentinel_monitor_name }}/0"),
                          ("OPTIONS.CLIENT_CLASS", "django_redis.client.SentinelClient"),
                          ("OPTIONS.CONNECTION_FACTORY", "django_redis.pool.SentinelConnectionFactory"),
                          ("OPTIONS.SENTINELS", sentinels), ("OPTIONS.PASSWORD", "{{ valkey_master_password }}"),
                          ("OPTIONS.CONNECTION_POOL_KWARGS.retry_on_timeout", "true"),
                          ("OPTIONS.IGNORE_EXCEPTIONS", "false")):
        out.append(Option("horizon", "_9998-kolla-settings.py", cache, option, value, valkey, parser="django"))
    for option, value in (("BACKEND", "django.core.cache.backends.memcached.PyMemcacheCache"),
                          ("LOCATION", memcached_hosts), ("OPTIONS.ignore_exc", "true")):
        out.append(Option("horizon", "_9998-kolla-settings.py", cache, option, value, memcached, parser="django"))
    return out


RELEASES = {name: _build(name) for name in SERIES}
LATEST = max(RELEASES)


def release_for(version: str | None) -> Release:
    """``openstack_release`` or a kolla-ansible version: 2025.1, 20.3.0, 20, master."""
    text = str(version or "").strip().lower()
    if text in ("", "master"):
        return RELEASES[LATEST]
    for major, series in SERIES.items():
        if text == series or text.split(".")[0] == major:
            return RELEASES[major]
    raise KollaError(f"kolla-ansible release {version!r} is not one coordcheck knows "
                     f"({', '.join(f'{m}.x = {s}' for m, s in SERIES.items())}): give --kolla-release or "
                     "--kolla-ansible PATH")
