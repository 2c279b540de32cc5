"""The README tells the truth: short, the two commands, the step <-> module
table, every catalogue entry reproduced (the reference itself: tests/test_docs.py)."""

from coordcheck.runbook.steps import STEPS
from tests.conftest import PROJECT

README = (PROJECT / "README.md").read_text()
MAX_LINES = 250


def test_readme_is_short():
    assert len(README.splitlines()) <= MAX_LINES, "README.md is for people: move reference to docs/"


def test_every_checklist_module_is_in_the_step_table():
    step_table = README.partition("## The checklist: runbook step")[2].partition("\n## ")[0]
    modules = sorted(p.stem for p in (PROJECT / "tests_infra").glob("test_*.py"))
    assert {s.module for s in STEPS} <= set(modules)
    for module in modules:
        assert f"| `tests_infra/{module}.py` (" in step_table, module
    in_order = [step_table.index(f"`tests_infra/{module}.py`") for module in (s.module for s in STEPS)]
    assert in_order == sorted(in_order), "the table lists the runbook's steps in their order"


def test_two_commands():
    assert "make demo" in README and "make test" in README
    assert "make test" in (PROJECT / ".ci" / "run").read_text()
    targets = (PROJECT / "Makefile").read_text()
    assert "\ndemo:" in targets and "\ntest:" in targets


def test_the_incident_in_three_commands_names_its_cause():
    section = README.partition("## The incident in three commands")[2].partition("\n## ")[0]
    for command in ("coordcheck up", "coordcheck repro", "coordcheck check --hosts=controllers", "coordcheck fix"):
        assert command in section, command
    assert "SENTINEL_AUTH_MISSING" in section


def test_every_catalogue_entry_has_a_scenario_or_named_test():
    from coordcheck.findings import CATALOGUE
    from coordcheck.lab.scenarios import SCENARIOS
    reproduced = {s.finding for s in SCENARIOS.values()}
    covered_elsewhere = {"CONFIG_MISSING": "tests/pytest_plugin/test_plugin.py", "DISCOVERY_FAILED": "tests/checks/test_configs.py",
                         "SENTINEL_TOPOLOGY_INCOMPLETE": "tests/checks/test_servers.py",
                         "TOOZ_HANDSHAKE_FAILED": "tests/pytest_plugin/test_plugin.py",
                         "PASSWORDS_PLAINTEXT": "tests/pytest_plugin/test_gate.py",
                         "CONTAINER_ENGINE_UNUSABLE": "tests/runbook/test_containers.py",
                         "FAILOVER_SEEN": "tests/observe/test_failover.py",
                         "HOST_UNREACHABLE": "tests/pytest_plugin/test_plugin.py",
                         "CONFIG_UNREADABLE": "tests/pytest_plugin/test_plugin.py",
                         "CONSUMER_CLIENT_FAILED": "tests/checks/test_containers.py",
                         "FAILOVER_NOT_FOLLOWED": "tests/runbook/test_drill.py",
                         **{entry: "tests/checks/test_consumers.py" for entry in (
                             "OVERRIDE_NOT_READ", "OVERRIDE_NO_CONSUMER", "REDIS_NAMES_LEFTOVER", "URL_NO_HOSTS",
                             "OLD_PASSWORD_LEFT", "JOBBOARD_NO_SENTINEL_AUTH", "HORIZON_NO_SENTINEL_AUTH")},
                         **{entry: "tests/checks/test_loading.py" for entry in (
                             "URL_NOT_LOADABLE", "URL_BLANK", "BACKEND_NOT_SENTINEL")},
                         "ADDRESSES_UNVERIFIED": "tests/checks/test_consumers.py"}
    for entry in CATALOGUE:
        assert entry in reproduced or entry in covered_elsewhere, entry
    for entry, path in covered_elsewhere.items():
        assert entry in (PROJECT / path).read_text(), (entry, path)
