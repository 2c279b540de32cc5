"""The container observer (`coordcheck.runbook.containers.ContainerObserver`)
on labs whose services run in containers, as on a Kolla cloud, over real
SSH: each class's lab (class-scoped) is down before the next class starts,
since the containers carry Kolla's names."""

import re
import subprocess

import pytest

from tests.conftest import CONTAINER_NAMES, Deployment, assert_no_secret, kolla_container_names, reported, \
    run_checklist, run_cli
from tests.runbook.container_labs import DEBUG, CONSUMER_TEST, checked_lab, consumer_run, engine_logs, messages, up

pytestmark = CONTAINER_NAMES


@pytest.fixture(scope="class")
def cloud(tmp_path_factory):
    root = tmp_path_factory.mktemp("cloud") / "kolla"
    with kolla_container_names():
        try:
            yield up(root, "docker", "CLIENT_TOO_OLD", "SERVICE_LOG_ERRORS", release=("--release", "2025.1"))
        finally:
            run_cli("down", "--dir", str(root), check=False)


@pytest.fixture(scope="class")
def checked(cloud, tmp_path_factory):
    """One checklist run over the cloud, logged at DEBUG."""
    return run_checklist(*cloud.checklist_args(), *DEBUG, tmp_path=tmp_path_factory.mktemp("run"),
                         cwd=tmp_path_factory.getbasetemp())


@pytest.fixture(scope="class")
def on_podman(cloud, checked, tmp_path_factory):
    """The same controllers with the services on podman (after the docker cloud is down)."""
    run_cli("down", "--dir", str(cloud.root))
    root = tmp_path_factory.mktemp("podman") / "kolla"
    try:  # Kolla's container names: still held by `cloud`, which this fixture outlives not
        yield up(root, "podman", "CLIENT_TOO_OLD")
    finally:
        run_cli("down", "--dir", str(root), check=False)


@pytest.fixture(scope="class")
def on_valkey(cloud, on_podman, tmp_path_factory):
    """The Valkey flavor on docker (after the podman cloud is down)."""
    run_cli("down", "--dir", str(on_podman.root))
    root = tmp_path_factory.mktemp("valkey") / "kolla"
    try:
        started = run_cli("up", "--ssh", "--containers", "docker", "--flavor", "valkey", "--dir", str(root),
                          timeout=900)
        yield Deployment(root, "valkey"), started.stdout
    finally:
        run_cli("down", "--dir", str(root), check=False)


class TestServiceContainers:
    """The live suite as on a Kolla cloud: three controllers over real SSH, a real
    Docker engine, and service containers named and placed as Kolla does, each
    running a real tooz client loop with the clients of Kolla 2025.1 (tooz 6.3.0,
    redis-py 5.2.1: on the incident they log at once, where tooz 7+ retries for
    minutes, see tests/lab/test_client_matrix.py):

        ctl1  cinder_volume     the fixed URL                               -> healthy
        ctl2  designate_worker  Debian's tooz 3.1.0 and redis-py 4.3.4      -> CLIENT_TOO_OLD
        ctl3  masakari_api      the incident's URL (no sentinel_password)   -> SENTINEL_AUTH_MISSING
                                in its config, its log file and its own tooz

    Every verdict comes from the containers through SSH; then the same layout
    runs on podman, with this venv's tooz and redis-py, and on the Valkey flavor:
    real valkey-server data nodes and sentinels (`make valkey`), Kolla's valkey
    names, green and then the incident. One lab at a time: the containers
    carry Kolla's names.
    """

    def test_inventory_places_one_service_per_host(self, cloud):
        text = cloud.inventory.read_text()
        for service, host in (("cinder-volume", "ctl1"), ("designate-worker", "ctl2"), ("masakari-api", "ctl3")):
            assert f"[{service}]\n{host}\n" in text

    def test_healthy_container_passes(self, checked):
        found = reported(checked)
        assert not [w for places in found.values() for w in places if "host ctl1" in w], found
        ctl1 = {test: state for test, state in checked.outcomes().items() if "ctl1" in test}
        assert ctl1 and set(ctl1.values()) == {"passed"}, ctl1

    def test_old_client_is_client_too_old(self, checked):
        found = reported(checked)
        assert any("host ctl2, container designate_worker" in w for w in found["CLIENT_TOO_OLD"]), found
        inside = messages(checked, "test_tooz_takes_a_lock_inside_each_container[ansible://ctl2]")
        assert "tooz 3.1.0, redis-py 4.3.4" in inside
        assert "cause: CLIENT_TOO_OLD" in messages(checked, "test_service_logs_free_of_coordination_errors[ansible://ctl2]")
        # its URL is the fixed one: the config checks pass on ctl2
        assert checked.outcomes()["test_container_config::test_backend_url_carries_sentinel_password[ansible://ctl2]"] == "passed"

    def test_incident_container_seen_in_config_logs_and_its_own_tooz(self, checked, cloud):
        found = reported(checked)
        assert any("host ctl3, service masakari-api" in w for w in found["SENTINEL_AUTH_MISSING"]), found
        logs = messages(checked, "test_service_logs_free_of_coordination_errors[ansible://ctl3]")
        assert "SERVICE_LOG_ERRORS" in logs and "No master found for 'kolla'" in logs
        # found where Kolla writes it: the service's log file (the kolla_logs volume), not `docker logs`
        assert "evidence: /var/log/kolla/masakari/masakari-api.log at " in logs
        assert (cloud.root / "ctl3" / "kolla_logs" / "masakari" / "masakari-api.log").is_file()
        engine_log = engine_logs("masakari_api")
        assert "Running command:" in engine_log and "No master found" not in engine_log
        assert "cause: SENTINEL_AUTH_MISSING" in logs
        inside = messages(checked, "test_tooz_takes_a_lock_inside_each_container[ansible://ctl3]")
        assert "container masakari_api" in inside and "cause: SENTINEL_AUTH_MISSING" in inside
        assert checked.returncode == 1

    def test_log_file_with_bytes_that_are_not_text(self, cloud, checked, tmp_path):
        """A log holds whatever a service wrote (and a 2 MB tail may cut a character
        in two): bytes that are not UTF-8 are read past, the incident is still named."""
        log = cloud.root / "ctl3" / "kolla_logs" / "masakari" / "masakari-api.log"
        original = log.read_bytes()
        log.write_bytes(b"\xff\xfe\x80 not text\n" + original + b"\xc3 cut in two\n")
        try:
            run = run_checklist(*cloud.checklist_args(), "-m", "containers", tmp_path=tmp_path, cwd=tmp_path)
        finally:
            log.write_bytes(original)
        assert any("host ctl3" in w for w in reported(run)["SERVICE_LOG_ERRORS"]), run.stdout[-3000:]
        assert "Traceback" not in run.output and "INTERNALERROR" not in run.output

    def test_a_stopped_containers_log_is_read_on_the_host(self, cloud, checked, tmp_path):
        """A container that is not running (often: it stopped on the error) is read
        in its kolla_logs volume on the host, found through the engine's mounts."""
        run_cli("break", "CONTAINER_NOT_RUNNING", "--dir", str(cloud.root))  # stops masakari_api
        try:
            run = run_checklist(*cloud.checklist_args(), "-m", "containers", tmp_path=tmp_path, cwd=tmp_path)
        finally:
            subprocess.run(["docker", "start", "masakari_api"], check=True, capture_output=True, timeout=60)
        found = reported(run)
        assert any("host ctl3, container masakari_api" in w for w in found["CONTAINER_NOT_RUNNING"]), found
        assert any("host ctl3, container masakari_api" in w for w in found["SERVICE_LOG_ERRORS"]), found
        assert f"{cloud.root}/ctl3/kolla_logs/masakari/masakari-api.log at " in run.stdout
        assert_no_secret(run.output, cloud.password)

    def test_every_verdict_crossed_ssh_into_the_containers(self, checked):
        assert "ctl1: inside cinder_volume on ctl1" in checked.stdout.split("where each ran:", 1)[1]
        piped = [line for line in checked.stdout.splitlines() if "coordcheck.observe.transport" in line and "RUN " in line]
        assert piped and all(re.search(r"RUN ssh .* 127\.\d+\.\d+\.\d+ 'docker exec -i -e PYTHONDONTWRITEBYTECODE=1 \w+ "
                                       r"timeout -s KILL \d+ python3 -' \(stdin withheld\)", line) for line in piped), piped[:3]
        inside = {name for line in piped for name in re.findall(r"PYTHONDONTWRITEBYTECODE=1 (\w+)", line)}
        assert inside == {"cinder_volume", "designate_worker", "masakari_api"}
        host_commands = [line for line in checked.stdout.splitlines() if "RUN CommandResult(backend=" in line
                         and "ansible-inventory" not in line]
        assert host_commands and all("SshBackend" in line for line in host_commands)
        # reads that may hold passwords are logged without their output (and command)
        assert "(output withheld: it holds passwords)" in checked.stdout

    def test_no_password_anywhere(self, checked, cloud):
        assert_no_secret(checked.output, cloud.password)

    def test_fix_and_restart_clears_the_incident(self, cloud, checked, tmp_path):
        """`coordcheck fix` rewrites the URLs and restarts the containers (as
        reconfigure does): masakari_api's earlier errors are history then."""
        run_cli("fix", "--dir", str(cloud.root))
        run = run_checklist(*cloud.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
        found = reported(run)
        assert not [w for places in found.values() for w in places if "host ctl3" in w], found
        assert set(found) <= {"CLIENT_TOO_OLD", "TOOZ_HANDSHAKE_FAILED", "SERVICE_LOG_ERRORS"}, found

    def test_reset_undoes_the_breaks_and_the_cloud_is_green(self, cloud, checked, tmp_path):
        """`coordcheck reset` after CLIENT_TOO_OLD and SERVICE_LOG_ERRORS (the latter
        undone by the fix above, when it ran): every container made again from its
        image, masakari_api's old log lines history, nothing reported."""
        reset = run_cli("reset", "--dir", str(cloud.root), timeout=300).stdout
        assert "reset: CLIENT_TOO_OLD" in reset, reset
        run = run_checklist(*cloud.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
        assert run.returncode == 0 and not reported(run), run.stdout[-3000:]

    def test_unknown_engine_is_reported(self, cloud, tmp_path):
        configdir = tmp_path / "kolla"
        configdir.mkdir()
        (configdir / "passwords.yml").write_text((cloud.root / "passwords.yml").read_text())
        (configdir / "globals.yml").write_text((cloud.root / "globals.yml").read_text().replace(
            "kolla_container_engine: docker", "kolla_container_engine: nerdctl"))
        run = run_checklist("--hosts=ctl1", "--inventory", str(cloud.inventory), "--configdir", str(configdir),
                            "-m", "containers", tmp_path=tmp_path, cwd=tmp_path)
        assert "CONTAINER_ENGINE_UNUSABLE" in reported(run)
        assert "kolla_container_engine is 'nerdctl'" in run.stdout

    def test_podman_cloud(self, on_podman, tmp_path):
        assert "kolla_container_engine: podman" in (on_podman.root / "globals.yml").read_text()
        run = run_checklist(*on_podman.checklist_args(), *DEBUG, tmp_path=tmp_path, cwd=tmp_path)
        found = reported(run)
        assert set(found) <= {"CLIENT_TOO_OLD", "TOOZ_HANDSHAKE_FAILED", "SERVICE_LOG_ERRORS"}, found
        assert any("host ctl2, container designate_worker" in w for w in found["CLIENT_TOO_OLD"])
        assert re.search(r"RUN ssh .* 127\.\d+\.\d+\.\d+ 'podman exec -i -e PYTHONDONTWRITEBYTECODE=1 cinder_volume timeout", run.stdout)
        assert "docker " not in " ".join(line for line in run.stdout.splitlines() if "RUN " in line)
        assert_no_secret(run.output, on_podman.password)

    def test_valkey_cloud_runs_real_valkey_and_is_green(self, on_valkey, tmp_path):
        cloud, started = on_valkey
        assert "(valkey: Valkey " in started, started
        assert "valkey_master_password" in (cloud.root / "passwords.yml").read_text()
        assert "[valkey:children]" in cloud.inventory.read_text()
        run = run_checklist(*cloud.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
        assert run.returncode == 0, run.stdout[-3000:]
        outcomes = run.outcomes()
        assert set(outcomes.values()) == {"passed"}
        assert any("test_tooz_takes_a_lock_inside_each_container[ansible://ctl3]" in test for test in outcomes)
        assert "ctl1: inside cinder_volume on ctl1" in run.stdout

    def test_valkey_incident_is_seen_inside_every_container(self, on_valkey, tmp_path):
        cloud, _ = on_valkey
        run_cli("repro", "--dir", str(cloud.root), timeout=300)
        run = run_checklist(*cloud.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
        found = reported(run)
        assert run.returncode == 1
        for host, service in (("ctl1", "cinder-volume"), ("ctl2", "designate-worker"), ("ctl3", "masakari-api")):
            assert any(f"host {host}, service {service}" in w for w in found["SENTINEL_AUTH_MISSING"]), found
        inside = run.failures()["test_python_client::test_tooz_takes_a_lock_inside_each_container[ansible://ctl2]"]
        assert "container designate_worker" in inside and "cause: SENTINEL_AUTH_MISSING" in inside
        assert_no_secret(run.output, cloud.password)


@pytest.fixture(scope="class")
def consumer_cloud(tmp_path_factory):
    root = tmp_path_factory.mktemp("consumers") / "kolla"
    with kolla_container_names():
        try:
            run_cli("up", "--ssh", "--containers", "--consumers", "--dir", str(root), timeout=900)
            yield Deployment(root)
        finally:
            run_cli("down", "--dir", str(root), check=False)


class TestConsumers:
    """Every consumer live: gnocchi_metricd, octavia_worker and horizon containers
    (`coordcheck up --containers --consumers`) beside the tooz services, over
    real SSH, each running its own client inside its container with its own
    config: gnocchi's redis_url parser and client, octavia's options and
    RedisTaskFlowDriver (taskflow's redis jobboard), django_redis's SentinelClient.

        healthy (the overrides an operator adds)          -> every consumer passes
        JOBBOARD_NO_SENTINEL_AUTH (octavia as Kolla renders it) -> at ctl2, octavia_worker
        HORIZON_NO_SENTINEL_AUTH  (horizon as Kolla renders it) -> at ctl3, horizon
        SENTINEL_AUTH_MISSING_GNOCCHI                      -> SENTINEL_AUTH_MISSING at ctl1, gnocchi_metricd
        each followed by `coordcheck reset`                -> every consumer passes again
    """

    def test_every_consumer_reaches_its_master(self, consumer_cloud, tmp_path):
        text = consumer_cloud.inventory.read_text()
        for service, host in (("gnocchi-metricd", "ctl1"), ("octavia-worker", "ctl2"), ("horizon", "ctl3")):
            assert f"[{service}]\n{host}\n" in text
        run = consumer_run(consumer_cloud, tmp_path)
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
    def test_each_consumer_names_its_cause(self, consumer_cloud, tmp_path, scenario, finding, host, container, says):
        run_cli("break", scenario, "--dir", str(consumer_cloud.root))
        try:
            run = consumer_run(consumer_cloud, tmp_path)
        finally:
            reset = run_cli("reset", "--dir", str(consumer_cloud.root), check=False, timeout=300)
        assert f"reset: {scenario} undone" in reset.stdout, reset.stdout + reset.stderr
        assert consumer_run(consumer_cloud, tmp_path / "reset").returncode == 0  # reset: every consumer green again
        assert run.returncode == 1
        failed = run.failures()
        assert list(failed) == [f"test_python_client::{CONSUMER_TEST}[ansible://{host}]"], failed
        assert any(f"host {host}, container {container}" in w for w in reported(run)[finding]), reported(run)
        assert says in run.stdout
        assert_no_secret(run.output + run.junit, consumer_cloud.password)


class TestLocksAcrossReleases:
    """LOCKS_NOT_EXCLUSIVE on a cloud mid-upgrade: ctl1-2's service containers on
    Kolla 2026.1's tooz 8.1.0 / redis-py 7.2.0, ctl3's on 2026.2's 9.0.1 / 8.1.0
    (`coordcheck up --containers --release 2026.1 --release ctl3=2026.2`). The
    checklist holds one probe lock with each client class inside the containers
    and tries it with the others: ctl3 takes the lock ctl1 holds. A cloud on one
    release excludes; no probe key is left on the data nodes either way.
    """

    def test_mixed_release_cloud_does_not_exclude(self, tmp_path):
        run, left = checked_lab(tmp_path / "kolla", tmp_path, "--release", "2026.1", "--release", "ctl3=2026.2")
        found = reported(run)
        assert any("host ctl3, container masakari_api" in w for w in found.get("LOCKS_NOT_EXCLUSIVE", [])), run.stdout[-3000:]
        assert run.returncode == 1
        text = run.stdout
        for side in ("ctl1 cinder_volume (tooz 8.1.0, redis-py 7.2.0; Kolla 2026.1)",
                     "ctl3 masakari_api (tooz 9.0.1, redis-py 8.1.0; Kolla 2026.2)",
                     "Kolla 2026.1 on ctl1 and Kolla 2026.2 on ctl3"):
            assert side in text, text[-3000:]
        assert set(found) == {"LOCKS_NOT_EXCLUSIVE"}, sorted(found)
        assert left == []

    def test_single_release_cloud_excludes(self, tmp_path):
        run, left = checked_lab(tmp_path / "kolla", tmp_path, "--release", "2026.1")
        assert "LOCKS_NOT_EXCLUSIVE" not in reported(run), run.stdout[-3000:]
        assert run.returncode == 0, run.stdout[-3000:]
        assert "test_locks_exclude_across_containers PASSED" in run.stdout or \
            run.outcomes()["test_container_config::test_locks_exclude_across_containers"] == "passed"
        assert left == []
