"""Each host's view (`coordcheck.runbook.vantage`): where its probes run (a
local connection's here, and said so; the runner's here; with
``--probe-from=runner`` every host's here), every sentinel and data node
probed at once and each answer kept for the host's later questions; over a
lab written and never started, so nothing answers."""

from coordcheck.runbook.vantage import HERE, RUNNER, view_for
from tests.runbook.conftest import observer_of


def test_where_each_views_probes_run(observer, written_lab):
    runner = view_for(observer, None)
    assert (runner.name, runner.note, runner.remote) == (RUNNER, HERE, None)
    local = view_for(observer, "ctl2")
    assert local.name == "ctl2" and local.note == f"{HERE} (ctl2 is a local connection)" and local.remote is None
    from_runner = observer_of(written_lab.inventory, written_lab.root, probe_from="runner")
    assert view_for(from_runner, "ctl2").note == HERE


def test_every_server_is_probed_once_and_each_answer_kept(observer):
    view = observer.at("ctl3")
    sentinels = view.sentinels()
    target = observer.target
    assert [s.address for s in sentinels] == target.sentinels
    assert all(not s.login.reachable and "refused" in s.login.error for s in sentinels)
    node = view.node(target.data_nodes[0])
    assert node is view.node(target.data_nodes[0]) and not node.login.reachable
    assert view.sentinel(target.sentinels[1]) is sentinels[1]


def test_no_answering_sentinel_names_no_master(observer):
    view = observer.at("ctl1")
    assert view.master_address() is None and view.master() is None
    assert [n.address for n in view.replicas()] == observer.target.data_nodes
    assert view.sentinels_require_password is None and view.failover is None
