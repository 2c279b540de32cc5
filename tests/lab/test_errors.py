"""The lab's one error: what a tool refused becomes a `DeploymentError`,
its one line kept, without the tool's traceback behind it."""

import pytest

from coordcheck.lab import tools
from coordcheck.lab.errors import DeploymentError, engine_errors


def test_a_tool_refusal_is_a_deployment_error_of_one_line():
    with pytest.raises(DeploymentError) as raised:
        with engine_errors():
            tools.run(["coordcheck-no-such-engine", "ps"], "list the containers", timeout=5)
    assert str(raised.value) == "list the containers: coordcheck-no-such-engine is not installed"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_other_errors_pass_through():
    with pytest.raises(KeyError):
        with engine_errors():
            raise KeyError("not a tool's")
