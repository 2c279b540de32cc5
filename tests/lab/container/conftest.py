"""A real redis-server for the container scripts' tooz, and a service
config whose backend_url names it."""

import pytest

from tests.observe.servers import tooz_backend


@pytest.fixture(scope="module")
def plain_backend():
    """`tests.observe.servers.Backend`: a redis-server without sentinels, tooz's URL of it."""
    with tooz_backend() as backend:
        yield backend


@pytest.fixture
def service_config(tmp_path, plain_backend):
    """A config as Kolla renders it, its URL the plain redis-server's, logging to tmp_path/log."""
    path = tmp_path / "cinder.conf"
    path.write_text(f"[DEFAULT]\nlog_dir = {tmp_path / 'log'}\nuse_stderr = False\n\n"
                    f"[coordination]\nbackend_url = {plain_backend.url}\n")
    return path
