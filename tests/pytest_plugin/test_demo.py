"""`make demo`'s run: `pytest` with no options starts a local deployment,
checks it through the inventory and testinfra, and stops it."""

from tests.conftest import CONTAINER_NAMES, claims_under, processes_under, run_checklist


@CONTAINER_NAMES  # its container step looks at the engine, where the container labs' Kolla-named containers run
def test_pytest_without_options_checks_a_local_deployment(tmp_path):
    """Its lab lives in the temporary folder (TMPDIR here) and leaves nothing behind: no server, no
    address range claimed, no folder (other tests' labs may take the same range right after)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    run = run_checklist(tmp_path=tmp_path, env={"TMPDIR": str(scratch)})
    outcomes = run.outcomes()
    assert run.returncode == 0, run.stdout[-3000:]
    assert len(outcomes) > 50 and set(outcomes.values()) == {"passed"}
    assert "[ansible://ctl3]" in " ".join(outcomes)
    assert processes_under(scratch) == [] and claims_under(scratch.resolve()) == []
    assert not list(scratch.glob("coordcheck-*"))


def test_valkey_flavor(tmp_path):
    run = run_checklist("--flavor=valkey", "-m", "auth or config", tmp_path=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(run.outcomes().values()) == {"passed"}
