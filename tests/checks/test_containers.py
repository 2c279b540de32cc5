"""Pure parts of the container checks: no engine, no server."""

import dataclasses
import json
import shlex

import testinfra

from coordcheck.consumers import CONSUMERS
from coordcheck.checks import containers as checks
from coordcheck.lab import images
from coordcheck.observe import remote, service_logs
from coordcheck.observe import transport
from coordcheck.checks.containers import ServiceContainer
from coordcheck.observe.engine import Container
from coordcheck.observe.probe import Address, Login, NodeObservation, SentinelObservation
from coordcheck.secrets import Secret
from coordcheck.kolla.config_file import ServiceConfig, parse_url_into
from coordcheck.observe.tooz import Handshake

FIXED = "redis://default:pw@127.0.2.110:26379?sentinel=kolla&sentinel_password=pw"
BROKEN = "redis://default:pw@127.0.2.110:26379?sentinel=kolla"


def container(host_url=FIXED, inside_url=FIXED, state="running"):
    config = parse_url_into(ServiceConfig("ctl1", "cinder-volume", "cinder", "/etc/kolla/cinder-volume/cinder.conf", 0o600), host_url)
    c = ServiceContainer("ctl1", config, "cinder_volume", Container("cinder_volume", state, "img") if state else None)
    if inside_url:
        c.inside = parse_url_into(ServiceConfig("ctl1", "cinder-volume", "cinder", c.path_inside, None,
                                                container="cinder_volume"), inside_url)
    return c


def test_version_tuple():
    assert checks.version_tuple("3.1.0") == (3, 1, 0)
    assert checks.version_tuple("6.1.0.dev3") == (6, 1, 0)
    assert checks.version_tuple(None) == ()


def test_client_too_old_only_when_sentinels_need_a_password():
    old = Handshake(ok=False, stage="start", seconds=1, tooz="3.1.0", redis="4.3.4", python="3.11.2")
    new = dataclasses.replace(old, tooz="6.1.0")
    assert [f.id for f in checks.client_too_old(container(), old, True)] == ["CLIENT_TOO_OLD"]
    assert "tooz 3.1.0, redis-py 4.3.4" in checks.client_too_old(container(), old, True)[0].evidence
    assert checks.client_too_old(container(), old, False) == []
    assert checks.client_too_old(container(), new, True) == []


def test_container_config_stale_masks_both_urls():
    found = checks.config_matches_host(container(inside_url=BROKEN), "docker")
    assert [f.id for f in found] == ["CONTAINER_CONFIG_STALE"]
    assert "pw" not in found[0].evidence.replace("sentinel_password", "")
    assert "docker restart cinder_volume" in found[0].fix
    assert checks.config_matches_host(container(), "docker") == []
    assert checks.config_matches_host(container(inside_url=None), "docker")[0].evidence.endswith("cannot be read inside cinder_volume")


def test_not_running_and_absent():
    assert "is exited" in checks.running([container(state="exited")], "podman")[0].evidence
    assert "no container named cinder_volume" in checks.running([container(state=None)], "docker")[0].evidence
    assert checks.running([container()], "docker") == []


def test_log_errors_quote_the_newest_exception_line_masked():
    """From a Kolla log file: the traceback's lines carry the time of its first."""
    output = (f"{service_logs.NOW}2026-11-24T10:05:00+0000\n\n{service_logs.FILE}/var/log/kolla/cinder/cinder-volume.log\n"
              "2026-11-24 10:00:00.100 7 ERROR cinder-volume [-] Error starting coordination backend.\n"
              "    raise coordination.ToozConnectionError(\n"
              "tooz.coordination.ToozConnectionError: No master found for 'kolla' s3cret : "
              "<redis.client.Redis(<redis.connection.ConnectionPool(<redis.connection.Connection(db=0,password=<REDACTED>)>)>)>\n")
    found = checks.log_errors(container(), service_logs.from_files(output), "1h", [Secret("s3cret")], [])
    assert [f.id for f in found] == ["SERVICE_LOG_ERRORS"]
    assert found[0].evidence == (
        "/var/log/kolla/cinder/cinder-volume.log at 2026-11-24T10:00:00+00:00: tooz.coordination.ToozConnectionError: "
        "No master found for 'kolla' *** : <redis-py client> (the newest of 1 error line(s) in the last 1h since the "
        "container started)")
    healthy = f"{service_logs.NOW}2026-11-24T10:05:00+0000\n\n{service_logs.FILE}/x.log\n2026-11-24 10:00:00 7 INFO all good\n"
    assert checks.log_errors(container(), service_logs.from_files(healthy), "1h", [], []) == []


def test_remote_observations_round_trip():
    login = Login(Address("127.0.2.110", 26379), requires_password=True, password_ok=True)
    sentinel = SentinelObservation(login, "kolla", master={"ip": "127.0.2.110"}, master_addr=Address("127.0.2.110", 6379))
    node = NodeObservation(dataclasses.replace(login, address=Address("127.0.2.111", 6379)), {"role": "slave"})
    assert remote.sentinel_from(json.loads(json.dumps(dataclasses.asdict(sentinel)))) == sentinel
    assert remote.node_from(json.loads(json.dumps(dataclasses.asdict(node)))) == node


def test_remote_script_carries_the_call_not_a_command_line():
    text = remote.script({"kind": "node", "host": "h", "port": 1, "timeout": 1, "password": "s3cret"})
    assert "s3cret" in text  # only ever sent on stdin
    assert text.count("class Secret") == 1 and "def observe_node" in text
    compile(text, "remote", "exec")


def test_transport_lines_for_ssh_and_local():
    ssh = testinfra.get_host("ssh://admin@ctl1:2222", ssh_identity_file="/k/id", sudo=True)
    line = transport.command_line(ssh, "docker exec -i c python3 -")
    assert line.startswith("ssh ") and "-o Port=2222" in line and "-i /k/id" in line
    assert shlex.split(line)[-1] == "sudo /bin/sh -c 'docker exec -i c python3 -'"  # what the host's shell runs
    assert transport.command_line(testinfra.get_host("local://"), "true") == "/bin/sh -c true"


def test_ssh_line_reuses_the_connection_and_keeps_the_password_off_it():
    ssh = testinfra.get_host("ssh://admin:pa55word@ctl1", controlpath="/tmp/cm-%C")
    argv = transport.ssh_argv(*transport.native(ssh, "true"))
    assert argv[:3] == ["sshpass", "-e", "ssh"] and "pa55word" not in " ".join(argv)
    assert "ControlMaster=auto" in argv and "ControlPath=/tmp/cm-%C" in argv and argv[-2:] == ["ctl1", "true"]


def test_debian_mirror_from_deb822_and_one_line_sources(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n")
    assert images.debian_mirror(str(tmp_path)) == "http://mirror.example/debian"
    (tmp_path / "sources.list.d" / "debian.sources").unlink()
    (tmp_path / "sources.list").write_text("deb [arch=amd64] http://other.example/debian bookworm main\n")
    assert images.debian_mirror(str(tmp_path)) == "http://other.example/debian"


def test_remote_failure_is_one_line_without_the_password():
    failing = remote.Remote(lambda script: transport.Result(127, "", "sh: 1: python3: not found s3cret"), "inside x on h")
    try:
        failing.node(Address("127.0.2.110", 6379), Secret("s3cret"), 1.0)
    except remote.RemoteError as exc:
        assert str(exc) == "probe inside x on h exited 127: sh: 1: python3: not found ***"
    else:
        raise AssertionError("no RemoteError")


def test_transport_masks_an_ssh_password_of_an_ansible_host(tmp_path, caplog):
    inventory = tmp_path / "hosts"
    inventory.write_text("ctl1 ansible_host=127.0.0.1 ansible_port=1 ansible_user=u ansible_ssh_pass=s3cret-pass\n")
    host = testinfra.get_host("ansible://ctl1", ansible_inventory=str(inventory))
    with caplog.at_level("DEBUG", logger="coordcheck.observe.transport"):
        transport.run(host, "true", "", timeout=10)
    logged = caplog.text
    assert "RUN sshpass -e ssh" in logged and "s3cret-pass" not in logged  # the password: in sshpass's environment only


def test_a_consumer_names_its_cause_or_its_clients_error():
    board = checks.ConsumerContainer("ctl2", "octavia-worker", CONSUMERS["octavia-jobboard"],
                                     "/etc/kolla/octavia-worker/octavia.conf",
                                     "octavia_worker", Container("octavia_worker", "running", "img"))
    failed = Handshake(ok=False, stage="jobboard", seconds=5.0, error="octavia did not finish within 5 s",
                       redis="8.1.0", consumer="octavia", libraries={"octavia": "19.0.0", "taskflow": "6.5.0"},
                       sentinel_password=False)
    [cause] = checks.consumer_findings(board, failed, sentinels_need_password=True)
    assert cause.id == "JOBBOARD_NO_SENTINEL_AUTH" and cause.where.container == "octavia_worker"
    assert "octavia 19.0.0, taskflow 6.5.0" in cause.evidence and "/etc/octavia/octavia.conf" in cause.evidence
    [other] = checks.consumer_findings(board, dataclasses.replace(failed, sentinel_password=True), True)
    assert other.id == "CONSUMER_CLIENT_FAILED" and "did not finish" in other.evidence
    assert checks.consumer_findings(board, dataclasses.replace(failed, ok=True), True) == []
    horizon = dataclasses.replace(board, service="horizon", consumer=CONSUMERS["horizon"], name="horizon")
    assert horizon.path_inside == "/etc/openstack-dashboard/local_settings.d/_9998-kolla-settings.py"
    [absent] = checks.running([dataclasses.replace(horizon, state=None)], "docker")
    assert absent.id == "CONTAINER_NOT_RUNNING" and "kolla-ansible deploy --tags horizon" in absent.advice


def test_a_consumer_killed_at_its_deadline_says_which_client():
    from coordcheck.observe import tooz as tooz_probe
    killed = tooz_probe.outcome("", "", None, 5.0, [], "octavia")
    assert killed.timed_out and killed.consumer == "octavia" and killed.error.startswith("octavia did not finish within 5 s")
    assert tooz_probe.outcome("", "", 137, 5.0, []).error.startswith("tooz did not finish within 5 s")
