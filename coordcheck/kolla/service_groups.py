"""Kolla-Ansible's services as data: a service, its inventory group and
when it is enabled (Jinja, as its role's ``<project>_services`` says), and
the services of the projects whose config carries osprofiler's
``[profiler] connection_string`` (glance, heat, magnum, neutron, nova with
nova-cell, placement, trove, zun), read from kolla-ansible 19.8-23.0's roles
and proven by tests/kolla/test_agreement.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str
    group: str
    enabled: str = "true"  # Jinja expression


def _services(project: str, names: str, **enabled: str) -> tuple[Service, ...]:
    return tuple(Service(f"{project}-{n}" if n != "." else project, f"{project}-{n}" if n != "." else project,
                         enabled.get(n.replace("-", "_"), "true")) for n in names.split())


def _in(*groups: str) -> str:
    return " or ".join(f"inventory_hostname in groups['{g}']" for g in groups)


def _mapped(play: str, *rows: tuple[str, str, str]) -> tuple[Service, ...]:
    """Services as Kolla's select_services_enabled_and_mapped_to_host picks them, on the hosts of their
    role's site.yml play (``play``: its groups). A row: name, group (or ``?host_in_groups``), enabled."""
    out = []
    for name, group, enabled in rows:
        conditions = [] if enabled == "true" else [enabled]
        if group.startswith("?"):  # host_in_groups wins over group
            group, conditions = "all", conditions + [group[1:]]
        if group not in play.split():  # first: the play's groups hold the host (host_in_groups may need it)
            conditions.insert(0, _in(*play.split()))
        out.append(Service(name, group, " and ".join(f"({c})" for c in conditions) or "true"))
    return tuple(out)


def profiled_services(major: int) -> dict[str, tuple[Service, ...]]:
    """The services whose config carries [profiler]: glance-api.conf, <project>.conf (nova-cell's too)."""
    simple = {"heat": "api api-cfn engine", "magnum": "api conductor", "placement": "api",
              "trove": "api conductor taskmanager"} | ({"zun": "api wsproxy compute cni-daemon"} if major <= 21 else {})
    out = {p: _services(p, names) for p, names in simple.items()}
    # glance_api_hosts renders as text here: the host's quoted name in it (a file store: the first host only)
    host = "(\"'\" ~ inventory_hostname ~ \"'\")"
    out["glance"] = _mapped("glance-api", ("glance-api", f"?{host} in (glance_api_hosts | string)", "true"))
    api = [(s, s, "true") for s in ["nova-api", "nova-scheduler"] + ["nova-metadata"] * (major >= 20)]
    cell = [(f"nova-{s}", f"{{{{ nova_cell_{s.replace('-', '_')}_group }}}}", e) for s, e in (
        ("novncproxy", "nova_console == 'novnc'"),
        ("spicehtml5proxy", "nova_console == 'spice'" + " and nova_spice_html5 | bool" * (major >= 22)),
        ("serialproxy", "enable_nova_serialconsole_proxy | bool"), ("conductor", "true"),
        ("compute", "not enable_nova_fake | bool"),
        ("compute-ironic", "enable_ironic | bool and nova_cell_name == nova_cell_ironic_cell_name"
         + " and nova_multi_compute_ironic_config | length == 0" * (major >= 22)))]
    out["nova"] = _mapped("nova-api nova-scheduler nova-super-conductor", *api, (
        "nova-super-conductor", "nova-super-conductor", "enable_cells | bool")) + _mapped(
        "compute nova-compute-ironic nova-conductor nova-novncproxy nova-serialproxy nova-spicehtml5proxy", *cell)
    a, dvs = "neutron_plugin_agent", ("]", ", 'vmware_dvs']")
    vm = "'vmware_nsxv', 'vmware_nsxv3', 'vmware_nsxp'" if major <= 20 else ""  # up to 2025.1: VMware excluded too
    no_ovn, no_vm = (f"{a} not in ['ovn', {vm}]", f" and {a} not in [{vm}]") if vm else (f"{a} != 'ovn'", "")
    own = {  # group: the service's name
        "neutron-server": "true", "neutron-dhcp-agent": no_ovn + " or neutron_ovn_dhcp_agent | bool" * (major <= 22),
        "neutron-ovn-metadata-agent": f"{a} == 'ovn'", "neutron-metering-agent": "enable_neutron_metering | bool",
        "neutron-bgp-dragent": "enable_neutron_bgp_dragent | bool" + no_vm.replace(*dvs),
        "ironic-neutron-agent": "enable_ironic_neutron_agent | bool", "neutron-ovn-agent": "neutron_enable_ovn_agent | bool",
        **({"neutron-rpc-server": "true", "neutron-periodic-worker": "true",  # 2025.2: neutron-server split
            "neutron-ovn-maintenance-worker": f"{a} == 'ovn'"} if major >= 21 else {}),
        **({"neutron-infoblox-ipam-agent": "enable_neutron_infoblox_ipam_agent | bool"} if major <= 22 else {}),
        **({"neutron-ovn-vpn-agent": f"enable_neutron_vpnaas | bool and {a} == 'ovn'"} if major >= 22 else {})}
    agents = _in("neutron-dhcp-agent", "neutron-l3-agent", "neutron-metadata-agent")
    rows = [(n, n, e) for n, e in own.items()] + [(f"neutron-{n}", "compute", f"enable_neutron_{x} | bool" + no_vm)
                                                  for n, x in (("sriov-agent", "sriov"), ("mlnx-agent", "mlnx"),
                                                               ("eswitchd", "mlnx"))] + [
        ("neutron-openvswitch-agent", f"?({_in('compute')} or (enable_manila_backend_generic | bool and "
         f"{_in('manila-share')}) or {agents} and not enable_nova_fake | bool) or ({agents} and enable_nova_fake | bool)",
         f"{a} == 'openvswitch'"),
        ("neutron-l3-agent", f"?{_in('neutron-l3-agent')} or ({_in('compute')} and enable_neutron_dvr | bool)",
         no_ovn.replace(*dvs)),
        ("neutron-metadata-agent", f"?{_in('neutron-metadata-agent')} or ({_in('compute')} and {a} == 'openvswitch' "
         "and enable_neutron_dvr | bool)", no_ovn)] + [
        ("neutron-linuxbridge-agent", f"?{_in('compute')} or (enable_manila | bool and {_in('manila-share')}) or "
         f"{agents}", f"{a} == 'linuxbridge'")] * (major <= 19)
    play = ("neutron-server neutron-dhcp-agent neutron-l3-agent ironic-neutron-agent neutron-metadata-agent "
            "neutron-ovn-metadata-agent neutron-metering-agent neutron-bgp-dragent "
            + "neutron-infoblox-ipam-agent " * (major <= 22) + "compute manila-share")
    out["neutron"] = _mapped(play, *rows)
    return out


def profiled_defaults(major: int) -> dict:
    """The group_vars and role defaults that profiled_services' groups and conditions read."""
    off = ("enable_cells enable_nova_fake enable_nova_serialconsole_proxy enable_manila enable_manila_backend_generic "
           "enable_neutron_dvr enable_neutron_sriov enable_neutron_mlnx enable_neutron_bgp_dragent enable_swift "
           "enable_neutron_metering enable_neutron_infoblox_ipam_agent enable_neutron_vpnaas neutron_ovn_dhcp_agent "
           "neutron_enable_ovn_agent glance_backend_ceph glance_backend_s3 glance_backend_vmware")
    stores = ["ceph", "s3"] + ["swift"] * (major <= 19) + ["vmware"] * (major <= 20)  # Kolla's order
    return {k: "no" for k in off.split()} | {f"enable_{p}": "{{ enable_openstack_core | bool }}" for p in (
        "glance", "heat", "neutron", "nova")} | {f"nova_cell_{g.replace('-', '_')}_group": f"nova-{g}" for g in (
        "conductor", "novncproxy", "spicehtml5proxy", "serialproxy", "compute-ironic")} | dict(
        nova_cell_compute_group="compute", nova_cell_name="", nova_cell_ironic_cell_name="", nova_console="novnc",
        nova_spice_html5="yes", nova_multi_compute_ironic_config=[],  # a list, not "{{ [] }}" (renders as text)
        enable_placement="{{ enable_nova | bool%s }}" % (" or enable_zun | bool" * (major <= 21)),
        enable_ironic_neutron_agent="{{ enable_neutron | bool and enable_ironic | bool }}" if major <= 19 else "no",
        glance_file_datadir_volume="glance", glance_backend_swift="{{ enable_swift | bool }}",
        glance_backend_file="{{ not (%s) }}" % " or ".join(f"glance_backend_{b} | bool" for b in stores),
        glance_api_hosts="{{ [groups['glance-api'] | first] if glance_backend_file | bool and "
                         "glance_file_datadir_volume == 'glance' else groups['glance-api'] }}")
