"""A command on a testinfra host with text on its stdin, killed at a
deadline (here through testinfra's local backend); the ssh command line
built from an ssh host's own settings; a config's reading logged without
its output."""

import logging
import time

import pytest
import testinfra

from coordcheck.observe import transport
from coordcheck.observe.transport import TransportError


@pytest.fixture(scope="module")
def local():
    return testinfra.get_host("local://")


def test_stdin_reaches_the_command_and_never_its_command_line(local):
    done = transport.run(local, "cat; echo \"$0\"", "the script\n", timeout=10)
    assert (done.rc, done.stdout) == (0, "the script\n/bin/sh\n") and not done.timed_out


def test_a_command_past_its_deadline_is_killed_with_its_children(local, tmp_path):
    marker = tmp_path / "survived"
    started = time.monotonic()
    done = transport.run(local, f"sleep 1 && touch {marker} & sleep 30", "", timeout=0.3)
    assert done.timed_out and done.rc is None and time.monotonic() - started < 2
    time.sleep(1.5)
    assert not marker.exists()   # its process group went with it


def test_the_last_json_line_is_the_result():
    assert transport.last_json('warning: x\n{"ok": false}\nnoise\n{"ok": true, "stage": "done"}\n') == \
        {"ok": True, "stage": "done"}
    assert transport.last_json("Traceback ...\n") is None


def test_the_ssh_line_is_the_hosts_own_connection(tmp_path):
    key = tmp_path / "id_ed25519"
    host = testinfra.get_host("ssh://kolla@127.0.5.110:2222", ssh_identity_file=str(key), controlpersist=30,
                              ssh_extra_args="-o StrictHostKeyChecking=no")
    argv = transport.ssh_argv(host.backend, "python3 -")
    assert argv[0] == "ssh" and argv[-2:] == ["127.0.5.110", "python3 -"]
    for option in (["-o", "User=kolla"], ["-o", "Port=2222"], ["-i", str(key)], ["-o", "ControlPersist=30s"],
                   ["-o", "StrictHostKeyChecking=no"]):
        assert any(argv[i:i + 2] == option for i in range(len(argv))), (option, argv)
    assert transport.command_line(host, "true").startswith("ssh ")


def test_a_connection_that_cannot_carry_stdin_is_refused():
    with pytest.raises(TransportError, match="testinfra's docker connection cannot pass stdin to a command"):
        transport.command_line(testinfra.get_host("docker://cinder_volume"), "python3 -")


def test_a_reading_is_logged_without_its_output(caplog):
    testinfra_log = logging.getLogger("testinfra")
    with caplog.at_level(logging.DEBUG, logger="testinfra"):
        with transport.output_withheld("ctl1:/etc/kolla/cinder-volume/cinder.conf"):
            testinfra_log.debug("RUN CommandResult(stdout=b'backend_url = redis://default:pw@...')")
    messages = [r.getMessage() for r in caplog.records if r.name == "testinfra"]
    assert messages == ["RUN read ctl1:/etc/kolla/cinder-volume/cinder.conf (output withheld: it holds passwords)"]
