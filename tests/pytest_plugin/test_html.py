"""The run as one HTML page (`coordcheck.pytest_plugin.html`), opened in
headless Chromium: the matrix, each cause once, every place as a table row,
the fix clean and whole, no external asset and no password."""

import shutil
import struct
import subprocess

from coordcheck.pytest_plugin import outputs
from coordcheck.pytest_plugin.html import page
from tests.pytest_plugin.records import CORRECTED, PW


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


CHROMIUM = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_html_report_in_headless_chromium(incident_run, tmp_path):
    browser = shutil.which("chromium")
    assert browser, "chromium is not installed: make browser (Debian's chromium)"
    path = tmp_path / "report.html"
    outputs.write_atomically(path, page(incident_run))
    text = path.read_text()
    assert PW not in text and "http" not in text.replace("http-equiv", "")   # no external asset
    profile = tmp_path / "profile"
    shot = tmp_path / "shot.png"
    subprocess.run([browser, *CHROMIUM, f"--user-data-dir={profile}", f"--screenshot={shot}",
                    "--window-size=1200,900", path.as_uri()], capture_output=True, timeout=90, check=True)
    assert png_size(shot) == (1200, 900) and shot.stat().st_size > 10_000
    dom = subprocess.run([browser, *CHROMIUM, f"--user-data-dir={profile}", "--dump-dom", path.as_uri()],
                         capture_output=True, text=True, timeout=90, check=True).stdout
    assert "<th>ctl2</th>" in dom and '<td class="fail"' in dom and dom.count('id="SENTINEL_AUTH_MISSING"') == 1
    assert "kolla-ansible -i /etc/kolla/multinode reconfigure --tags cinder" in dom and PW not in dom


def test_html_places_as_a_table_fix_clean_url_whole(gate_run, tmp_path):
    path = tmp_path / "report.html"
    outputs.write_atomically(path, page(gate_run))
    text = path.read_text()
    assert text.count("<tr><td>") == 13 and "<th>set by</th>" in text and "<td>stor1</td>" in text
    whole = CORRECTED.replace(PW, "***").replace("&", "&amp;")
    assert f"corrected URL: {whole}" in text and "&amp;sentinel_password=***" in text
    fix = text.split('<pre class="fix">', 1)[1].split("</pre>", 1)[0]
    assert all(line == line.strip() for line in fix.splitlines())   # no terminal indentation
    assert PW not in text


