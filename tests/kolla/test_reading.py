"""The one reader every input file goes through: regular files only, a size
bound, a time bound, one clear line naming the file otherwise."""

import os
import socket
import time
from pathlib import Path

import pytest

from coordcheck.kolla import KollaError
from coordcheck.kolla.reading import files_under, is_present, read_bytes, read_lenient, read_text
from tests.kolla.hostile import bounded, one_line, render


def refused(path, says, reader=read_text):
    started = time.monotonic()
    with pytest.raises(KollaError) as caught:
        reader(path, "override file")
    message = str(caught.value)
    assert message.startswith(f"override file {path}") and says in message and "\n" not in message, message
    assert time.monotonic() - started < 1


def test_a_regular_file_is_read(tmp_path):
    (tmp_path / "a.conf").write_text("[coordination]\nbackend_url = x\n")
    assert read_text(tmp_path / "a.conf", "override file").startswith("[coordination]")
    assert is_present(tmp_path / "a.conf", "override file") and not is_present(tmp_path / "nope", "override file")


def test_a_directory_is_refused(tmp_path):
    (tmp_path / "cinder.conf").mkdir()
    refused(tmp_path / "cinder.conf", "is a directory, not a regular file")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "fifo.conf")
    refused(tmp_path / "fifo.conf", "is a FIFO (named pipe), not a regular file")


def test_a_device_is_refused_before_it_is_opened(tmp_path):
    (tmp_path / "zero.conf").symlink_to("/dev/zero")
    refused(tmp_path / "zero.conf", "is a character device, not a regular file")
    refused("/dev/zero", "is a character device", read_bytes)


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s.conf"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        refused(path, "is a socket, not a regular file")


def test_a_symlink_loop_is_refused(tmp_path):
    (tmp_path / "a.conf").symlink_to(tmp_path / "b.conf")
    (tmp_path / "b.conf").symlink_to(tmp_path / "a.conf")
    refused(tmp_path / "a.conf", "is a symlink loop")
    with pytest.raises(KollaError, match="is a symlink loop"):
        is_present(tmp_path / "a.conf", "override file")


def test_missing_binary_and_non_utf8_files_are_one_line(tmp_path):
    refused(tmp_path / "nope.conf", "does not exist")
    (tmp_path / "bin.conf").write_bytes(b"\x00\x01junk")
    refused(tmp_path / "bin.conf", "it is binary, not text")
    (tmp_path / "latin.conf").write_bytes(b"caf\xe9\n")
    refused(tmp_path / "latin.conf", "it is not UTF-8 text")
    assert read_lenient(tmp_path / "latin.conf", "override file") == "caf\ufffd\n"


def test_a_file_past_the_size_bound_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "big.yml"
    with open(path, "wb") as stream:
        stream.truncate(64 * 1024 * 1024)  # sparse: 64 MB of zeros costs nothing on disk
    started = time.monotonic()
    with pytest.raises(KollaError, match="is larger than 1 MB"):
        read_bytes(path, "passwords file", limit=1024 * 1024)
    assert time.monotonic() - started < 1


def test_files_under_a_folder_are_typed_too(tmp_path):
    (tmp_path / "nova").mkdir()
    (tmp_path / "nova" / "nova.conf").write_text("[DEFAULT]\n")
    (tmp_path / "dangling.conf").symlink_to(tmp_path / "gone")
    assert files_under(tmp_path, "*.conf", "override file") == [tmp_path / "nova" / "nova.conf"]
    os.mkfifo(tmp_path / "pipe.conf")
    with pytest.raises(KollaError, match="pipe.conf is a FIFO"):
        files_under(tmp_path, "*.conf", "override file")
    assert files_under(tmp_path / "missing", "*.conf", "override file") == []


# -- every input file of a config repository goes through this reader: the gate says which one ---------
def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dir(path: Path) -> None:
    path.mkdir()


def _zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _loop(path: Path) -> None:
    path.symlink_to(path.with_name("other-" + path.name))
    path.with_name("other-" + path.name).symlink_to(path)


FILE_KINDS = {"a directory": (_dir, "is a directory"), "a FIFO": (_fifo, "is a FIFO"),
              "/dev/zero": (_zero, "is a character device"), "a symlink loop": (_loop, "is a symlink loop")}
PLACES = ["etc/kolla/config/cinder.conf", "etc/kolla/config/cinder/ctl1/cinder.conf", "etc/kolla/globals.yml",
          "etc/kolla/globals.d/extra.yml", "etc/kolla/passwords.yml", "multinode", "group_vars/all.yml"]


#: An inventory and group_vars/all.yml may be folders for ansible: those are read as such.
FILE_CASES = [(k, p) for k in sorted(FILE_KINDS) for p in PLACES if not (k == "a directory" and p in PLACES[-2:])]


@pytest.mark.parametrize("kind, place", FILE_CASES)
def test_a_file_that_is_not_a_regular_file_is_one_line_naming_it(hostile_repo, kind, place):
    path = hostile_repo / place
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    make, says = FILE_KINDS[kind]
    make(path)
    one_line(bounded(lambda: render(hostile_repo)), str(path), says)
