"""coordcheck.kolla.releases.defaults: Kolla's group_vars and role defaults the consumer rows read, per
point-release range, in Kolla's own spelling: rendered, the connection strings are Kolla's URLs."""

import pytest

from coordcheck import kolla
from coordcheck.kolla.releases.defaults import DEFAULTS, REDIS_URL, SIMPLIFIED, VALKEY_URL, defaults_for
from coordcheck.kolla.releases.points import in_range
from coordcheck.kolla.render.builtin import put_address_in_context
from coordcheck.kolla.render.sandbox import Sandbox
from coordcheck.secrets import Secret

ADDRESSES = {"ctl1": "10.0.2.110", "ctl2": "10.0.2.111", "ctl3": "10.0.2.112"}


def rendered(template: str, variables: dict) -> str:
    sandbox = Sandbox()
    sandbox.add_filters(kolla_address=lambda network, host: ADDRESSES[host], put_address_in_context=put_address_in_context)
    return sandbox.render_bounded(sandbox.from_string(template), variables)


@pytest.mark.parametrize("flavor, template", [("redis", REDIS_URL), ("valkey", VALKEY_URL)])
def test_the_connection_string_renders_as_kolla_builds_it(flavor, template):
    variables = defaults_for("20.6.0", in_range) | {"groups": {flavor: list(ADDRESSES)}, f"{flavor}_master_password": "pw"}
    expected = kolla.connection_string(kolla.FLAVORS[flavor], list(ADDRESSES.values()), Secret("pw")).reveal()
    assert rendered(template, variables) == expected


def test_each_range_holds_the_flavors_names_it_ships():
    redis_era, both, valkey_only = (defaults_for(p, in_range) for p in ("19.0.0", "20.4.0", "23.0.0"))
    assert "redis_connection_string" in redis_era and "valkey_connection_string" not in redis_era
    assert {"redis_connection_string", "valkey_connection_string"} <= set(both)
    assert "redis_connection_string" not in valkey_only and "horizon_session_cache_backend" in valkey_only
    assert "'redis' if enable_redis" not in valkey_only["cinder_coordination_backend"]
    assert both["cinder_coordination_backend"].startswith("{{ 'valkey' if enable_valkey | bool else 'redis' if")


def test_later_ranges_win_and_every_simplified_name_is_a_default():
    for point in ("19.8.0", "20.6.0", "21.0.0", "23.0.0"):
        mine = defaults_for(point, in_range)
        last = [v for spec, table in DEFAULTS if in_range(point, spec) for k, v in table.items()
                if k == "gnocchi_incoming_storage"][-1]
        assert mine["gnocchi_incoming_storage"] == last
    assert set(SIMPLIFIED) <= set(defaults_for("23.0.0", in_range))
