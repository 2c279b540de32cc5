"""The watch's lab: ONE local deployment (``coordcheck up``) for the loop's
and the worker's tests (session-scoped; its users carry the xdist group
"watch-loop", so one worker starts it once)."""

import pytest

from tests.conftest import lab


@pytest.fixture(scope="session")
def watched_lab(tmp_path_factory):
    with lab(tmp_path_factory.mktemp("watched") / "kolla") as made:
        yield made
