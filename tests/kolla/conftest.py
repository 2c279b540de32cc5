"""Fixtures of the coordcheck.kolla tests: copies of the example repositories to break or migrate."""
import shutil

import pytest

from tests.kolla import scenarios
from tests.kolla.hostile import HEALTHY


@pytest.fixture
def hostile_repo(tmp_path):
    """A copy of the healthy example repository, for one test to break."""
    copy = tmp_path / "repo"
    shutil.copytree(HEALTHY, copy)
    return copy


@pytest.fixture(scope="session")
def migration_repos(tmp_path_factory):
    """A 2025.1 Redis repo after migrate-valkey, one half-way, and the healthy example (Redis)."""
    base = tmp_path_factory.mktemp("migration")
    return {"migrated": scenarios.migrated(base), "migrating": scenarios.migrated(base, keep_redis=True),
            "healthy": scenarios.REPOS / "healthy"}
