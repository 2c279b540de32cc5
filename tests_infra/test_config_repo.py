"""Gate only — the config repository itself: what a merge request must not
commit. Runs with `-m config` without --hosts (or --gate).

    pytest -m config --configdir REPO/etc/kolla --inventory REPO/multinode
"""

import pytest

from coordcheck.checks import configs as config_checks

pytestmark = [pytest.mark.config, pytest.mark.gate]


def test_passwords_yml_is_vault_encrypted(target, expect_none):
    expect_none(config_checks.passwords_encrypted(target.passwords_file, target.passwords_file.read_text()))
