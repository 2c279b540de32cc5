"""How long installing coordcheck takes, as an operator installs it: `pip install` of the wheel built
from the checkout into a fresh venv, and into the venv of kolla-ansible 20.3.0 (2025.1) that holds
kolla-ansible already; wall seconds of that one `pip install`, each in a venv made for it (nothing
cached but pip's own download cache). Writes its section of bench/README.md (``install``).

    python bench/install.py [--rounds 1] [--kolla-ansible 20.3.0] [--python 3.11]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from common import spread, table, write_section

from tests import installs  # noqa: E402 - common put the project on sys.path



def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="pip install time of the wheel: fresh venv, kolla-ansible venv")
    parser.add_argument("--rounds", type=int, default=1, help="installs of each kind (median reported)")
    parser.add_argument("--kolla-ansible", default="20.3.0", help="the kolla-ansible release of the second venv")
    parser.add_argument("--python", default="3.11", help="the Python of both venvs")
    return parser.parse_args()


def _version(venv: Path, package: str) -> str:
    return subprocess.run([str(venv / "bin/python"), "-c", f"import importlib.metadata as m; print(m.version({package!r}))"],
                          capture_output=True, text=True, timeout=60).stdout.strip()


def measure(wheel: Path, python: str, kolla_ansible: str, root: Path) -> dict:
    """One round: seconds of each `pip install`, and what pip chose."""
    fresh = installs.fresh_venv(root / "fresh", python)
    alone = installs.pip_install(fresh, [str(wheel)])
    kolla = installs.fresh_venv(root / "kolla", python)
    kolla_seconds = installs.pip_install(kolla, [f"kolla-ansible=={kolla_ansible}"])
    beside = installs.pip_install(kolla, [str(wheel)])
    check = subprocess.run([str(kolla / "bin/python"), "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    return {"alone": alone, "kolla": kolla_seconds, "beside": beside, "pip_check": check.returncode == 0,
            "ansible_core_alone": _version(fresh, "ansible-core"), "ansible_core_beside": _version(kolla, "ansible-core"),
            "pip": _version(fresh, "pip")}


def main() -> None:
    args = _parse()
    wheel = installs.wheel()
    rounds = []
    for n in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="coordcheck-bench-install-") as tmp:
            rounds.append(measure(wheel, args.python, args.kolla_ansible, Path(tmp)))
        r = rounds[-1]
        print(f"round {n + 1}: fresh venv {r['alone']:.1f} s, kolla-ansible {args.kolla_ansible} itself "
              f"{r['kolla']:.1f} s, beside it {r['beside']:.1f} s, pip check {'clean' if r['pip_check'] else 'FAILS'}")
    last, seconds = rounds[-1], {k: [r[k] for r in rounds] for k in ("alone", "beside", "kolla")}
    rows = [[f"`{wheel.name}` into a fresh venv (all its dependencies resolved)", spread(seconds["alone"]),
             last["ansible_core_alone"]],
            [f"the same into kolla-ansible {args.kolla_ansible}'s venv (kolla-ansible already there)",
             spread(seconds["beside"]), f"{last['ansible_core_beside']} (kolla-ansible's pin)"],
            [f"for scale: kolla-ansible {args.kolla_ansible} itself into a fresh venv", spread(seconds["kolla"]),
             last["ansible_core_beside"]]]
    clean = all(r["pip_check"] for r in rounds)
    write_section("install", f"""{table(["one `pip install`", "wall", "ansible-core chosen"], rows)}

Each into a venv made for it (Python {args.python}, pip {last['pip']}), from the machine's package index
mirror with pip's download cache warm. `pip check` in the kolla-ansible venv afterwards: {'clean' if clean else 'NOT clean'}.""")


if __name__ == "__main__":
    main()
