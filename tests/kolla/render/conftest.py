"""Fixtures of the renderer tests: the real kolla-ansible releases the oracle renders with."""
import pytest

from coordcheck.kolla.render import installed as ka
from tests.kolla import oracle


@pytest.fixture(scope="session", params=[oracle.REDIS_ERA, oracle.VALKEY_ONLY])
def release(request):
    """(release, its venv): one Redis-era and one Valkey-only kolla-ansible, installed once (cached)."""
    return request.param, ka.install(request.param, oracle.VENVS)
