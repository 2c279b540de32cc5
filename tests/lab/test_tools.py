"""A local tool run bounded: its output when it exits 0, else one line
saying what was asked and why not (missing, hung, refused)."""

import time

import pytest

from coordcheck.lab import tools
from coordcheck.lab.tools import ToolError


def test_a_tool_that_exits_0_gives_its_output():
    assert tools.run(["printf", "ready"], "say ready", timeout=10).stdout == "ready"


def test_a_tool_fed_by_another():
    assert tools.run(["wc", "-c"], "count", timeout=10, pipe_from=["printf", "abcd"]).stdout.strip() == "4"


def test_a_missing_tool():
    with pytest.raises(ToolError, match=r"^build the image: coordcheck-no-such-tool is not installed$"):
        tools.run(["coordcheck-no-such-tool"], "build the image", timeout=10)


def test_a_hung_tool_is_cut_at_its_timeout():
    started = time.monotonic()
    with pytest.raises(ToolError, match=r"^wait: did not finish within 0.3 s$"):
        tools.run(["sleep", "30"], "wait", timeout=0.3)
    assert time.monotonic() - started < 5


def test_a_refusal_ends_with_the_tools_last_words():
    with pytest.raises(ToolError) as raised:
        tools.run(["sh", "-c", "echo first line >&2; echo the  reason >&2; exit 3"], "docker rm", timeout=10)
    assert str(raised.value) == "docker rm failed (3): first line the reason"
