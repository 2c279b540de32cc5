"""The Kolla files a lab writes: the inventory (local, or over real SSH:
`coordcheck up --ssh` gives the hosts sshds of their own, key login, port
2222 on each host's address, and every host command then crosses SSH), the
sshd configs, the service configs and the consumers' files."""

import re

import pytest

from coordcheck import kolla
from coordcheck.consumers import FAKED
from coordcheck.kolla import backend_url_of
from coordcheck.lab import kolla_files
from coordcheck.secrets import Secret
from coordcheck.url import with_sentinel_password
from tests.conftest import assert_no_secret, lab, run_checklist, run_cli
from tests.pytest_plugin.checklist_ids import SENTINEL_AUTH_CHECKS

HOSTS = {"ctl1": "127.0.5.110", "ctl2": "127.0.5.111", "ctl3": "127.0.5.112"}
PASSWORD = Secret("kolla-files-pw")


@pytest.fixture(scope="module")
def over_ssh(tmp_path_factory):
    with lab(tmp_path_factory.mktemp("ssh") / "kolla", "--ssh") as made:
        yield made


def test_inventory_reaches_hosts_over_ssh(over_ssh):
    inventory = over_ssh.inventory.read_text()
    for ip in over_ssh.hosts.values():
        assert inventory.count(f"ansible_connection=ssh ansible_host={ip} ") == 1
    assert "ansible_connection=local" not in inventory


def test_checklist_over_ssh(over_ssh, tmp_path):
    run = run_checklist(*over_ssh.checklist_args(), "-vv", "-o", "log_cli=true", "--log-cli-level=DEBUG",
                        tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(run.outcomes().values()) == {"passed"}
    host_commands = [line for line in run.stdout.splitlines() if "RUN CommandResult(backend=" in line
                     and "ansible-inventory" not in line]
    assert host_commands and all("SshBackend" in line and re.search(r"command=b['\"]ssh ", line)
                                 for line in host_commands)


def test_incident_over_ssh(over_ssh, tmp_path):
    run_cli("repro", "--dir", str(over_ssh.root))
    try:
        run = run_checklist(*over_ssh.checklist_args(), "-vv", "-o", "log_cli=true", "--log-cli-level=DEBUG",
                            tmp_path=tmp_path, cwd=tmp_path)
    finally:
        run_cli("fix", "--dir", str(over_ssh.root))
    assert set(run.failures()) == SENTINEL_AUTH_CHECKS
    assert_no_secret(run.output, over_ssh.password)


def test_more_hosts_than_one_sshd_listens_for(tmp_path_factory, tmp_path):
    """sshd listens on at most 16 addresses: a lab of 18 controllers runs two,
    and the checklist reaches every host over SSH, each once."""
    root = tmp_path_factory.mktemp("ssh18") / "kolla"   # a short path: ssh's control sockets live under it
    with lab(root, "--ssh", "--controllers", "18") as eighteen:
        run = run_checklist(*eighteen.checklist_args(), "-m", "network", tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    hosts = {test.split("ansible://")[1].rstrip("]") for test in run.outcomes() if "ansible://" in test}
    assert hosts == {f"ctl{n}" for n in range(1, 19)}


# -- the files themselves -------------------------------------------------------------
def test_a_local_inventory_puts_every_service_on_every_controller(tmp_path):
    text = kolla_files.inventory_text(kolla.FLAVORS["redis"], tmp_path, hosts=HOSTS)
    for host, ip in HOSTS.items():
        assert f"{host} ansible_connection=local api_interface_address={ip} node_config_directory={tmp_path / host}" in text
    assert "[redis:children]\ncontrol" in text
    assert all(f"[{s.service}:children]\ncontrol" in text for s in kolla.LOCAL_SERVICES)


def test_backends_and_placement_are_groups_of_their_hosts(tmp_path):
    text = kolla_files.inventory_text(kolla.FLAVORS["valkey"], tmp_path, placement=[("ctl2", "cinder-volume")],
                                      hosts=HOSTS, backends=["ctl1"])
    assert "\n[valkey]\nctl1\n" in text and "[valkey:children]" not in text
    assert "\n[cinder-volume]\nctl2\n" in text and "[cinder-volume:children]" not in text


def test_an_ssh_inventory_names_the_labs_key_and_port(tmp_path):
    text = kolla_files.inventory_text(kolla.FLAVORS["redis"], tmp_path, ssh=tmp_path / "ssh", hosts=HOSTS)
    assert text.count(f"ansible_port={kolla_files.SSH_PORT} ") == 3
    assert text.count(f"ansible_ssh_private_key_file={tmp_path / 'ssh' / 'id_ed25519'} ") == 3
    assert f"ControlPath={tmp_path / 'ssh'}/cm-%h" in text


def test_one_sshd_per_16_addresses_or_one_per_namespace():
    many = {f"ctl{i}": f"127.0.5.{i}" for i in range(1, 34)}
    shared = kolla_files.sshds(many, per_host=False)
    assert [(name, len(ips)) for name, _, ips in shared] == [("sshd-1", 16), ("sshd-2", 16), ("sshd-3", 1)]
    assert [ip for _, _, ips in shared for ip in ips] == list(many.values())
    assert kolla_files.sshds(HOSTS, per_host=True)[1] == ("sshd-ctl2", "ctl2", ["127.0.5.111"])


def test_an_sshd_config_listens_on_its_addresses_with_keys_only(tmp_path):
    text = kolla_files.sshd_config(tmp_path, ["127.0.5.110", "127.0.5.111"], "sshd-1")
    assert "ListenAddress 127.0.5.110\nListenAddress 127.0.5.111\n" in text
    assert f"Port {kolla_files.SSH_PORT}\n" in text and "PasswordAuthentication no\n" in text
    assert f"PidFile {tmp_path / 'sshd-1.pid'}\n" in text


def test_a_service_config_as_kolla_renders_it():
    url = kolla.connection_string(kolla.FLAVORS["redis"], list(HOSTS.values()), PASSWORD)
    text = kolla_files.service_config_text(url, "cinder")
    assert backend_url_of(text, "cinder.conf") == url.reveal()
    assert "log_dir = /var/log/kolla/cinder\nuse_stderr = False\n" in text
    assert "log_dir" not in kolla_files.service_config_text(url)


@pytest.mark.parametrize("consumer", FAKED.values(), ids=lambda c: c.name)
def test_a_consumers_files_carry_the_sentinel_password_as_an_operator_adds_it(consumer):
    """As `fix` writes them (the fixed URL, the consumer's own option), and as `break` does (stock Kolla)."""
    incident = kolla.connection_string(kolla.FLAVORS["redis"], list(HOSTS.values()), PASSWORD)
    fixed = Secret(with_sentinel_password(incident.reveal(), PASSWORD), by_value=False)
    with_it = kolla_files.consumer_files(consumer, fixed, PASSWORD, list(HOSTS.values()))
    stock = kolla_files.consumer_files(consumer, incident, PASSWORD, list(HOSTS.values()), sentinel_password=False)
    assert list(with_it) == list(stock) == list(consumer.files)
    assert all(ip in "".join(with_it.values()) for ip in HOSTS.values())
    stock_lines = "".join(stock.values()).splitlines()
    added = [line for line in "".join(with_it.values()).splitlines() if line not in stock_lines]
    assert added and all(consumer.sentinel_password in line for line in added)   # (lines that hold the password)
