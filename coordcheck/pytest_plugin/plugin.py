"""The checklist's pytest plugin (the ``pytest11`` entry point ``coordcheck``):
its options, and in ``pytest_configure`` ONE plugin object for the run,
`Coordcheck`, whose state lives in ``config.stash``.

Installed, ``pytest --hosts=controllers --inventory=… --configdir=…`` runs the
shipped checklist (``coordcheck.checklist``) from any folder when no test path
is given; ``pytest --pyargs coordcheck.checklist …`` names it. A Ctrl-C from
here on ends the run within a second (`coordcheck.interrupt`, installed before
the plugin's modules are imported).
"""

from __future__ import annotations

from coordcheck import interrupt

interrupt.install()

import importlib  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from coordcheck.fixtures import deployment, gate as gate_fixtures, observer as observer_fixtures, verdict
from coordcheck.fixtures.deployment import TARGET, is_gate
from coordcheck.fixtures.errors import STOPPED, usage_error, write_stopped_junit
from coordcheck.fixtures.observer import OBSERVER
from coordcheck.pytest_plugin import fleet, gate, masking, options, outputs, report
from coordcheck.pytest_plugin.run import Run
from coordcheck.runbook import steps
from coordcheck.secrets import mask_log_records

FIXTURES = (deployment, observer_fixtures, verdict, gate_fixtures)
ACTIVE = pytest.StashKey[bool]()


def checklist_folder() -> Path:
    """Where the shipped checklist is: the package ``coordcheck.checklist``
    (the checkout's tests_infra/, mapped into the package)."""
    return Path(importlib.import_module("coordcheck.checklist").__file__).resolve().parent


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Coordcheck(config), "coordcheck-run")


class Coordcheck:
    """The hooks of one run: options checked and the target resolved first,
    the checklist collected in runbook order with stable ids, every test's
    findings recorded, every output masked, the summary and files written."""

    def __init__(self, config: pytest.Config) -> None:
        self.config, self.checklist = config, checklist_folder()
        for module in FIXTURES:
            config.pluginmanager.register(module, f"coordcheck-fixtures-{module.__name__.rpartition('.')[2]}")

    # -- configure and unconfigure ------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        for line in steps.markers():
            config.addinivalue_line("markers", line)
        if not config.pluginmanager.hasplugin("xdist"):  # the checklist marks tests for --dist loadgroup
            config.addinivalue_line("markers", "xdist_group(name): with pytest-xdist, run these tests on one worker")
        coordcheck_run = any(config.getoption(name) for name in ("checklist", "inventory", "hosts", "gate"))
        if coordcheck_run and config.args_source != pytest.Config.ArgsSource.ARGS:
            config.args[:] = [str(self.checklist)]  # the shipped checklist, wherever pytest runs
        config.stash[ACTIVE] = masking.is_checklist_run(config, self.checklist)
        if config.stash[ACTIVE]:
            config.option.strict_markers = True
            report.brief(config)   # one screen unless -v or --tb
            mask_log_records()
            sys.stdout = masking.MaskingStream(sys.stdout)  # the terminal reporter writes here
        try:
            options.validate(config, config.stash[ACTIVE])
        except pytest.UsageError as exc:
            raise usage_error(config, str(exc)) from None
        deployment.load_target(config)
        fleet.reuse_ssh(config)
        if is_gate(config) and config.getoption("inventory") and not config.getoption("help"):
            gate_fixtures.gate_rendering(config)  # before collection: what cannot render is one line, exit 4

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if STOPPED in config.stash:
            write_stopped_junit(getattr(config.option, "xmlpath", None), config.stash[STOPPED])
        deployment.remove_local(config)
        fleet.remove_ssh_config(config)
        if config.stash.get(ACTIVE, False):
            masking.mask_file(getattr(config.option, "xmlpath", None))
            if isinstance(sys.stdout, masking.MaskingStream):
                sys.stdout = sys.stdout.wrapped
        interrupt.install()  # the session is over: a late Ctrl-C ends the process, it rewrites no output

    # -- the session --------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        session.config.stash[report.RUN] = Run(report.STEPS, time.time())
        outputs.take_over_nagios(session.config)
        if not hasattr(session.config, "workerinput"):
            interrupt.install(self._stopped)  # Ctrl-C or SIGTERM: cleaned up from the handler, exit 130

    def _stopped(self) -> None:
        """Ctrl-C during the run: a junit saying it did not complete (no report
        that looks like a completed run), children killed, the local lab removed;
        then `coordcheck.interrupt` ends the process at once."""
        capture = self.config.pluginmanager.getplugin("capturemanager")
        if capture is not None:  # the one line reaches the terminal, not a running test's captured output
            capture.suspend_global_capture(in_=True)
        interrupt.kill_children()
        write_stopped_junit(getattr(self.config.option, "xmlpath", None),
                            "interrupted (Ctrl-C or SIGTERM): the run did not complete")
        deployment.remove_local(self.config)

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        return gate.header(config) + report.header(config)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus) -> None:
        if hasattr(session.config, "workerinput") or exitstatus == pytest.ExitCode.INTERRUPTED:
            return  # an interrupted run writes no report that looks like a completed one
        target = session.config.stash.get(TARGET, None)
        outputs.write_outputs(session.config, session.config.stash[report.RUN], int(exitstatus),
                              str(target.inventory.path) if target is not None else None)

    def pytest_terminal_summary(self, terminalreporter, config: pytest.Config) -> None:
        report.summary(terminalreporter, config)

    # -- collection ---------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
        return report.checklist_module(module_path, parent, self.checklist)

    @pytest.hookimpl(tryfirst=True)
    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "gate_case" in metafunc.fixturenames:
            gate.parametrize(metafunc)
        needs = {"_testinfra_host", "sentinel_address", "data_node_address"} & set(metafunc.fixturenames)
        if not needs:
            return
        target = deployment.local_target(metafunc.config)
        for name, addresses in (("sentinel_address", target.sentinels), ("data_node_address", target.data_nodes)):
            if name in needs:
                metafunc.parametrize(name, addresses, ids=[str(a) for a in addresses])

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Runbook order; the gate runs its own checks alone (the repository
        rendered once, every consumer judged: no per-host case), a live run
        everything but those, and the container checks where the services run
        in containers (every Kolla deployment; not `coordcheck up` without
        --containers)."""
        gate_run = is_gate(config)
        containers = TARGET not in config.stash or config.stash[TARGET].service_containers

        def belongs(item: pytest.Item) -> bool:
            if not self._in_checklist(item):
                return True
            if item.get_closest_marker("containers") is not None and (gate_run or not containers):
                return False
            if item.get_closest_marker("failover_drill") is not None:  # never by accident
                return not gate_run and config.getoption("allow_failover")
            return (item.get_closest_marker("gate") is not None) == gate_run

        deselected = [item for item in items if not belongs(item)]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if belongs(item)]
        items.sort(key=lambda item: steps.order(item.path.stem) if self._in_checklist(item) else len(steps.STEPS))
        fleet.group_by_host(items)

    def _in_checklist(self, item: pytest.Item) -> bool:
        return getattr(item, "module", None) is not None and item.path.parent == self.checklist

    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector):
        outcome = yield
        if self.config.stash.get(ACTIVE, False):
            masking.mask_report(outcome.get_result())

    def pytest_collectreport(self, report) -> None:
        if report.failed and report_run(self.config) is not None:
            report_run(self.config).collection_errors += 1

    # -- each test ----------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        """A host that cannot be reached fails each of its tests with
        HOST_UNREACHABLE (never a dump of testinfra's command result)."""
        funcargs = getattr(item, "funcargs", {})
        found = item.config.stash.get(OBSERVER, None)
        if found is not None and "host_name" in funcargs:
            unreachable = found.unreachable(funcargs["host_name"])
            if unreachable is not None:
                verdict.expect_none_at(item, [unreachable])

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        result = outcome.get_result()
        report.record_test(item, result)
        if self.config.stash.get(ACTIVE, False):
            masking.mask_report(result)

    def pytest_runtest_logreport(self, report) -> None:
        """On the controller (or the only process): every test's record."""
        record = getattr(report, "coordcheck", None)
        if record and report_run(self.config) is not None:
            report_run(self.config).add(record)


def report_run(config: pytest.Config) -> Run | None:
    return config.stash.get(report.RUN, None)

