"""Stock Kolla: sentinels without requirepass. The incident's URL (no
sentinel_password) is then correct, and the checklist passes."""

import pytest

from tests.conftest import Deployment, run_checklist, run_cli


@pytest.fixture(scope="module")
def stock(tmp_path_factory):
    root = tmp_path_factory.mktemp("stock") / "kolla"
    run_cli("up", "--dir", str(root), "--no-sentinel-auth")
    run_cli("repro", "--dir", str(root))
    yield Deployment(root)
    run_cli("down", "--dir", str(root))


def test_url_without_sentinel_password_passes_when_sentinels_have_none(stock, tmp_path):
    run = run_checklist(*stock.checklist_args(), tmp_path=tmp_path, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(run.outcomes().values()) == {"passed"}
