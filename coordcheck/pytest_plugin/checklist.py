"""Fixtures the checklist modules share: one observer per run, the host's
inventory name, and a one-line way to assert that a check found nothing."""

from __future__ import annotations

import warnings

import pytest
import testinfra

from coordcheck.findings import FAIL, Finding, named_causes, render
from coordcheck.runbook.observer import Observer
from coordcheck.kolla.target import Target
from coordcheck.pytest_plugin import fleet


OBSERVER = pytest.StashKey[Observer]()

#: Findings of the test that is running; coordcheck.pytest_plugin.report takes them after each test.
recorded: list[Finding] = []
#: the gate prints each finding whole: a merge request's reader sees one failure at a time
GATE = False
#: -v and more: each warning whole in pytest's warnings summary (else one line: its cause is in the summary)
VERBOSE = 0


class FindingWarning(UserWarning):
    """A degraded or risky state: reported, the suite still passes."""


def shortened(evidence: str, limit: int = 200) -> str:
    """The evidence cut at ``limit`` characters, keeping the cause it names."""
    if len(evidence) <= limit:
        return evidence
    _, sep, cause = evidence.rpartition("; cause: ")
    tail = sep + cause if sep and named_causes(sep + cause) else ""
    return evidence[:limit] + "..." + tail


def short(findings: list[Finding]) -> str:
    """Each finding's id, cause and place; its evidence and fix are in the
    run's summary, once per cause ("causes (each once)")."""
    lines = []
    for f in findings:
        label = f"{f.id} (warning)" if f.severity != FAIL else f.id
        lines += [f"{label}: {f.entry.cause}", f"  where:    {f.where}",
                  f"  evidence: {shortened(f.evidence)}"]
    roots = {i for f in findings for i in named_causes(f.evidence)}
    ids = ", ".join(sorted(roots or {f.id for f in findings}))
    return "\n".join(lines + [f"  fix:      see cause {ids} under 'causes (each once)' at the end of the run"])


def expect_none(findings: list[Finding]) -> None:
    """Fail the test with the rendered findings (what, where, evidence, fix);
    warnings only warn. Every finding is recorded for the run's summary and
    the junit XML (coordcheck.pytest_plugin.report)."""
    recorded.extend(findings)
    failures = [f for f in findings if f.severity == FAIL]
    if failures:
        pytest.fail(render(findings) if GATE else short(findings), pytrace=False)
    if findings:  # no source line: the warning is about the deployment, not about this code
        text = render(findings) if VERBOSE > 0 else "\n".join(
            f"{f.id} (warning) at {f.where.one_line()}: see 'causes (each once)'" for f in findings)
        warnings.warn_explicit(FindingWarning(text), FindingWarning, "coordcheck", 0)


@pytest.fixture(scope="session")
def observer(target: Target, pytestconfig: pytest.Config) -> Observer:
    option = pytestconfig.option

    def host_for(name: str):
        return testinfra.get_host(name, connection="ansible", ansible_inventory=option.ansible_inventory,
                                  ssh_config=option.ssh_config, ssh_identity_file=option.ssh_identity_file,
                                  sudo=option.sudo, sudo_user=option.sudo_user)

    found = Observer(target, option.probe_timeout, option.tooz_timeout, host_for,
                     logs_since=option.logs_since, probe_from=option.probe_from,
                     failover_wait=option.failover_wait)
    pytestconfig.stash[OBSERVER] = found
    fleet.prefetch(pytestconfig, found)
    return found


@pytest.fixture(scope="module")
def host_name(host, observer: Observer) -> str:
    """The inventory name of testinfra's ``host`` (the observer exists from
    here on: `pytest_runtest_call` asks it whether the host answers)."""
    return host.backend.get_hostname()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """A host that cannot be reached fails each of its tests with
    HOST_UNREACHABLE (never a dump of testinfra's command result)."""
    funcargs = getattr(item, "funcargs", {})
    observer = item.config.stash.get(OBSERVER, None)
    if observer is not None and "host_name" in funcargs:
        unreachable = observer.unreachable(funcargs["host_name"])
        if unreachable is not None:
            expect_none([unreachable])


@pytest.fixture
def view(observer: Observer, host_name: str):
    """The sentinels, data nodes and URLs as ``host_name`` sees them."""
    return observer.at(host_name)


@pytest.fixture
def runner_view(observer: Observer):
    """The same from the runner: a vantage point of its own (row ``runner``)."""
    return observer.at(None)


@pytest.fixture(scope="module")
def service_configs(observer: Observer, host_name: str):
    return list(observer.configs(host_name))
