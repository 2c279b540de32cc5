"""The lab's verbs as `coordcheck` runs them (argparse's namespace in, lines
out): `compose`, `break` and its list, `status`, `repro` and `fix`, and the
one-line refusals of `up` before anything is written."""

import argparse

import pytest

from coordcheck.lab import compose, verbs
from coordcheck.lab.console import CommandError
from coordcheck.lab.scenarios import SCENARIOS

UP = dict(verb="up", release=[], containers=None, controllers=3, consumers=False)


def run(capsys, **args) -> list[str]:
    verbs.run(argparse.Namespace(**args))
    return capsys.readouterr().out.splitlines()


def test_compose_prints_the_repositorys_file(capsys):
    verbs.run(argparse.Namespace(verb="compose"))
    assert capsys.readouterr().out == compose.text()


def test_break_list_describes_every_scenario(capsys, tmp_path):
    listed = run(capsys, verb="break", scenario="list", dir=str(tmp_path))
    assert [line.split()[0] for line in listed] == list(SCENARIOS)
    assert listed[0].endswith(SCENARIOS["SENTINEL_AUTH_MISSING"].description)


def test_a_misspelt_scenario_gets_the_closest_name(tmp_path):
    with pytest.raises(CommandError, match=r"unknown scenario 'sentinel_auth_mising' \(did you mean "
                                           r"SENTINEL_AUTH_MISSING\? known: SENTINEL_AUTH_MISSING, "):
        verbs.run(argparse.Namespace(verb="break", scenario="sentinel_auth_mising", dir=str(tmp_path)))


@pytest.mark.parametrize("changed, says", [
    ({"release": [(None, "2025.1")]}, "--release chooses the service containers' images: add --containers"),
    ({"release": [("ctl4", "2025.1")], "containers": "docker"}, r"--release ctl4=\.\.\.: no such host \(the lab's "
                                                                r"hosts are ctl1\.\.ctl3\)"),
    ({"consumers": True, "containers": "podman"}, r"--consumers runs .* containers: add --containers \(docker\)"),
])
def test_up_refuses_what_cannot_be_before_writing(tmp_path, changed, says):
    with pytest.raises(CommandError, match=says):
        verbs.run(argparse.Namespace(**{**UP, **changed, "dir": str(tmp_path / "kolla")}))
    assert not (tmp_path / "kolla").exists()


def test_a_file_is_no_labs_folder(tmp_path):
    (tmp_path / "notes").write_text("mine")
    with pytest.raises(CommandError, match=f"--dir {tmp_path / 'notes'} is not a folder"):
        verbs.run(argparse.Namespace(verb="down", dir=str(tmp_path / "notes")))


def test_status_names_the_faults_repro_and_fix_leave(capsys, written_lab):
    root = str(written_lab.root)
    assert run(capsys, verb="status", dir=root) == [
        "faults: not recorded (a lab made by an older coordcheck: `down`, then `up` again)"]
    written_lab.snapshot()
    assert run(capsys, verb="status", dir=root) == ["faults: none"]
    configs = len(written_lab.service_config_paths())
    assert run(capsys, verb="repro", dir=root) == [
        f"repro: backend_url without sentinel_password written to {configs} service configs"]
    assert run(capsys, verb="status", dir=root) == ["faults: SENTINEL_AUTH_MISSING (`coordcheck reset` undoes them)"]
    assert run(capsys, verb="fix", dir=root) == [
        f"fix: backend_url with sentinel_password written to {configs} service configs"]
    assert run(capsys, verb="status", dir=root) == ["faults: none"]
