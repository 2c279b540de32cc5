"""Per series: the services of every project that renders a consumer (their
inventory group and switch, as the role's ``<project>_services``), the
config file each project writes, and the variables their conditions read.
"""

from __future__ import annotations

from coordcheck.kolla.service_groups import Service, _services, profiled_defaults, profiled_services

_LVM = ("'cinder-{0}-multiple' if (cinder_enabled_backends_count | int > 1 and enable_cinder_backend_lvm | bool) "
        "else 'cinder-{0}-lvm' if enable_cinder_backend_lvm | bool else 'cinder-{0}'")


def cinder(major: int) -> tuple[tuple[Service, ...], dict]:
    """cinder's services, and (2026.1+) the backend switches that place volume and backup."""
    out = [Service("cinder-api", "cinder-api"), Service("cinder-scheduler", "cinder-scheduler"),
           Service("cinder-volume", "cinder-volume"),
           Service("cinder-backup", "cinder-backup", "{{ enable_cinder_backup | bool }}")]
    if major < 22:
        return tuple(out), {}
    out[2:] = [Service("cinder-volume", "{{ %s }}" % _LVM.format("volume")),
               Service("cinder-backup", "{{ %s }}" % _LVM.format("backup"), "{{ enable_cinder_backup | bool }}")]
    # cinder_enabled_backends: the cinder_backends and cinder_ceph_backends whose switch is on (counted here)
    switches = [f"enable_cinder_backend_{b}" for b in "lvm nfs quobyte pure_iscsi pure_fc pure_roce pure_nvme_tcp "
                "lightbits".split() + ["vast"] * (major >= 23)] + ["cinder_backend_ceph"]
    variables = {switch: "no" for switch in switches}
    variables["cinder_enabled_backends_count"] = "{{ [%s] | map('bool') | select | list | length }}" % ", ".join(switches)
    return tuple(out), variables


def services(major: int) -> tuple[dict[str, tuple[Service, ...]], dict]:
    """project -> its services, and the variables their groups and conditions read."""
    cinder_services, variables = cinder(major)
    out = {
        "cinder": cinder_services,
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
    if major <= 20:  # ironic-inspector left in 2025.2
        out["ironic"] = (Service("ironic-inspector", "ironic-inspector", "{{ enable_ironic_inspector | bool }}"),)
    return out, variables | profiled_defaults(major)


def files(projects) -> dict[str, str]:
    """project -> the config file its services render."""
    special = {"horizon": "_9998-kolla-settings.py", "glance": "glance-api.conf", "ironic": "inspector.conf"}
    return {p: special.get(p, f"{p}.conf") for p in projects}
