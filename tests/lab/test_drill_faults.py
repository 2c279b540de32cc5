"""The faults no failover can move: a URL naming the master data node
directly (`coordcheck break URL_BYPASSES_SENTINEL`). LOCKS_NOT_EXCLUSIVE
needs service containers of two releases: tests/lab/test_scenarios.py
breaks and diagnoses it."""

import pytest

from coordcheck import kolla
from coordcheck import url as urls
from coordcheck.kolla import backend_url_of
from coordcheck.lab import drill_faults
from coordcheck.lab.faults import config_path


def test_the_bypassing_url_names_the_master_the_sentinels_announce(one_backend_lab):
    bypassing = config_path(one_backend_lab, "ctl1", "cinder-volume")
    others = {p: p.read_text() for p in one_backend_lab.service_config_paths() if p != bypassing}
    drill_faults.url_bypasses_sentinel(one_backend_lab)
    try:
        written = backend_url_of(bypassing.read_text(), str(bypassing))
        credentials, _, where = written.partition("@")
        master = f"{one_backend_lab.address('ctl1')}:{kolla.DATA_PORT}"
        assert where.startswith(master) and "sentinel" not in where, where
        keeps_the_password = credentials == f"redis://default:{one_backend_lab.password().reveal()}"
        assert keeps_the_password
        with pytest.raises(urls.URLError, match=f"has no sentinel=<master name>: it names {master} itself"):
            urls.parse(written)
        others_untouched = all(p.read_text() == text for p, text in others.items())
        assert others_untouched
    finally:
        one_backend_lab.reset()
    assert "sentinel=" in backend_url_of(bypassing.read_text(), str(bypassing))
