"""The run as one self-contained HTML page (no script, no external asset):
the verdict, the host × step matrix with where each cell ran, and each
cause once with its places, evidence and fix. Masked by the caller
(`coordcheck.pytest_plugin.outputs.write_atomically`).

    Path("report.html").write_text(page(run))
"""

from __future__ import annotations

import time
from html import escape

from coordcheck.pytest_plugin.run import Run, fix_lines

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em; color: #222; max-width: 1100px }
h1 { font-size: 1.5em } h2 { font-size: 1.2em; margin-top: 1.6em }
table.matrix { border-collapse: collapse } .matrix th, .matrix td { border: 1px solid #bbb; padding: .3em .8em }
.matrix td.pass { background: #d6f5d6 } .matrix td.warn { background: #fff1c2 } .matrix td.fail { background: #f8c9c9 }
.verdict { display: inline-block; padding: .2em .8em; border-radius: .3em; font-weight: bold }
.verdict.pass { background: #d6f5d6 } .verdict.warn { background: #fff1c2 } .verdict.fail, .verdict.unknown { background: #f8c9c9 }
.cause { border-left: 4px solid #c33; padding: .3em 1em; margin: 1em 0; background: #fafafa }
.cause.warn { border-color: #d9a400 } pre { white-space: pre-wrap; margin: .2em 0 }
small { color: #666 }
table.places { border-collapse: collapse; font-size: .9em; margin: .3em 0 }
.places th, .places td { border: 1px solid #ccc; padding: .15em .5em; text-align: left; vertical-align: top }
pre.fix { background: #f0f0f0; padding: .4em; overflow-wrap: anywhere }
"""


def _matrix(run: Run) -> str:
    head = "".join(f"<th>{escape(s)}</th>" for s in run.steps)
    rows = []
    for row in run.rows:
        cells = []
        for step in run.steps:
            status = run.matrix[row].get(step)
            where = "; ".join(sorted(run.where[row].get(step, ())))
            cells.append(f'<td class="{status or "none"}" title="{escape(where)}">{escape(status or "-")}</td>')
        rows.append(f"<tr><th>{escape(row)}</th>{''.join(cells)}</tr>")
    where = "".join(
        f"<li><b>{escape(row)}</b>: {escape('; '.join(sorted({w for s in run.steps for w in run.where[row].get(s, ())})))}</li>"
        for row in run.rows)
    return (f'<table class="matrix"><tr><th></th>{head}</tr>{"".join(rows)}</table>'
            f"<h2>Where each ran</h2><ul>{where}</ul>")


PLACE_COLUMNS = (("host", "host"), ("service", "service"), ("file", "file"), ("container", "container"),
                 ("option", "option"), ("source", "set by"), ("address", "address"), ("seen_from", "seen from"))


def _places(places: list[dict]) -> str:
    """Every place as a table row, grouped by host (the columns no place fills left out)."""
    columns = [(k, title) for k, title in PLACE_COLUMNS if any(p.get(k) for p in places)]
    head = "".join(f"<th>{escape(title)}</th>" for _, title in columns)
    ordered = sorted(places, key=lambda p: (p.get("host") or "", p.get("service") or "", p.get("file") or ""))
    rows = "".join("<tr>" + "".join(f"<td>{escape(str(p.get(k) or ''))}</td>" for k, _ in columns) + "</tr>"
                   for p in ordered)
    return f'<table class="places"><tr>{head}</tr>{rows}</table>'


def _cause(c: dict) -> str:
    evidence = "".join(f"<pre>{escape(e)}</pre>" for e in c["evidence"])
    follows = "".join(
        f"<p><b>{escape(f['id'])}</b> <small>{len(f['tests'])} tests</small>: {escape(f['cause'])}</p>"
        + "".join(f"<pre>{escape(e)}</pre>" for e in f["evidence"]) for f in c.get("consequences", []))
    fix = f"<pre class=\"fix\">{escape(chr(10).join(fix_lines(c['fixes'])))}</pre>"
    return (f'<div class="cause {escape(c["severity"])}" id="{escape(c["id"])}"><h3>{escape(c["id"])} '
            f'<small>{escape(c["severity"])}, {len(c["tests"])} tests, services: '
            f'{escape(", ".join(c["services"]) or "-")}</small></h3><p>{escape(c["cause"])}</p>'
            f"<b>Where</b>{_places(c['places'])}<b>Evidence</b>{evidence}"
            + (f"<b>Follows from it</b>{follows}" if follows else "") + f"<b>Fix</b>{fix}</div>")


def page(run: Run) -> str:
    verdict = run.verdict()
    counts = run.counts()
    causes = run.causes()
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(run.started))
    body = [f"<h1>coordcheck report</h1><p><span class=\"verdict {verdict}\">{verdict.upper()}</span> "
            f"{len(run.hosts)} hosts, {counts['failed']} failed cells, {counts['warnings']} warnings, "
            f"{run.duration():.1f} s, {escape(when)}"
            + (f", inventory <code>{escape(run.inventory)}</code>" if run.inventory else "") + "</p>",
            "<h2>Hosts × runbook steps</h2>", _matrix(run),
            f"<h2>Causes ({len(causes)})</h2>", "".join(_cause(c) for c in causes) or "<p>none</p>"]
    unexplained = run.unexplained()
    if unexplained:
        body.append("<h2>Failed without a catalogue finding</h2><ul>" + "".join(
            f"<li>{escape(r['row'])} {escape(r['step'])}: {escape(r['test'])}: {escape(r['reason'])}</li>"
            for r in unexplained) + "</ul>")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>coordcheck: {verdict}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")
