"""`coordcheck reset`: what `up` left kept (every file, as the sentinels
agreed), the faults applied since recorded in order, and every one undone
(issue 19). Each plain scenario's reset: tests/lab/test_scenarios.py, which
runs them in turn on one lab."""

import pytest

from coordcheck.lab.deployment import DeploymentError
from coordcheck.lab.readiness import disagreement
from tests.conftest import Deployment, assert_no_secret, run_checklist, run_cli
from tests.lab.diagnosis import assert_files_as_up_left_them


@pytest.fixture(scope="module")
def plain_lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("reset") / "kolla"
    run_cli("up", "--dir", str(root), timeout=300)
    yield Deployment(root)
    run_cli("down", "--dir", str(root))


def test_faults_stack_status_names_them_and_reset_makes_the_checklist_green(plain_lab, tmp_path):
    root = str(plain_lab.root)
    for name in ("SENTINEL_UNREACHABLE", "REPLICATION_BROKEN", "CONFIG_WORLD_READABLE", "PASSWORD_REJECTED"):
        run_cli("break", name, "--dir", root)
    run_cli("repro", "--dir", root)
    status = run_cli("status", "--dir", root).stdout
    assert ("faults: SENTINEL_UNREACHABLE, REPLICATION_BROKEN, CONFIG_WORLD_READABLE, PASSWORD_REJECTED, "
            "SENTINEL_AUTH_MISSING (`coordcheck reset` undoes them)") in status
    run_cli("fix", "--dir", root)   # fix rewrites the URLs only: the other faults stay
    assert "faults: SENTINEL_UNREACHABLE, REPLICATION_BROKEN, CONFIG_WORLD_READABLE, PASSWORD_REJECTED " \
           "(" in run_cli("status", "--dir", root).stdout
    assert "undone" in run_cli("reset", "--dir", root).stdout
    assert "faults: none" in run_cli("status", "--dir", root).stdout
    run = run_checklist(*plain_lab.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 0 and set(run.outcomes().values()) == {"passed"}, run.stdout[-3000:]
    assert_no_secret(run.output, plain_lab.password)


# -- without servers: the record and the copy ------------------------------------------
def test_a_lab_without_a_snapshot_has_no_record_and_no_reset(written_lab):
    assert written_lab.faults() is None     # as a lab made by an older coordcheck
    with pytest.raises(DeploymentError, match="has no copy of what `up` wrote"):
        written_lab.reset()


def test_the_snapshot_copies_every_file_and_starts_an_empty_record(written_lab):
    written_lab.snapshot()
    assert written_lab.faults() == []
    assert_files_as_up_left_them(written_lab)
    copies = [p for p in written_lab.pristine_dir.rglob("*") if p.is_file()]
    assert len(copies) == len(written_lab.state()["files"])


def test_faults_are_recorded_once_each_in_the_order_applied(written_lab):
    written_lab.snapshot()
    for name in ("QUORUM_LOST", "URL_DRIFT", "QUORUM_LOST"):
        written_lab.record_fault(name)
    assert written_lab.faults() == ["URL_DRIFT", "QUORUM_LOST"]
    written_lab.record_fault("URL_DRIFT", active=False)
    assert written_lab.faults() == ["QUORUM_LOST"]


# -- with servers: one backend, reset for real --------------------------------------------
def test_reset_restores_a_changed_file_and_restarts_the_servers(one_backend_lab):
    conf = one_backend_lab.service_config_paths()[0]
    written, pids = conf.read_bytes(), [p.pid for p, _ in one_backend_lab.processes()]
    conf.write_text("[coordination]\nbackend_url = redis://nowhere\n")
    conf.chmod(0o644)
    one_backend_lab.record_fault("URL_INVALID")
    assert one_backend_lab.reset() == ["URL_INVALID"] and one_backend_lab.faults() == []
    restored = conf.read_bytes() == written   # (bytes that hold the password)
    assert restored and conf.stat().st_mode & 0o077 == 0
    assert all(running for _, running in one_backend_lab.processes())
    assert not {p.pid for p, _ in one_backend_lab.processes()} & set(pids)   # restarted, not left
    assert disagreement(one_backend_lab.sentinel_addresses(), one_backend_lab.password()) == []
