"""The house as DESIGN.md draws it, kept by the code itself: imports run one
way (kolla -> observe -> checks -> runbook -> plugin -> cli, the lab on kolla
and observe only), no circle between modules, no module over ~300 lines, and
tests that mirror the tree file by file."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT

PACKAGE = PROJECT / "coordcheck"
#: each floor imports only from the floors below it ("" is the top-level modules: secrets, url, findings ...)
FLOORS = {"": 0, "kolla": 1, "observe": 2, "checks": 3, "lab": 3, "runbook": 4, "watch": 4, "pytest_plugin": 5,
          "cli": 6}
#: what a floor may import besides the floors below it
ALSO = {"lab": {"", "kolla", "observe"}}
LONGEST = 300


def modules() -> dict[str, Path]:
    """coordcheck's modules by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PROJECT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def floor_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else ""


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The coordcheck modules ``path`` imports (at module level or inside a function)."""
    named = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            named |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return {n for n in named if n in known}


def test_imports_run_one_way():
    known = modules()
    upward = []
    for name, path in known.items():
        here = floor_of(name)
        if name == "coordcheck.__main__":   # the entry point: python -m coordcheck runs the CLI
            continue
        for target in imports_of(path, known):
            there = floor_of(target)
            allowed = there == here or FLOORS[there] < FLOORS[here] and there in ALSO.get(here, {there})
            if not allowed:
                upward.append(f"{name} -> {target}")
    assert not upward, "imports that run the wrong way: " + ", ".join(upward)


def test_no_circle_between_modules():
    known = modules()
    graph = {name: imports_of(path, known) - {name} for name, path in known.items()}
    # a package imports its own modules' names through its __init__; a module importing its own package is not a circle
    graph = {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in graph.items()}
    state, circles = {}, []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                circles.append(" -> ".join(trail[trail.index(target):] + [target]) if target in trail else target)
            elif target not in state:
                visit(target, trail + [target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not circles, "circles: " + "; ".join(circles)


def test_no_module_over_the_limit():
    long = {str(p.relative_to(PROJECT)): n for p in modules().values() if (n := len(p.read_text().splitlines())) > LONGEST}
    assert not long, f"modules over {LONGEST} lines: {long}"


def test_tests_mirror_the_tree():
    """coordcheck/<dir>/<name>.py has tests/<dir>/test_<name>.py."""
    missing = []
    for path in modules().values():
        if path.name in ("__init__.py", "__main__.py"):
            continue
        relative = path.relative_to(PACKAGE)
        mirror = PROJECT / "tests" / relative.parent / f"test_{relative.name}"
        if not mirror.is_file():
            missing.append(str(mirror.relative_to(PROJECT)))
    assert not missing, f"{len(missing)} modules without their test file: {', '.join(missing)}"
