"""Every consumer live: gnocchi_metricd, octavia_worker and horizon containers
(`coordcheck up --containers --consumers`) beside the tooz services, over
real SSH, each running its own client inside its container with its own
config: gnocchi's redis_url parser and client, octavia's options and
RedisTaskFlowDriver (taskflow's redis jobboard), django_redis's SentinelClient.

    healthy (the overrides an operator adds)          -> every consumer passes
    JOBBOARD_NO_SENTINEL_AUTH (octavia as Kolla renders it) -> at ctl2, octavia_worker
    HORIZON_NO_SENTINEL_AUTH  (horizon as Kolla renders it) -> at ctl3, horizon
    SENTINEL_AUTH_MISSING_GNOCCHI                      -> SENTINEL_AUTH_MISSING at ctl1, gnocchi_metricd
"""

import pytest

from tests.conftest import CONTAINER_NAMES, Deployment, assert_no_secret, kolla_container_names, reported, \
    run_checklist, run_cli

pytestmark = CONTAINER_NAMES
CONSUMER_TEST = "test_each_consumer_reaches_its_master_inside_its_container"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    root = tmp_path_factory.mktemp("consumers") / "kolla"
    with kolla_container_names():
        try:
            run_cli("up", "--ssh", "--containers", "--consumers", "--dir", str(root), timeout=900)
            yield Deployment(root)
        finally:
            run_cli("down", "--dir", str(root), check=False)


def consumer_run(cloud, tmp_path):
    return run_checklist(*cloud.checklist_args(), "-m", "containers", "-k", CONSUMER_TEST, tmp_path=tmp_path,
                         cwd=tmp_path)


def test_every_consumer_reaches_its_master(cloud, tmp_path):
    text = cloud.inventory.read_text()
    for service, host in (("gnocchi-metricd", "ctl1"), ("octavia-worker", "ctl2"), ("horizon", "ctl3")):
        assert f"[{service}]\n{host}\n" in text
    run = consumer_run(cloud, tmp_path)
    outcomes = run.outcomes()
    assert run.returncode == 0 and len(outcomes) == 3 and set(outcomes.values()) == {"passed"}, run.stdout[-3000:]


@pytest.mark.parametrize("scenario, finding, host, container, says", [
    ("JOBBOARD_NO_SENTINEL_AUTH", "JOBBOARD_NO_SENTINEL_AUTH", "ctl2", "octavia_worker",
     "no jobboard_redis_sentinel_password; inside octavia_worker, octavia's own client (octavia 19.0.0, taskflow"),
    ("HORIZON_NO_SENTINEL_AUTH", "HORIZON_NO_SENTINEL_AUTH", "ctl3", "horizon",
     "no SENTINEL_KWARGS password; inside horizon, horizon's own client (Django"),
    ("SENTINEL_AUTH_MISSING_GNOCCHI", "SENTINEL_AUTH_MISSING", "ctl1", "gnocchi_metricd",
     "redis_url carries no sentinel_password; inside gnocchi_metricd, gnocchi's own client (gnocchi 4.7.1"),
])
def test_each_consumer_names_its_cause(cloud, tmp_path, scenario, finding, host, container, says):
    run_cli("break", scenario, "--dir", str(cloud.root))
    try:
        run = consumer_run(cloud, tmp_path)
    finally:
        run_cli("fix", "--dir", str(cloud.root), check=False)
    assert run.returncode == 1
    failed = run.failures()
    assert list(failed) == [f"test_python_client::{CONSUMER_TEST}[ansible://{host}]"], failed
    assert any(f"host {host}, container {container}" in w for w in reported(run)[finding]), reported(run)
    assert says in run.stdout
    assert_no_secret(run.output + run.junit, cloud.password)
