"""A consumer's loop in the lab's containers (consumer.py beside
handshake.py, as the images lay them out): one attempt runs the consumer's
client in a fresh Python with the container's config, its JSON result back."""

import shutil

import pytest

from coordcheck.lab import images
from tests.conftest import load_script


@pytest.fixture
def consumer(tmp_path):
    """consumer.py loaded from a folder laid out as /usr/local/lib/coordcheck/ in the images."""
    folder = tmp_path / "lib"
    folder.mkdir()
    for name in ("consumer.py", "handshake.py"):
        shutil.copy(images.SUPPORT_FILES[name], folder / name)
    return load_script(folder / "consumer.py")


def test_an_attempt_reaches_the_backend_of_its_config(consumer, service_config):
    result = consumer.attempt("cinder", "", str(service_config))
    assert (result["ok"], result["stage"], result["consumer"]) == (True, "done", "cinder"), result["error"]
    assert result["tooz"] and result["redis"]


def test_an_attempt_on_a_config_without_coordination_says_where_it_failed(consumer, tmp_path):
    config = tmp_path / "octavia.conf"
    config.write_text("[DEFAULT]\ndebug = False\n")
    result = consumer.attempt("octavia-jobboard", "", str(config))
    assert (result["ok"], result["stage"]) == (False, "config")
    assert result["error"].startswith("NoSectionError: No section: 'coordination'")
