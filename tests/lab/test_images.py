"""`coordcheck images`: a line per build as it starts and ends (a build takes
up to minutes), nothing but the result under -q; and the tooz and redis-py
each Kolla release's image ships (`coordcheck images --all-releases`), each
in a throwaway container of its release image, against real sentinels that
require a password:

- the fixed URL works;
- the incident's URL (no sentinel_password) fails, and the handshake says so
  at tooz's first failed attempt with tooz's own exception (a service's
  tooz 7 and later would retry for minutes; tooz 6.3.0 keeps redis-py's reason);
- a sentinel_password sent to sentinels that have none fails with redis-py
  5 to 7 and works with redis-py 8 (SENTINEL_AUTH_UNEXPECTED's trap).
"""

import re
import subprocess

import pytest

from coordcheck import url as urls
from coordcheck.checks.containers import version_tuple
from coordcheck.kolla import backend_url_of, releases
from coordcheck.lab import containers, images
from coordcheck.observe import tooz as tooz_probe
from tests.conftest import CONTAINER_NAMES, Deployment, kolla_container_names, lab, run_cli

DEADLINE = 6.0


@CONTAINER_NAMES
def test_images_say_each_build_as_it_runs():
    with kolla_container_names():   # no service container uses the image meanwhile
        subprocess.run(["docker", "image", "rm", images.CURRENT], check=True, capture_output=True, timeout=120)
        lines = run_cli("images", timeout=900).stdout.splitlines()
        assert lines[0] == f"images: building {images.CURRENT} ({images.PIP_TAKES.format(*images.clients(images.CURRENT))})", lines
        assert re.fullmatch(rf"images: built {re.escape(images.CURRENT)} in \d+ s", lines[1]), lines
        assert lines[2].startswith(f"images: {images.CURRENT} built in ")
        assert run_cli("images", "-q").stdout == "images: all already there\n"


# -- each release's clients ------------------------------------------------------------
@pytest.fixture(scope="module")
def without_sentinel_auth(tmp_path_factory):
    """The trap: sentinels without a password, URLs that carry one (`break SENTINEL_AUTH_UNEXPECTED`)."""
    with lab(tmp_path_factory.mktemp("no-auth") / "kolla", "--no-sentinel-auth") as made:
        run_cli("break", "SENTINEL_AUTH_UNEXPECTED", "--dir", str(made.root))
        yield made


def service_url(deployment: Deployment) -> urls.BackendURL:
    conf = deployment.root / "ctl1" / "cinder-volume" / "cinder.conf"
    return urls.parse(backend_url_of(conf.read_text(), str(conf)))


def handshake(image: str, url: urls.BackendURL) -> tooz_probe.Handshake:
    def run_python(script: str):
        return containers.python_in("docker", image, script, DEADLINE + tooz_probe.START_ALLOWANCE)
    return tooz_probe.handshake_with(run_python, url, DEADLINE, 2.0)


@pytest.mark.parametrize("series", list(releases.SERIES.values()))
def test_release_clients_on_the_incident_and_the_trap(series, deployment, without_sentinel_auth):
    image = images.release_image(series)
    tooz, redis_py = images.clients(image)
    fixed = service_url(deployment)
    assert "sentinel_password=" in fixed.raw
    works = handshake(image, fixed)
    assert works.ok and (works.tooz, works.redis) == (tooz, redis_py), works

    incident = handshake(image, urls.parse(urls.without_option(fixed.raw, "sentinel_password")))
    assert not incident.ok and not incident.timed_out, incident      # the verdict at tooz's first failed attempt
    assert incident.error.startswith("ToozConnectionError: No master found for 'kolla'"), incident
    assert incident.seconds < DEADLINE / 2, incident
    if version_tuple(tooz) < (7,):
        assert "AuthenticationError('Authentication required.')" in incident.error

    unexpected = service_url(without_sentinel_auth)
    assert "sentinel_password=" in unexpected.raw
    trap = handshake(image, unexpected)
    assert trap.ok == (not releases.release_for(series).redis_py_below(8)), trap


def test_a_release_image_is_named_after_its_series_and_pins_its_clients():
    for major, series in releases.SERIES.items():
        image = images.release_image(series)
        assert image == f"coordcheck/service:{series}" and images.series_of(image) == series
        assert images.clients(image) == releases.CLIENTS[major]
    assert images.clients(images.DEBIAN) is None    # Debian's own packages, no pins
