"""The README tells the truth about the catalogue, the modules and the commands."""

from coordcheck.findings import markdown_table
from fixtures.target import RUNBOOK
from tests.conftest import PROJECT

README = (PROJECT / "README.md").read_text()


def test_failure_catalogue_is_the_code_catalogue():
    assert markdown_table() in README


def test_every_checklist_module_is_in_the_runbook_table():
    for module in RUNBOOK:
        assert f"`tests_infra/{module}.py`" in README
        assert (PROJECT / "tests_infra" / f"{module}.py").is_file()


def test_two_commands():
    assert "make demo" in README and "make test" in README
    assert "make test" in (PROJECT / ".ci" / "run").read_text()
