"""The README tells the truth about the catalogue, the modules and the commands."""

from coordcheck.findings import markdown_table
from coordcheck.pytest_plugin.target import RUNBOOK
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


def test_scenario_table_is_the_code_table():
    from coordcheck.lab.scenarios import markdown_table as scenario_table
    assert scenario_table() in README


def test_every_catalogue_entry_has_a_scenario_or_named_test():
    from coordcheck.findings import CATALOGUE
    from coordcheck.lab.scenarios import SCENARIOS
    reproduced = {s.finding for s in SCENARIOS.values()}
    covered_elsewhere = {"CONFIG_MISSING": "tests/pytest_plugin/test_checklist.py", "DISCOVERY_FAILED": "tests/checks/test_checks.py",
                         "SENTINEL_TOPOLOGY_INCOMPLETE": "tests/checks/test_checks.py",
                         "TOOZ_HANDSHAKE_FAILED": "tests/pytest_plugin/test_checklist.py",
                         "PASSWORDS_PLAINTEXT": "tests/pytest_plugin/test_gate.py",
                         "CONTAINER_ENGINE_UNUSABLE": "tests/runbook/test_service_containers.py",
                         "FAILOVER_SEEN": "tests/lab/test_faults.py",
                         "HOST_UNREACHABLE": "tests/pytest_plugin/test_checklist.py",
                         "CONFIG_UNREADABLE": "tests/pytest_plugin/test_checklist.py",
                         "CONSUMER_CLIENT_FAILED": "tests/checks/test_containers.py",
                         "FAILOVER_NOT_FOLLOWED": "tests/runbook/test_failover_drill.py",
                         **{entry: "tests/kolla/test_consumer_findings.py" for entry in (
                             "OVERRIDE_NOT_READ", "OVERRIDE_NO_CONSUMER", "REDIS_NAMES_LEFTOVER", "URL_NO_HOSTS",
                             "OLD_PASSWORD_LEFT", "JOBBOARD_NO_SENTINEL_AUTH", "HORIZON_NO_SENTINEL_AUTH")}}
    for entry in CATALOGUE:
        assert entry in reproduced or entry in covered_elsewhere, entry
    for entry, path in covered_elsewhere.items():
        assert entry in (PROJECT / path).read_text(), (entry, path)
