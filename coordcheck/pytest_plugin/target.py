"""Command-line options, and the deployment they point at.

Without ``--inventory`` the checklist runs against a local deployment that
this plugin writes to a temporary folder at collection time and starts in
the session fixture ``target``; with it, against that inventory. Either way
the hosts come from the inventory and reach the tests through testinfra's
``--connection=ansible``, so the local run takes the live path.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

from coordcheck import kolla
from coordcheck.kolla import vault
from coordcheck.secrets import KNOWN
from coordcheck.pytest_plugin.masking import is_checklist_run
from coordcheck.lab.errors import DeploymentError
from coordcheck.kolla.target import Target

TARGET = pytest.StashKey[Target]()
LOCAL = pytest.StashKey["LocalDeployment"]()  # the lab is imported only when a run needs it


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("coordcheck", "coordcheck: the deployment to check")
    group.addoption("--inventory", help="Kolla inventory (e.g. /etc/kolla/multinode); "
                    "without it, a local deployment is started and checked")
    group.addoption("--configdir", help="Kolla config dir holding passwords.yml and globals.yml (default: /etc/kolla)")
    group.addoption("--passwords", help="passwords.yml (default: CONFIGDIR/passwords.yml)")
    group.addoption("--probe-timeout", type=str, default="2",
                    help="connect and read timeout of every probe, seconds (default 2)")
    group.addoption("--tooz-timeout", type=str, default="5",
                    help="wall-time bound of one tooz handshake, seconds (default 5)")
    group.addoption("--logs-since", default="1h",
                    help="how far back the service containers' logs are read: a duration (30m, 1h, 1h30m) or an "
                         "ISO time (2026-11-25T10:00:00; default 1h)")
    group.addoption("--probe-from", choices=["controller", "runner"], default="controller",
                    help="where sentinels and data nodes are probed from: inside a running service container of "
                         "a controller (its network, its redis-py; the default), or this machine")
    group.addoption("--failover-wait", type=str, default="30",
                    help="when the master stops answering during the run, follow the sentinels' failover "
                         "this long, seconds (default 30)")
    group.addoption("--allow-failover", action="store_true",
                    help="run the failover drill (-m failover_drill): SENTINEL FAILOVER on the live master, then "
                         "each consumer's own client until it works against the new one (within --failover-wait)")
    group.addoption("--flavor", choices=sorted(kolla.FLAVORS), default="redis",
                    help="flavor of the local deployment (without --inventory)")
    group.addoption("--vault-password-file", help="opens an ansible-vault encrypted passwords.yml / globals.yml")
    group.addoption("--gate", action="store_true",
                    help="check the URLs Kolla would render from --configdir (a config repository), contacting "
                         "no host; implied by `-m config` without --hosts")
    group.addoption("--sentinel-auth", choices=["required", "none", "auto"], default="auto",
                    help="gate: do the sentinels require a password? auto: a requirepass in "
                         "config/<redis|valkey>/<flavor>-sentinel.conf says so (default auto)")


GATE = pytest.StashKey[bool]()
#: Why a run stopped before its checks (written as a failing junit testcase).
STOPPED = pytest.StashKey[str]()
#: Seconds options: (smallest allowed, largest allowed).
SECONDS = {"probe_timeout": ("--probe-timeout", 0.1, 600), "tooz_timeout": ("--tooz-timeout", 1, 3600),
           "failover_wait": ("--failover-wait", 0, 3600)}
GO_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")


def validate_options(config: pytest.Config) -> None:
    """Every option checked before any work: one clear line each."""
    markexpr = config.getoption("markexpr", "") or ""
    if "failover_drill" in markexpr and "not failover_drill" not in markexpr and not config.getoption("allow_failover"):
        raise pytest.UsageError("-m failover_drill triggers SENTINEL FAILOVER on the live master: "
                                "give --allow-failover to run the drill")
    for dest, (flag, low, high) in SECONDS.items():
        text = str(getattr(config.option, dest))
        try:
            value = float(text)
        except ValueError:
            raise pytest.UsageError(f"{flag} {text!r}: not a number of seconds") from None
        if not low <= value <= high or value != value:
            raise pytest.UsageError(f"{flag} {text}: must be between {low:g} and {high:g} seconds")
        setattr(config.option, dest, value)
    since = str(config.option.logs_since)
    if not GO_DURATION.match(since):
        try:
            datetime.fromisoformat(since)
        except ValueError:
            raise pytest.UsageError(f"--logs-since {since!r}: give a duration (30m, 1h, 1h30m) or an ISO time "
                                    "(2026-11-25T10:00:00)") from None
    hosts = config.getoption("hosts")
    if hosts is not None and not [h for h in hosts.split(",") if h.strip()]:
        raise pytest.UsageError("--hosts is empty: name a group (e.g. controllers) or hosts")
    if is_checklist_run(config):
        _check_markers(config)
    _check_output_file(config, "--junitxml", getattr(config.option, "xmlpath", None))


def _check_markers(config: pytest.Config) -> None:
    expression = config.getoption("markexpr") or ""
    known = {line.split(":")[0].strip() for line in config.getini("markers")}
    unknown = sorted(set(re.findall(r"[A-Za-z_]\w*", expression)) - known - {"and", "or", "not"})
    if unknown:
        raise pytest.UsageError(f"-m {expression!r}: unknown marker {', '.join(map(repr, unknown))} "
                                f"(markers: {', '.join(sorted(known))})")


def _check_output_file(config: pytest.Config, flag: str, path: str | None) -> None:
    """A report file must be writable before the run, not after it."""
    if not path:
        return
    folder = Path(path).absolute().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise pytest.UsageError(f"{flag} {path}: its folder cannot be created ({exc.strerror})") from None
    if Path(path).is_dir() or not os.access(folder, os.W_OK):
        raise pytest.UsageError(f"{flag} {path}: cannot be written")


def stop(config: pytest.Config, message: str, returncode: int) -> None:
    """End the run before its checks, with one line (and a junit testcase)."""
    config.stash[STOPPED] = KNOWN.mask(message)
    pytest.exit(KNOWN.mask(message), returncode=returncode)


def usage_error(config: pytest.Config, message: str) -> pytest.UsageError:
    """The error for bad input, masked; the junit file says it too."""
    message = KNOWN.mask(message)
    write_stopped_junit(getattr(config.option, "xmlpath", None), message)
    return pytest.UsageError(message)


def write_stopped_junit(path: str | None, message: str) -> None:
    """A junit file with one failing testcase saying why the run stopped,
    so that a CI dashboard shows it."""
    import xml.etree.ElementTree as ET

    if not path:
        return
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", name="coordcheck", tests="1", failures="1", errors="0", skipped="0")
    case = ET.SubElement(suite, "testcase", classname="coordcheck", name="run")
    ET.SubElement(case, "failure", message=message).text = message
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
    except OSError:
        pass  # the run's error line says what matters


def is_gate(config: pytest.Config) -> bool:
    """The config-repository gate: asked for, or a config-only run that names
    no hosts (decided once, before the hosts are resolved)."""
    if GATE not in config.stash:
        config.stash[GATE] = bool(config.getoption("gate") or (
            config.getoption("inventory") and not config.getoption("hosts")
            and (config.getoption("markexpr") or "").strip() == "config"))
    return config.stash[GATE]


def _use_inventory(config: pytest.Config, target: Target) -> None:
    """Hand the resolved hosts to testinfra, connected through the inventory
    (not in the gate: it contacts no host, and has no per-host case)."""
    config.stash[TARGET] = target
    if is_gate(config):
        return
    config.option.hosts = ",".join(target.hosts)
    config.option.connection = "ansible"
    config.option.ansible_inventory = str(target.inventory.path)


PROJECT = Path(__file__).resolve().parents[2]


def _adopt_project_ini(config: pytest.Config) -> None:
    """``pytest --inventory /etc/kolla/multinode`` makes pytest look for its
    ini file beside the inventory, and collect the folder it runs in. Take
    the project's markers, strictness and test path as pytest.ini gives them."""
    ini = configparser.ConfigParser()
    ini.read(PROJECT / "pytest.ini")
    if config.inipath is None:
        for line in ini.get("pytest", "markers", fallback="").strip().splitlines():
            config.addinivalue_line("markers", line.strip())
        config.option.strict_markers = True
    if config.args_source == pytest.Config.ArgsSource.INVOCATION_DIR:
        config.args[:] = [str(PROJECT / ini.get("pytest", "testpaths", fallback="tests_infra"))]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("inventory") and (PROJECT / "pytest.ini").is_file():
        _adopt_project_ini(config)
    try:
        validate_options(config)
    except pytest.UsageError as exc:
        raise usage_error(config, str(exc)) from None
    bindir = str(Path(sys.executable).parent)  # testinfra runs ansible-inventory from PATH
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    inventory = config.getoption("inventory")
    if inventory is None:
        if config.getoption("configdir") or config.getoption("passwords"):
            raise pytest.UsageError("--configdir and --passwords need --inventory")
        return
    if config.getoption("connection") not in (None, "ansible"):
        raise pytest.UsageError("--inventory drives hosts through --connection=ansible; drop --connection")
    gate = is_gate(config)
    try:
        vault_file = config.getoption("vault_password_file")
        target = Target.load(inventory, config.getoption("configdir") or kolla.DEFAULT_NODE_CONFIG_DIRECTORY,
                             config.getoption("passwords"),
                             config.getoption("hosts") or (None if gate else "controllers"),
                             vault.read_password_file(vault_file) if vault_file else None)
    except kolla.KollaError as exc:
        raise usage_error(config, str(exc)) from None
    _use_inventory(config, target)


def local_target(config: pytest.Config) -> Target:
    """Write the local deployment (no process yet) the first time it is needed."""
    if TARGET not in config.stash:
        from coordcheck.lab.deployment import LocalDeployment

        deployment = LocalDeployment(Path(tempfile.mkdtemp(prefix="coordcheck-")) / "kolla")
        config.stash[LOCAL] = deployment
        try:
            deployment.write(kolla.FLAVORS[config.getoption("flavor")], None, sentinel_auth=True)
            target = Target.load(deployment.inventory, deployment.root, hosts=config.getoption("hosts") or "controllers")
        except (DeploymentError, kolla.KollaError) as exc:
            stop(config, f"local deployment: {exc}", 4)
        _use_inventory(config, target)
    return config.stash[TARGET]


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    needs = {"_testinfra_host", "sentinel_address", "data_node_address"} & set(metafunc.fixturenames)
    if not needs:
        return
    target = local_target(metafunc.config)
    for name, addresses in (("sentinel_address", target.sentinels), ("data_node_address", target.data_nodes)):
        if name in needs:
            metafunc.parametrize(name, addresses, ids=[str(a) for a in addresses])


#: Checklist modules in runbook order; pytest would otherwise sort them by name.
RUNBOOK = ["test_network", "test_sentinel", "test_auth", "test_master", "test_python_client",
           "test_container_config"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Runbook order; the gate runs its own checks alone (the repository
    rendered once, every consumer judged: no per-host case), a live run
    everything but those, and
    the container checks where the services run in containers (every Kolla
    deployment; not `coordcheck up` without --containers)."""
    def step(item: pytest.Item) -> int:
        module = getattr(item, "module", None)
        name = module.__name__.rpartition(".")[2] if module else ""
        return RUNBOOK.index(name) if name in RUNBOOK else len(RUNBOOK)

    def belongs(item: pytest.Item) -> bool:
        if getattr(item, "module", None) is None or not item.module.__name__.startswith("tests_infra"):
            return True
        if item.get_closest_marker("containers") is not None and (gate or not containers):
            return False
        if item.get_closest_marker("failover_drill") is not None:   # never by accident
            return not gate and config.getoption("allow_failover")
        return (item.get_closest_marker("gate") is not None) == gate

    gate = is_gate(config)
    containers = TARGET not in config.stash or config.stash[TARGET].service_containers
    deselected = [item for item in items if not belongs(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if belongs(item)]
    items.sort(key=step)


def pytest_unconfigure(config: pytest.Config) -> None:
    if STOPPED in config.stash:
        write_stopped_junit(getattr(config.option, "xmlpath", None), config.stash[STOPPED])
    if LOCAL in config.stash:
        deployment = config.stash[LOCAL]
        if deployment.state_file.exists():
            deployment.down()
        shutil.rmtree(deployment.root.parent, ignore_errors=True)  # the temporary folder made for it


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    """The deployment under check; the local one is started here (``coordcheck up``)."""
    found = local_target(pytestconfig)
    deployment = pytestconfig.stash.get(LOCAL, None)
    if deployment is not None and not deployment.state()["processes"]:
        try:
            deployment.start()
        except DeploymentError as exc:
            stop(pytestconfig, f"local deployment: {exc}", 3)
    return found
