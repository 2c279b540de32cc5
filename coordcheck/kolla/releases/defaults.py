"""Kolla's group_vars and role defaults that the consumer rows read, as
data: (point-release range, variables) in Kolla's own spelling, so that
tests/kolla/test_drift.py compares them with every published release's
files (SIMPLIFIED: the names spelled otherwise here, and why).
"""

from __future__ import annotations

from coordcheck.kolla import DEFAULT_EXTRAS

_ADDRESS = "'api' | kolla_address(host) | put_address_in_context('url')"
REDIS_URL = ("redis://{% for host in groups['redis'] %}{% if host == groups['redis'][0] %}default:{{ redis_master_password }}"
             f"@{{{{ {_ADDRESS} }}}}:{{{{ redis_sentinel_port }}}}?sentinel=kolla{{% else %}}&sentinel_fallback="
             f"{{{{ {_ADDRESS} }}}}:{{{{ redis_sentinel_port }}}}{{% endif %}}{{% endfor %}}{{{{ redis_connection_string_extras }}}}")
VALKEY_URL = ("redis://{%- for host in groups['valkey'] -%}\n  {%- if host == groups['valkey'][0] -%}\n    default:{{- "
              "valkey_master_password -}}@{{-\n      " + _ADDRESS + "\n    -}}:{{- valkey_sentinel_port -}}?sentinel={{- "
              "valkey_sentinel_monitor_name -}}\n  {%- else -%}\n    &sentinel_fallback={{-\n      " + _ADDRESS +
              "\n    -}}:{{- valkey_sentinel_port -}}\n  {%- endif -%}\n{%- endfor -%} {{- valkey_connection_string_extras -}}")

COMMON = {
    "enable_etcd": "no", "enable_openstack_core": "yes", "enable_memcached": "yes",
    "network_interface": "eth0", "api_interface": "{{ network_interface }}", "api_address_family": "ipv4",
    "designate_backend": "bind9", "designate_enable_notifications_sink": "no", "enable_cinder_backup": "yes",
    "enable_cinder_backend_lvm": "no", "enable_gnocchi_statsd": "no", "enable_ironic_inspector": "no",
    "neutron_plugin_agent": "openvswitch",
    "octavia_provider_drivers": "amphora:Amphora provider{% if neutron_plugin_agent == 'ovn' %}, ovn:OVN provider{% endif %}",
    "enable_octavia_jobboard": "{{ enable_octavia | bool and 'amphora' in octavia_provider_drivers }}",
    "enable_octavia_driver_agent": "{{ enable_octavia | bool and neutron_plugin_agent == 'ovn' }}",
    "enable_osprofiler": "no", "osprofiler_backend": "elasticsearch", "opensearch_connection_string": "",
    "horizon_backend_database": "no", "memcached_port": "11211", "enable_keystone_federation": "no",
    "enable_keystone": "{{ enable_openstack_core | bool }}", "enable_horizon": "{{ enable_openstack_core | bool }}",
    **{f"enable_{p}": "no" for p in ("cinder", "designate", "masakari", "mistral", "gnocchi", "octavia", "ironic",
                                     "zun", "magnum", "trove")},
}
REDIS = {"enable_redis": "no", "redis_port": "6379", "redis_sentinel_port": "26379",
         "redis_connection_string": REDIS_URL, "redis_connection_string_extras": DEFAULT_EXTRAS}
VALKEY = {"enable_valkey": "no", "valkey_server_port": "6379", "valkey_sentinel_port": "26379",
          "valkey_sentinel_monitor_name": "kolla", "valkey_connection_string": VALKEY_URL,
          "valkey_connection_string_extras": DEFAULT_EXTRAS}


def _backend(*choices: str) -> str:
    return "{{ " + " else ".join(f"'{c}' if enable_{c} | bool" for c in choices) + " else '' }}"


#: (range, variables): later entries win where ranges overlap.
DEFAULTS = (
    ("19.0.0-", COMMON),
    ("19.0.0-20.6.0", REDIS),
    ("20.4.0-", VALKEY),
    ("19.0.0-20.3.0", {"cinder_coordination_backend": _backend("redis", "etcd"),
                       "masakari_coordination_backend": _backend("redis", "etcd"),
                       "ironic_coordination_backend": _backend("redis", "etcd"),
                       "designate_coordination_backend": _backend("redis"),
                       "gnocchi_incoming_storage": _backend("redis"),
                       "osprofiler_backend_connection_string":
                           "{{ redis_connection_string if osprofiler_backend == 'redis' else opensearch_connection_string }}"}),
    ("20.4.0-20.6.0", {"cinder_coordination_backend": _backend("valkey", "redis", "etcd"),
                       "masakari_coordination_backend": _backend("valkey", "redis", "etcd"),
                       "ironic_coordination_backend": _backend("valkey", "redis", "etcd"),
                       "designate_coordination_backend": _backend("valkey", "redis"),
                       "gnocchi_incoming_storage": _backend("valkey", "redis"),
                       "osprofiler_backend_connection_string":
                           "{{ valkey_connection_string if osprofiler_backend == 'valkey' else redis_connection_string "
                           "if osprofiler_backend == 'redis' else opensearch_connection_string }}"}),
    ("21.0.0-", {"cinder_coordination_backend": _backend("valkey", "etcd"),
                 "masakari_coordination_backend": _backend("valkey", "etcd"),
                 "ironic_coordination_backend": _backend("valkey", "etcd"),
                 "designate_coordination_backend": _backend("valkey"),
                 "gnocchi_incoming_storage": _backend("valkey"),
                 "osprofiler_backend_connection_string": "{{ valkey_connection_string if osprofiler_backend in "
                                                         "['redis', 'valkey'] else opensearch_connection_string }}"}),
    ("22.0.0-", {"horizon_session_cache_backend": "{{ 'valkey' if enable_valkey | bool\n    else 'memcached' if "
                                                  "enable_memcached | bool\n    else 'disabled' }}"}),
)
#: Names spelled otherwise here than in Kolla's files (drift check: not compared), and why.
SIMPLIFIED = {
    "enable_etcd": "23.x spells it false, older releases \"no\": the same to | bool",
    "enable_octavia_driver_agent": "a role default in Kolla's octavia role (read from site.yml's conditions)",
}


def defaults_for(point: str, in_range) -> dict:
    out: dict = {}
    for spec, variables in DEFAULTS:
        if in_range(point, spec):
            out.update(variables)
    return out
