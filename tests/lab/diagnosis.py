"""What the lab's scenario tests share: labs that scenarios take turns on, a
broken lab diagnosed by the checklist exactly as its scenario says, and
`coordcheck reset` putting it back as `up` left it."""

import contextlib
from pathlib import Path

import pytest
import redis

from coordcheck import kolla
from coordcheck.kolla.config_file import read_service_config
from coordcheck.lab.deployment import LocalDeployment
from coordcheck.lab.readiness import disagreement
from coordcheck.lab.scenarios import LOG_TIMEOUT, SCENARIOS
from tests.conftest import Deployment, assert_no_secret, kolla_container_names, reported, run_checklist, run_cli

#: every scenario a plain `coordcheck up` lab takes (the others need containers, namespaces or no sentinel password)
PLAIN = [n for n, s in SCENARIOS.items() if s.sentinel_auth and not (s.containers or s.netns or s.consumers)]


class Labs:
    """Labs that scenarios take turns on, one per kind of `coordcheck up` (its arguments), one holding
    Kolla's container names (``--containers``) at a time; a test leaves its lab as `up` left it or drops it.
    ``close``: all down."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory, self.up = tmp_path_factory, {}

    def take(self, *up_args: str) -> Deployment:
        if up_args in self.up:
            return self.up[up_args][0]
        containers = "--containers" in up_args
        if containers:   # the names are one engine's once
            for other in [kind for kind in self.up if "--containers" in kind]:
                self.drop(*other)
        held = contextlib.ExitStack()
        if containers:
            held.enter_context(kolla_container_names())
        root = self.tmp_path_factory.mktemp("kolla") / "kolla"
        held.callback(run_cli, "down", "--dir", str(root), check=False)
        try:
            run_cli("up", "--dir", str(root), *up_args, timeout=900)
        except BaseException:
            held.close()
            raise
        self.up[up_args] = Deployment(root), held
        return self.up[up_args][0]

    def drop(self, *up_args: str) -> None:
        self.up.pop(up_args)[1].close()

    def close(self) -> None:
        for up_args in list(self.up):
            self.drop(*up_args)


def assert_diagnosed(scenario, deployment, tmp_path):
    """Break ``deployment`` with ``scenario``, run the checklist: exactly its
    finding, at its place, what it must also report and nothing unrelated,
    its exit code, no password."""
    assert scenario.finding in run_cli("break", scenario.name, "--dir", str(deployment.root),
                                       timeout=LOG_TIMEOUT + 60).stdout
    run = run_checklist(*deployment.checklist_args(), "-vv", "-o", "log_cli=true", "--log-cli-level=DEBUG",
                        tmp_path=tmp_path, cwd=tmp_path)
    found = reported(run)
    warning = f"{scenario.finding} (warning)"
    main = found.get(warning if scenario.passes else scenario.finding)
    assert main, f"{scenario.finding} not reported; reported: {sorted(found)}\n{run.stdout[-4000:]}"
    places = scenario.places(deployment.hosts)
    assert any(all(part in where for part in places) for where in main), (places, main)
    ids = {f.replace(" (warning)", "") for f in found}
    unrelated = ids - {scenario.finding} - scenario.related
    assert not unrelated, f"unrelated findings: {unrelated}\n{run.stdout[-4000:]}"
    assert scenario.also <= ids, f"{scenario.also - ids} not reported\n{run.stdout[-4000:]}"
    assert run.returncode == (0 if scenario.passes else 1), run.stdout[-4000:]
    assert_no_secret(run.output, deployment.password, *url_passwords(deployment))
    return run


def url_passwords(deployment):
    """Every password the broken service configs hold, right or wrong."""
    found = []
    for path in deployment.root.glob("ctl*/*/*.conf"):
        config = read_service_config("ctl", str(path), path.read_text(), 0)
        if config.url:
            found += [p for p in (config.url.password, config.url.sentinel_password) if p]
    return found


def assert_reset_puts_it_back(deployment, name, tmp_path, servers_as_up_left_them: bool):
    """`coordcheck reset` after `break name`: no fault left; then the files and servers as `up` left them
    (a lab with sentinel passwords and no service containers), or the checklist green again."""
    assert LocalDeployment(deployment.root).faults() == [name]
    assert f"reset: {name} undone" in run_cli("reset", "--dir", str(deployment.root), timeout=300).stdout
    assert "faults: none" in run_cli("status", "--dir", str(deployment.root)).stdout
    if servers_as_up_left_them:
        assert_as_up_left_it(LocalDeployment(deployment.root))
        return
    run = run_checklist(*deployment.checklist_args(), tmp_path=tmp_path / "after-reset", cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-4000:]


def assert_files_as_up_left_them(lab: LocalDeployment) -> None:
    """Every file as `up` wrote it: bytes and mode."""
    for path in map(Path, lab.state()["files"]):
        copy = lab.pristine_dir / path.relative_to(lab.root)
        same = path.read_bytes() == copy.read_bytes() and path.stat().st_mode == copy.stat().st_mode
        assert same, path   # (the bytes hold the password: only the path is shown)


def assert_as_up_left_it(lab: LocalDeployment) -> None:
    """Every file as `up` wrote it (bytes, mode), and the servers' state the
    faults change: sentinel password, master, quorum, agreement, replica priority."""
    assert_files_as_up_left_them(lab)
    assert disagreement(lab.sentinel_addresses(), lab.password()) == []
    master = (lab.address(lab.layout().master), str(kolla.DATA_PORT))
    for host in lab.layout().backends:
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(lab.address(host), kolla.SENTINEL_PORT, socket_timeout=2, retry=None).ping()
        sentinel = lab.client(host, "sentinel")
        assert tuple(sentinel.execute_command("SENTINEL", "get-master-addr-by-name", kolla.MASTER_NAME)) == master
        assert int(sentinel.sentinel_master(kolla.MASTER_NAME)["quorum"]) == kolla.QUORUM
        assert sentinel.execute_command("SENTINEL", "CKQUORUM", kolla.MASTER_NAME)
        assert lab.client(host, "server").config_get("replica-priority") == {"replica-priority": "100"}
