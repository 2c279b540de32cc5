"""The run as one self-contained HTML page (no script, no external asset):
the verdict, the host × step matrix with where each cell ran, and each
cause once with its places, evidence and fix. Masked by the caller
(`coordcheck.pytest_plugin.outputs.write_atomically`).

    Path("report.html").write_text(page(run))
"""

from __future__ import annotations

import time
from html import escape

from coordcheck.pytest_plugin.run import Run

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


def _cause(c: dict) -> str:
    places = "".join(f"<li>{escape(p['text'])}</li>" for p in c["places"])
    evidence = "".join(f"<pre>{escape(e)}</pre>" for e in c["evidence"][:5])
    fixes = "".join(f"<pre>{escape(f)}</pre>" for f in c["fixes"])
    return (f'<div class="cause {escape(c["severity"])}" id="{escape(c["id"])}"><h3>{escape(c["id"])} '
            f'<small>{escape(c["severity"])}, {len(c["tests"])} tests</small></h3><p>{escape(c["cause"])}</p>'
            f"<b>Where</b><ul>{places}</ul><b>Evidence</b>{evidence}<b>Fix</b>{fixes}</div>")


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
