"""The runbook's steps, named once (`coordcheck.runbook.steps`): each step's
marker marks its checklist module, the markers' lines name every step and
the other markers, and a checklist module's place in the run is its step's."""

import re

from coordcheck.runbook import steps
from tests.conftest import PROJECT

CHECKLIST = PROJECT / "tests_infra"


def test_each_steps_module_is_marked_with_its_marker():
    for step in steps.STEPS:
        text = (CHECKLIST / f"{step.module}.py").read_text()
        assert re.search(rf"^pytestmark = .*pytest\.mark\.{step.marker}\b", text, re.M), step.module


def test_the_markers_name_every_step_and_every_other_marker_once():
    lines = steps.markers()
    names = [line.split(":", 1)[0] for line in lines]
    assert names == [s.marker for s in steps.STEPS] + list(steps.OTHER_MARKERS)
    assert "auth: runbook steps 3-4, who requires a password" in lines[2]
    assert lines[0].startswith("network: runbook step 1, ")


def test_the_run_follows_the_runbook_and_the_rest_comes_after():
    ordered = sorted(["test_container_config", "test_gate_consumers", "test_network", "test_master"], key=steps.order)
    assert ordered == ["test_network", "test_master", "test_container_config", "test_gate_consumers"]
    assert steps.order("test_gate_consumers") == len(steps.STEPS)
    assert steps.step_of_module("test_master").marker == "master" and steps.step_of_module("test_nope") is None
