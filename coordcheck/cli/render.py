"""``coordcheck render``: what Kolla will write — every host × service × file
× option of a Sentinel consumer with its effective value (passwords masked)
and where each part comes from.

    coordcheck render --configdir etc/kolla --inventory multinode [--json]
"""

from __future__ import annotations

import argparse
import json
import sys

from coordcheck.kolla import KollaError
from coordcheck.kolla.render.values import mask, secrets
from coordcheck.kolla.render import render_repo
from coordcheck.secrets import KNOWN

PROG = "coordcheck render"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        print(f"{PROG}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def parser() -> argparse.ArgumentParser:
    ap = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    ap.add_argument("--configdir", required=True, help="the Kolla config directory (globals.yml, passwords.yml, config/)")
    ap.add_argument("--inventory", required=True)
    ap.add_argument("--passwords", help="passwords.yml (default: CONFIGDIR/passwords.yml)")
    ap.add_argument("--vault-password-file")
    ap.add_argument("--kolla-release", help="kolla-ansible release or series (default: openstack_release)")
    ap.add_argument("--facts", help="an Ansible jsonfile fact cache directory (API addresses)")
    ap.add_argument("--kolla-ansible", metavar="auto|PATH", help="render with an installed kolla-ansible")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        result = render_repo(args.configdir, args.inventory, args.vault_password_file, args.kolla_release,
                             args.facts, args.kolla_ansible, args.passwords)
    except (KollaError, OSError) as exc:
        print(f"{PROG}: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    known = secrets(result.records)
    for value in known:
        KNOWN.add(value)
    rows = [{"host": r.host, "service": r.service, "file": r.file, "section": r.section, "option": r.option,
             "value": KNOWN.mask(mask(r.value, r.option, known)), "source": KNOWN.mask(r.source)}
            for r in result.records]
    header = {"renderer": result.renderer, "release": f"{result.release.point} ({result.release.series})",
              "flavor": result.release.flavor, "tables": result.release.range,
              "release_source": result.release_source, "addresses": result.addresses,
              "notes": [KNOWN.mask(n) for n in result.notes], "errors": [KNOWN.mask(str(e)) for e in result.errors]}
    if args.json:
        print(json.dumps({**header, "records": rows}, indent=1))
        return 0
    print(f"# rendered by {header['renderer']}; kolla-ansible {header['release']} from {header['release_source']}")
    for host, how in header["addresses"].items():
        print(f"# {host}: API address {how}")
    for line in header["notes"] + [f"error: {e}" for e in header["errors"]]:
        print(f"# {line}")
    for row in rows:
        section = f"[{row['section']}] " if row["section"] else ""
        print(f"{row['host']}\t{row['service']}\t{row['file']}\t{section}{row['option']} = {row['value']}"
              f"\t<- {row['source']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
