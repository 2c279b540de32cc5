"""`coordcheck images`: a line per build as it starts and ends (a build takes
up to minutes), nothing but the result under -q."""

import re
import subprocess

from coordcheck.lab import images
from tests.conftest import CONTAINER_NAMES, kolla_container_names, run_cli

pytestmark = CONTAINER_NAMES


def test_images_say_each_build_as_it_runs():
    with kolla_container_names():   # no service container uses the image meanwhile
        subprocess.run(["docker", "image", "rm", images.CURRENT], check=True, capture_output=True, timeout=120)
        lines = run_cli("images", timeout=900).stdout.splitlines()
        assert lines[0] == f"images: building {images.CURRENT} ({images.PIP_TAKES.format(*images.clients(images.CURRENT))})", lines
        assert re.fullmatch(rf"images: built {re.escape(images.CURRENT)} in \d+ s", lines[1]), lines
        assert lines[2].startswith(f"images: {images.CURRENT} built in ")
        assert run_cli("images", "-q").stdout == "images: all already there\n"
