"""The one error of the lab: what `coordcheck up/down/break` cannot do, in one line."""

from __future__ import annotations

import contextlib

from coordcheck.lab.tools import ToolError


class DeploymentError(Exception):
    """`coordcheck up/down/...` cannot do what was asked; one line."""


@contextlib.contextmanager
def engine_errors():
    """A refusal of the container engine or of Compose is a `DeploymentError` (one line)."""
    try:
        yield
    except ToolError as exc:
        raise DeploymentError(str(exc)) from None
