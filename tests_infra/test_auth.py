"""Runbook steps 3-4 — auth, from each host: whether the sentinels require a password
(NOAUTH without one), and whether the password in passwords.yml opens every
sentinel and every data node.

    redis-cli -h 10.0.2.110 -p 26379 INFO   # -> NOAUTH: the sentinel has a password
"""

import pytest

from coordcheck.checks import servers as checks

pytestmark = pytest.mark.auth


def test_sentinels_agree_on_requiring_a_password(view, target, expect_none):
    sentinels = view.sentinels()
    expect_none(checks.sentinels_answered(sentinels, target.flavor.password_key)
                or checks.sentinel_auth_consistent(sentinels))


def test_passwords_yml_opens_sentinel(view, sentinel_address, target, expect_none):
    login = view.sentinel(sentinel_address).login
    severity = checks.lost_sentinel_severity(view.sentinels())
    expect_none(checks.password_authenticates(login, "sentinel", target.flavor.password_key, severity))


def test_passwords_yml_opens_data_node(view, data_node_address, target, expect_none):
    login = view.node(data_node_address).login
    expect_none(checks.password_authenticates(login, "data node", target.flavor.password_key))
