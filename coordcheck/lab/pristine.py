"""The part of `LocalDeployment` that remembers what `up` left and puts the
lab back to it (`coordcheck reset`): every file `up` wrote, as it was once
the sentinels agreed (bytes and mode), and the faults `break` and `repro`
applied since (`status` lists them).

    d.snapshot()          # at the end of up
    d.reset()             # -> the faults undone, e.g. ['SENTINEL_UNREACHABLE', 'PASSWORD_REJECTED']
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from coordcheck.lab import netns, processes
from coordcheck.lab.errors import DeploymentError

PRISTINE = "pristine"
SERVERS = (" server", " sentinel")


class PristineMixin:
    """Needs ``state()``, ``_save()``, ``_start()``, ``wait_for()``, ``placement()``, the engine glue."""

    @property
    def pristine_dir(self) -> Path:
        return self.state_dir / PRISTINE

    def snapshot(self) -> None:
        """Keep a copy of every file `up` wrote, as it is now (sentinels agreed)."""
        state = self.state()
        for path in map(Path, state["files"]):
            if path.is_file():
                copy = self.pristine_dir / path.relative_to(self.root)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, copy)
        state["faults"] = []
        state["host_images_up"] = dict(state.get("host_images", {}))   # a fault may move a host to another image
        self._save(state)

    def faults(self) -> list[str] | None:
        """The faults applied since `up` (or the last `reset`), in order (None: a lab
        made by an older coordcheck, which kept no record)."""
        faults = self.state().get("faults")
        return None if faults is None else list(faults)

    def record_fault(self, name: str, active: bool = True) -> None:
        state = self.state()
        faults = [f for f in state.get("faults", []) if f != name]
        state["faults"] = faults + [name] if active else faults
        self._save(state)

    def record_partition(self, host: str, ip: str, port: int) -> None:
        state = self.state()
        state.setdefault("partitions", []).append([host, ip, port])
        self._save(state)

    def reset(self, timeout: float = 30.0) -> list[str]:
        """Every fault undone: the servers and sentinels restarted from the
        configs `up` wrote, every file restored, partitions lifted, the service
        containers recreated from their image; returns the faults it undid."""
        state = self.state()
        if not self.pristine_dir.is_dir():
            raise DeploymentError(f"{self.root} has no copy of what `up` wrote (made by an older coordcheck): "
                                  f"`coordcheck down --dir {self.root}`, then `up` again")
        undone = self.faults() or []
        deadline = time.monotonic() + timeout
        servers = [p for p in state["processes"] if not p["name"].startswith("sshd") and
                   (p["name"].endswith(SERVERS) or " garbage-" in p["name"])]
        processes.stop(servers)   # paused ones too (SIGCONT first)
        self._stop_compose(state)   # compose servers: their containers removed, made again below
        state["processes"] = [p for p in state["processes"] if p not in servers]
        self._restore(state)
        for host, ip, port in state.pop("partitions", []):
            netns.unpartition(state["netns"], host, ip, port)
        state["faults"] = []
        state["host_images"] = dict(state.get("host_images_up", state.get("host_images", {})))
        self._save(state)
        self.bring_up(state, self.layout(), self.password(), deadline)
        return undone

    def _restore(self, state: dict) -> None:
        """Each file `up` wrote back as it was (content and mode); a file a fault added goes."""
        for path in map(Path, state["files"]):
            copy = self.pristine_dir / path.relative_to(self.root)
            if copy.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(copy, path)
        for host in self.layout().backends:
            for extra in (self.state_dir / host).glob("garbage-*.py"):
                extra.unlink()
