"""Run a local tool (docker, podman, Compose, debootstrap, pip), bounded, and
turn every way it can fail into one line: what was asked, and why not.

    run(["docker", "rm", "-f", "cinder_volume"], "remove cinder_volume", timeout=60)
"""

from __future__ import annotations

import subprocess


class ToolError(Exception):
    """A tool is missing, hung, or refused; one line."""


def run(command: list[str], what: str, timeout: float, pipe_from: list[str] | None = None,
        **kwargs) -> subprocess.CompletedProcess:
    """``command`` (its stdin fed by ``pipe_from``'s stdout, if given); raises
    `ToolError` unless it exits 0 within ``timeout`` s."""
    feeder = subprocess.Popen(pipe_from, stdout=subprocess.PIPE) if pipe_from else None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              stdin=feeder.stdout if feeder else kwargs.pop("stdin", None), **kwargs)
    except FileNotFoundError:
        raise ToolError(f"{what}: {command[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise ToolError(f"{what}: did not finish within {timeout:g} s") from None
    finally:
        if feeder:
            feeder.stdout.close()
            feeder.wait()
    if done.returncode != 0:
        tail = " ".join((done.stderr or done.stdout).split())[-300:]
        raise ToolError(f"{what} failed ({done.returncode}): {tail}")
    return done
