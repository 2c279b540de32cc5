"""Where a lab may live: ``--dir`` checked before anything is written,
each refusal one line, nothing left behind by the check."""

import pytest

from coordcheck.lab.errors import DeploymentError
from coordcheck.lab.folders import usable_root


def test_a_new_folder_is_taken_absolute_and_nothing_is_left(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert usable_root("labs/kolla") == tmp_path / "labs" / "kolla"
    assert list(tmp_path.iterdir()) == []   # neither the folder nor the probe of it


@pytest.mark.parametrize("name, says", [
    ("with space", "the path holds a space, a quote, a backslash"),
    ("hash#tag", "the path holds a space"),
    ("{{ jinja }}", "the path holds a space"),
    ("quote'd", "the path holds a space"),
    ("tab\there", "'"),   # shown as repr: one printable word
])
def test_a_path_the_inventory_cannot_carry_is_refused(tmp_path, name, says):
    with pytest.raises(DeploymentError, match="^--dir ") as raised:
        usable_root(tmp_path / name)
    assert says in str(raised.value) and "\t" not in str(raised.value)
    assert not (tmp_path / name).exists()


def test_a_file_in_the_way(tmp_path):
    (tmp_path / "notes").write_text("mine")
    with pytest.raises(DeploymentError, match="notes exists and is not a folder"):
        usable_root(tmp_path / "notes")
    with pytest.raises(DeploymentError, match=f"cannot be created: {tmp_path / 'notes'} is not a folder"):
        usable_root(tmp_path / "notes" / "kolla")


def test_the_kernels_filesystems_are_no_place():
    with pytest.raises(DeploymentError, match="is on the kernel's proc filesystem"):
        usable_root("/proc/coordcheck")


def test_an_empty_dir_and_a_symlink_loop(tmp_path):
    with pytest.raises(DeploymentError, match="--dir is empty"):
        usable_root("  ")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(DeploymentError, match="cannot be resolved"):
        usable_root(tmp_path / "loop" / "kolla")
