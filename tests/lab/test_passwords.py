"""The passwords `coordcheck up` deploys: one that survives every place Kolla
writes it, or why not in words that never quote it; one read from a file."""

import pytest

from coordcheck import kolla
from coordcheck.lab.errors import DeploymentError
from coordcheck.lab.passwords import PASSWORD_FILE_MAX, PASSWORD_MAX, password_problem, read_password_file


@pytest.mark.parametrize("password", ["x" * 40, "p@ss:w%rd+&=;ü", "€uro-Ωmega", "a" * PASSWORD_MAX])
def test_a_password_that_survives_every_place_is_taken(password):
    assert password_problem(password) is None
    assert password_problem(password, kolla.FLAVORS["valkey"]) is None


@pytest.mark.parametrize("password, says", [
    ("", "is empty"),
    ("a" * (PASSWORD_MAX + 1), f"longer than {PASSWORD_MAX} characters"),
    ("line\nbreak", "control character or a line break"),
    ("to/the", "'/', '?' or '#'"),
    ("v6[::1]", "'[' or ']'"),
    ("full\uff0fwidth", "Unicode NFKC"),
    ("two words", "a space or a quote"),
    ("\udcff", "not valid UTF-8"),
])
def test_a_password_that_cannot_be_deployed_says_why_without_quoting_it(password, says):
    problem = password_problem(password)
    assert problem and says in problem
    assert password.strip() == "" or password not in problem


def test_a_password_file_gives_its_first_line_stripped(tmp_path):
    path = tmp_path / "pw"
    path.write_bytes(b"  s3cret-from-file \nsecond line\n")
    assert read_password_file(path) == "s3cret-from-file"


@pytest.mark.parametrize("content, says", [
    (None, "does not exist"),
    (b"\n\n", "is empty"),
    (b"pass\x00word\n", "is binary"),
    (b"\xff\xfe\n", "is not UTF-8 text"),
    (b"x" * (PASSWORD_FILE_MAX + 1), f"first line is longer than {PASSWORD_FILE_MAX // 1024} KiB"),
])
def test_a_password_file_that_holds_no_password_is_one_line(tmp_path, content, says):
    path = tmp_path / "pw"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DeploymentError, match=f"^password file {path} {says}" if says.startswith(("is", "does"))
                       else f"^password file {path}: its {says}"):
        read_password_file(path)


def test_a_folder_is_not_a_password_file(tmp_path):
    with pytest.raises(DeploymentError, match="is a folder, not a file"):
        read_password_file(tmp_path)
