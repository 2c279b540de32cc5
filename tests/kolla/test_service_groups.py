"""coordcheck.kolla.service_groups: Kolla's services as data — a service, its inventory group and when it
is enabled (Jinja) — for every project whose config carries osprofiler's [profiler]."""

import pytest
from jinja2 import meta

from coordcheck.kolla.releases import RELEASES
from coordcheck.kolla.render.sandbox import Sandbox
from coordcheck.kolla.repo import MAGIC
from coordcheck.kolla.service_groups import profiled_defaults, profiled_services


def names(major: int, project: str) -> list[str]:
    return [s.name for s in profiled_services(major)[project]]


def test_services_follow_their_series():
    assert "zun" in profiled_services(21) and "zun" not in profiled_services(22)
    assert "nova-metadata" not in names(19, "nova") and "nova-metadata" in names(20, "nova")
    assert "neutron-rpc-server" not in names(20, "neutron") and "neutron-rpc-server" in names(21, "neutron")
    assert "neutron-linuxbridge-agent" in names(19, "neutron") and "neutron-linuxbridge-agent" not in names(20, "neutron")


def test_a_service_outside_its_plays_groups_is_on_their_hosts_only():
    """host_in_groups wins over the group; the role's site.yml play hosts the service first."""
    glance = profiled_services(23)["glance"][0]
    assert glance.group == "all" and "glance_api_hosts" in glance.enabled
    compute = next(s for s in profiled_services(23)["nova"] if s.name == "nova-compute")
    assert compute.group == "{{ nova_cell_compute_group }}" and compute.enabled.startswith("(inventory_hostname in groups")


@pytest.mark.parametrize("major", sorted(RELEASES))
def test_every_group_and_condition_is_jinja_and_every_name_it_reads_has_a_default(major):
    sandbox = Sandbox()
    read = set()
    for services in profiled_services(int(major)).values():
        for service in services:
            for template in (service.group, "{{ %s }}" % service.enabled):
                read |= meta.find_undeclared_variables(sandbox.parse(template))
    assert read and not read - set(RELEASES[major].defaults) - MAGIC, sorted(read - set(RELEASES[major].defaults) - MAGIC)
    defaults = profiled_defaults(int(major))
    assert defaults["nova_cell_compute_group"] == "compute" and defaults["enable_neutron_sriov"] == "no"
    assert ("glance_backend_swift" in defaults["glance_backend_file"]) == (major == "19")
