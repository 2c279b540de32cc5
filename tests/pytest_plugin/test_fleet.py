"""Many hosts at once (`coordcheck.pytest_plugin.fleet`): an ssh_config that
reuses one SSH connection per host and then reads the user's own, kept in
``--ssh-control-dir`` or removed with its temporary folder after the run,
and each host's tests in one xdist group."""

import json
import stat
from pathlib import Path

from coordcheck.pytest_plugin import fleet
from tests.conftest import run_checklist
from tests.pytest_plugin.repos import HEALTHY

SEEN = '''
import json, os, pathlib

def test_ssh_reused(request):
    path = request.config.option.ssh_config
    pathlib.Path(os.environ["SEEN"], "ssh.json").write_text(json.dumps(
        {"path": path, "text": pathlib.Path(path).read_text()}))

def test_grouped_by_host(host, request):
    pathlib.Path(os.environ["SEEN"], host.backend.get_hostname()).write_text(
        request.node.get_closest_marker("xdist_group").args[0])
'''


def test_ssh_config_reuses_connections_then_reads_the_users(tmp_path):
    user = tmp_path / "my_ssh_config"
    user.write_text("Host *\n  User operator\n")
    path = Path(fleet.ssh_config(str(user)))
    text = path.read_text()
    assert path.parent.name.startswith("coordcheck-ssh-") and path.name == "ssh_config"
    for line in ("ControlMaster auto", f"ControlPath {path.parent}/%C", "ControlPersist 60s", "StdinNull yes",
                 f"Include {user}"):
        assert line in text.splitlines(), line
    assert "Include /etc/ssh/ssh_config" not in text   # the user's own replaces the defaults
    path.unlink()
    path.parent.rmdir()


def test_a_control_dir_is_made_private_and_kept(tmp_path):
    control = tmp_path / "watch" / "ssh"
    path = Path(fleet.ssh_config(None, str(control)))
    assert path.parent == control and stat.S_IMODE(control.stat().st_mode) == 0o700
    assert f"ControlPath {control}/%C" in path.read_text()
    absent = [line for line in path.read_text().splitlines() if line.startswith("Include ")
              and not Path(line.split(" ", 1)[1]).is_file()]
    assert absent == []   # only the files that exist are included


def test_a_run_through_the_inventory_reuses_ssh_and_groups_each_hosts_tests(tmp_path):
    """Through the plugin: testinfra gets the ssh_config (removed with its folder
    after the run), ``--dist load`` becomes loadgroup, each host's tests one group."""
    (tmp_path / "test_seen.py").write_text(SEEN)
    run = run_checklist(str(tmp_path / "test_seen.py"), "--inventory", str(HEALTHY / "multinode"), "--configdir",
                        str(HEALTHY / "etc" / "kolla"), "-n", "1", "--dist", "load", "-v", tmp_path=tmp_path,
                        cwd=tmp_path, env={"SEEN": str(tmp_path)})
    assert run.returncode == 0, run.output[-3000:]
    assert len(run.outcomes()) == 4 and set(run.outcomes().values()) == {"passed"}
    seen = json.loads((tmp_path / "ssh.json").read_text())
    assert "ControlMaster auto" in seen["text"] and "scheduling tests via LoadGroupScheduling" in run.stdout
    assert not Path(seen["path"]).parent.exists(), "the run's SSH folder outlived it"
    assert {host: (tmp_path / host).read_text() for host in ("ctl1", "ctl2", "ctl3")} == \
        {"ctl1": "ctl1", "ctl2": "ctl2", "ctl3": "ctl3"}
