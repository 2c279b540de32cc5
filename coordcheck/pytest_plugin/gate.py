"""The config-repository gate's own options and cases: the repository rendered
once (built-in tables, or the operator's kolla-ansible), every consumer judged,
and one test case per distinct finding — not per host × check.

    pytest -m config --configdir REPO/etc/kolla --inventory REPO/multinode [--kolla-release 2025.1] [--facts DIR]
"""

from __future__ import annotations

import pytest

from coordcheck import kolla
from coordcheck.checks.consumers import consumer_findings, sentinel_auth
from coordcheck.findings import Finding
from coordcheck.kolla.render import Rendered, render_repo
from coordcheck.pytest_plugin import checklist
from coordcheck.pytest_plugin.target import is_gate, stop

RENDERED = pytest.StashKey[tuple]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("coordcheck-gate", "coordcheck: the config-repository gate")
    group.addoption("--kolla-release", help="gate: the kolla-ansible release or series to render for "
                    "(default: openstack_release in globals.yml)")
    group.addoption("--facts", help="gate: an Ansible jsonfile fact cache (kolla-ansible gather-facts with "
                    "fact caching): API addresses as Kolla renders them")
    group.addoption("--kolla-ansible", metavar="auto|PATH", help="gate: render with this installed kolla-ansible "
                    "(auto: the one on PATH) instead of the built-in tables")


def pytest_configure(config: pytest.Config) -> None:
    checklist.GATE = is_gate(config)


def gate_rendering(config: pytest.Config) -> tuple[Rendered, tuple[bool, str], list[Finding]]:
    """The repository rendered and judged, once per run."""
    if RENDERED not in config.stash:
        try:
            rendered = render_repo(config.getoption("configdir") or kolla.DEFAULT_NODE_CONFIG_DIRECTORY,
                                   config.getoption("inventory"), config.getoption("vault_password_file"),
                                   config.getoption("kolla_release"), config.getoption("facts"),
                                   config.getoption("kolla_ansible"), config.getoption("passwords"))
        except (kolla.KollaError, OSError) as exc:
            stop(config, f"render: {' '.join(str(exc).split())}", 4)
            raise pytest.UsageError(str(exc)) from None
        auth = sentinel_auth(rendered, config.getoption("sentinel_auth"))
        config.stash[RENDERED] = (rendered, auth, consumer_findings(rendered, auth))
    return config.stash[RENDERED]


def pytest_report_header(config: pytest.Config) -> list[str]:
    """A gate run names, first, the kolla-ansible point release it renders for, and why that one."""
    if not (config.getoption("inventory", None) and is_gate(config)):
        return []
    rendered = gate_rendering(config)[0]
    assumed = [n for n in rendered.notes if n.startswith(("assumed kolla-ansible", "kolla-ansible "))]
    return [f"coordcheck gate: kolla-ansible {rendered.release.point} ({rendered.release.series}, "
            f"{rendered.release.flavor}) from {rendered.release_source}; {rendered.renderer}"] + assumed


def groups(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings by id and fix: the number of cases grows with distinct findings, not hosts."""
    out: dict[tuple, list[Finding]] = {}
    for finding in findings:
        out.setdefault((finding.id, finding.advice), []).append(finding)
    counts: dict[str, int] = {}
    named = {}
    for (finding_id, _), found in out.items():
        counts[finding_id] = counts.get(finding_id, 0) + 1
        named[f"{finding_id}-{counts[finding_id]}"] = found
    return named


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "gate_case" not in metafunc.fixturenames:
        return
    if not (metafunc.config.getoption("inventory") and is_gate(metafunc.config)):
        metafunc.parametrize("gate_case", [[]], ids=["not-a-gate-run"])
        return
    cases = groups(gate_rendering(metafunc.config)[2]) or {"no-finding": []}
    metafunc.parametrize("gate_case", list(cases.values()), ids=list(cases))


@pytest.fixture(scope="session")
def gate_rendered(pytestconfig: pytest.Config) -> tuple[Rendered, tuple[bool, str], list[Finding]]:
    return gate_rendering(pytestconfig)
