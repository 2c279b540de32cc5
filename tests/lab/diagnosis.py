"""What the lab's scenario tests share: a broken lab diagnosed by the
checklist, exactly as its scenario says."""

from coordcheck.kolla.config_file import read_service_config
from coordcheck.lab.scenarios import LOG_TIMEOUT
from tests.conftest import assert_no_secret, reported, run_checklist, run_cli


def assert_diagnosed(scenario, deployment, tmp_path):
    """Break ``deployment`` with ``scenario``, run the checklist: exactly its
    finding, at its place, what it must also report and nothing unrelated,
    its exit code, no password."""
    assert scenario.finding in run_cli("break", scenario.name, "--dir", str(deployment.root),
                                       timeout=LOG_TIMEOUT + 60).stdout
    run = run_checklist(*deployment.checklist_args(), "-vv", "-o", "log_cli=true", "--log-cli-level=DEBUG",
                        tmp_path=tmp_path, cwd=tmp_path)
    found = reported(run)
    warning = f"{scenario.finding} (warning)"
    main = found.get(warning if scenario.passes else scenario.finding)
    assert main, f"{scenario.finding} not reported; reported: {sorted(found)}\n{run.stdout[-4000:]}"
    places = scenario.places(deployment.hosts)
    assert any(all(part in where for part in places) for where in main), (places, main)
    ids = {f.replace(" (warning)", "") for f in found}
    unrelated = ids - {scenario.finding} - scenario.related
    assert not unrelated, f"unrelated findings: {unrelated}\n{run.stdout[-4000:]}"
    assert scenario.also <= ids, f"{scenario.also - ids} not reported\n{run.stdout[-4000:]}"
    assert run.returncode == (0 if scenario.passes else 1), run.stdout[-4000:]
    assert_no_secret(run.output, deployment.password, *url_passwords(deployment))
    return run


def url_passwords(deployment):
    """Every password the broken service configs hold, right or wrong."""
    found = []
    for path in deployment.root.glob("ctl*/*/*.conf"):
        config = read_service_config("ctl", str(path), path.read_text(), 0)
        if config.url:
            found += [p for p in (config.url.password, config.url.sentinel_password) if p]
    return found
