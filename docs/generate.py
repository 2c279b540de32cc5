"""Writes the generated pages of docs/ again from the code they describe:

    python docs/generate.py          # docs/catalogue.md and docs/scenarios.md
    python docs/generate.py --check  # exit 1, naming the page, when one differs (tests/test_docs.py)

Never edit those pages by hand: change the catalogue (`coordcheck/findings.py`) or the
scenarios (`coordcheck/lab/scenarios.py`), then run this.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
if str(DOCS.parent) not in sys.path:
    sys.path.insert(0, str(DOCS.parent))

REGENERATE = "python docs/generate.py"


def catalogue() -> str:
    from coordcheck.findings import markdown_document
    return markdown_document()


def scenarios() -> str:
    from coordcheck.lab.scenarios import markdown_table
    return (f"# Break scenarios: every entry, reproduced\n\n<!-- generated from coordcheck/lab/scenarios.py: "
            f"{REGENERATE} -->\n\n"
            "`coordcheck break ID --dir DIR` injects a fault into a running lab ([lab.md](lab.md)) and returns "
            "once it shows; the checklist must then report that id, at that place, and nothing unrelated. "
            "`tests/lab/test_scenarios.py` does exactly this for every row, on a fresh lab each, with `-vv`, and "
            "checks that no password appears. `coordcheck break list` prints the table. A scenario that needs "
            "more than `coordcheck up` says so (`needs up --containers`, ...). The catalogue ids without a row "
            "here are proven by tests of their own (`tests/test_readme.py` names them); `TOOZ_HANDSHAKE_FAILED` "
            "follows every client-side fault. `SERVICE_LOG_ERRORS` waits until the service has logged the "
            "incident, which tooz 9 and redis-py 8 do only after minutes of retries, so its diagnosis is tested "
            "once, in `tests/runbook/test_containers.py`, whose cloud is built with it.\n\n"
            f"{markdown_table()}\n\n"
            "## With a network namespace per host (`coordcheck up --netns`)\n\n"
            f"{markdown_table(netns=True)}\n")


PAGES = {"catalogue.md": catalogue, "scenarios.md": scenarios}


def stale() -> list[str]:
    """The generated pages whose file differs from what the code generates."""
    return [name for name, page in PAGES.items()
            if not (DOCS / name).exists() or (DOCS / name).read_text() != page()]


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        names = stale()
        for name in names:
            print(f"docs/{name} differs from the code: run {REGENERATE}", file=sys.stderr)
        return 1 if names else 0
    if argv:
        print(f"usage: {REGENERATE} [--check]", file=sys.stderr)
        return 2
    for name, page in PAGES.items():
        (DOCS / name).write_text(page())
        print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
