"""octavia's jobboard judged the way octavia and taskflow load it (coordcheck/checks/jobboard.py): real
oslo.config with octavia's option types, octavia's conf, taskflow's rules, a real redis-py Sentinel client."""
import pytest

from coordcheck.checks import jobboard

STOCK = {"jobboard_enabled": "true", "jobboard_backend_hosts": "10.0.2.110,10.0.2.111,10.0.2.112",
         "jobboard_backend_port": "26379", "jobboard_backend_username": "default", "jobboard_backend_password": "pw",
         "jobboard_redis_sentinel": "kolla"}


def judged(**changes):
    values = {k: v for k, v in (STOCK | changes).items() if v is not None}
    return jobboard.judge_board(tuple(sorted(values.items())))


@pytest.mark.parametrize("changes, kind, option, says", [
    ({}, "sentinel", None, ""),
    ({"jobboard_backend_port": "abc"}, "not_loadable", "jobboard_backend_port",
     "ConfigFileValueError: Value for option jobboard_backend_port from /etc/octavia/octavia.conf is not valid: "
     "invalid literal for int() with base 10: 'abc'"),
    ({"jobboard_backend_port": "99999"}, "not_loadable", "jobboard_backend_port", "Should be less than or equal to 65535"),
    ({"jobboard_backend_port": ""}, "blank", "jobboard_backend_port", "TypeError: %d format: a real number is required"),
    ({"jobboard_backend_hosts": ""}, "blank", "jobboard_backend_hosts", "IndexError: list index out of range"),
    ({"jobboard_redis_sentinel": ""}, "blank", "jobboard_redis_sentinel", "No master found for ''"),
    ({"jobboard_redis_sentinel": None}, "bypass", "jobboard_redis_sentinel", ""),
    ({"jobboard_backend_driver": "zookeeper_taskflow_driver"}, "other_backend", "jobboard_backend_driver",
     "ZooKeeper (taskflow's zookeeper jobboard, kazoo) at 10.0.2.110,10.0.2.111,10.0.2.112 port 26379"),
    ({"jobboard_backend_driver": "etcd_taskflow_driver"}, "other_backend", "jobboard_backend_driver", "etcd"),
    ({"jobboard_backend_driver": "foo"}, "not_loadable", "jobboard_backend_driver",
     "Valid values are [redis_taskflow_driver, zookeeper_taskflow_driver, etcd_taskflow_driver], but found 'foo'"),
    ({"jobboard_redis_backend_db": "-1"}, "not_loadable", "jobboard_redis_backend_db", "greater than or equal to 0"),
    ({"jobboard_redis_sentinel_ssl_options": "ssl"}, "not_loadable", "jobboard_redis_sentinel_ssl_options",
     "Value should be NAME:VALUE pairs"),
    ({"jobboard_enabled": "maybe"}, "not_loadable", "jobboard_enabled", "Unexpected boolean value 'maybe'"),
])
def test_each_value_class_gets_octavias_or_taskflows_words(changes, kind, option, says):
    verdict = judged(**changes)
    assert verdict.kind == kind and says in verdict.error, verdict
    assert verdict.options == ((option,) if option else ())
    assert verdict.loader.startswith("octavia's [task_flow] (oslo.config ")


def test_the_sentinels_are_hosts_with_the_port_as_octavia_pairs_them():
    assert judged().value == "10.0.2.110:26379,10.0.2.111:26379,10.0.2.112:26379"
    assert judged(jobboard_backend_hosts="fd00::1,fd00::2").value == "fd00::1:26379,fd00::2:26379"


def test_quotes_are_stripped_as_oslo_config_does_and_no_sentinel_is_the_data_node():
    """Kolla 19.0.0-19.3.0 renders the port in quotes and no sentinel name: octavia reads 6379 and taskflow
    builds a plain client for the first host."""
    verdict = judged(jobboard_backend_port='"6379"', jobboard_redis_sentinel=None)
    assert verdict.kind == "bypass" and verdict.value == "10.0.2.110:6379"


def test_a_board_that_is_off_is_not_judged():
    assert judged(jobboard_enabled="false", jobboard_backend_port="abc").kind == "not_loadable"  # octavia reads all
    assert judged(jobboard_enabled="false").kind == "skipped"


def test_a_value_over_several_lines_stays_one_value():
    assert judged(jobboard_redis_sentinel="kolla\n[DEFAULT]\nx = 1").kind == "sentinel"
