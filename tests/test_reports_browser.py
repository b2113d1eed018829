"""The HTML check report in a real headless chromium: no console errors, no network, key numbers visible,
the findings filter works, and a screenshot is saved under the test's tmp dir.

`make test` installs Debian's chromium when it is missing (target `browser-deps`). One browser serves
the whole module, driven over the DevTools protocol on a pipe (tests/chromium_cdp.py).
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from chromium_cdp import Chromium, find_chromium
from conftest import shared_sample
from report_fixture import EBOEKHOUDEN, HOSTILE, eboekhouden_result, hostile_result

from koppel.reports import write_html_report, write_report_index

pytestmark = pytest.mark.browser

GENERATED = "2026-01-01 00:00 UTC"
# Is the element laid out, on screen-size, and not hidden by CSS?
VISIBLE_JS = r"""(function (sel) {
  var el = document.querySelector(sel); if (!el) { return "missing"; }
  var box = el.getBoundingClientRect(), style = getComputedStyle(el);
  if (box.width <= 0 || box.height <= 0) { return "hidden"; }
  if (style.visibility === "hidden" || style.display === "none") { return "hidden"; }
  return (el.innerText === undefined ? el.textContent : el.innerText).replace(/\s+/g, " ").trim();
})(%r)"""


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        pytest.fail("chromium is not installed: run `make browser-deps` (as root) or `apt-get install chromium`")
    with Chromium(executable, width=1280, height=2000) as chromium:
        yield chromium


def _open(browser: Chromium, page: Path) -> None:
    browser.console.clear()
    browser.requests.clear()
    browser.load(page)
    assert browser.problems() == []
    assert browser.requests == [page.resolve().as_uri()]  # the page itself, nothing else: no network


def _visible(browser: Chromium, selector: str) -> str:
    return browser.evaluate(VISIBLE_JS % selector)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_report_renders_without_errors_and_shows_key_numbers(browser, tmp_path: Path):
    page = write_html_report(eboekhouden_result(), tmp_path / "report.html", generated=GENERATED)
    _open(browser, page)
    assert _visible(browser, "#oordeel-h") == "OORDEEL Fouten gevonden"  # the label is upper-cased by CSS
    assert [_visible(browser, f"#count-{s}") for s in ("error", "warning", "info")] == ["3", "12", "243"]
    assert _visible(browser, "#tb-total-debit") == "525.631,03"
    assert _visible(browser, "#tb-total-closing") == "0,00"
    assert _visible(browser, "#journal-total-lines") == "414"
    assert _visible(browser, "#period-chart") != "hidden"
    text = browser.evaluate("document.body.innerText")
    for needle in ("Bevindingen", "Saldibalans", "Dagboeken", "Perioden", "XAF-T08", "517.416,49", EBOEKHOUDEN):
        assert needle in text, needle
    bars = browser.evaluate(
        "Array.from(document.querySelectorAll('#period-chart rect')).filter(r => r.getBBox().height > 0).length"
    )
    assert bars == 24  # 12 periods, debit and credit
    shot = tmp_path / "report.png"
    browser.screenshot(shot)
    assert _png_size(shot) == (1280, 2000)
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one


def test_findings_filter_and_search(browser, tmp_path: Path):
    page = write_html_report(eboekhouden_result(), tmp_path / "report.html", generated=GENERATED)
    _open(browser, page)
    visible_codes = (
        "Array.from(document.querySelectorAll('tr.finding')).filter(r => !r.hidden).map(r => r.cells[0].innerText)"
    )

    def toggle(sev: str) -> None:
        browser.evaluate(f"document.querySelector('input.sev-filter[value={sev}]').click()")

    def search(words: str) -> None:
        browser.evaluate(
            f"var s = document.getElementById('finding-search'); s.value = {words!r};"
            "s.dispatchEvent(new Event('input'))"
        )

    assert len(browser.evaluate(visible_codes)) == 8
    toggle("info")
    assert browser.evaluate(visible_codes) == ["XAF-T04", "XAF-T05", "XAF-T08", "XAF-D05", "XAF-D06"]
    assert _visible(browser, "#finding-shown") == "5 van 8 getoond"
    search("linesCount")
    assert browser.evaluate(visible_codes) == ["XAF-T08"]
    search("686571.44 totalcredit")  # every word must match, in any field, places included
    assert browser.evaluate(visible_codes) == ["XAF-T05"]
    search("geen-zo-een-bevinding")
    assert browser.evaluate(visible_codes) == []
    assert _visible(browser, "#no-match") == "Geen bevindingen bij dit filter."
    search("")
    toggle("info")
    assert len(browser.evaluate(visible_codes)) == 8
    assert _visible(browser, "#no-match") == "hidden"
    assert browser.problems() == []


def test_hostile_values_stay_text_in_the_browser(browser, tmp_path: Path):
    page = write_html_report(hostile_result(), tmp_path / "hostile.html", generated=GENERATED)
    _open(browser, page)  # no alert dialog, no console error, no request for the <img src=x>
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.images.length") == 0
    assert HOSTILE in browser.evaluate("document.getElementById('journals').innerText")


def test_index_page_links_resolve(browser, tmp_path: Path):
    results = [eboekhouden_result(), hostile_result()]
    reports = [
        write_html_report(result, tmp_path / f"report {n}.html", generated=GENERATED)
        for n, result in enumerate(results)
    ]
    index = write_report_index(results, reports, tmp_path / "index.html", generated=GENERATED)
    _open(browser, index)
    hrefs = browser.evaluate("Array.from(document.links).map(a => a.href)")
    assert hrefs == [report.resolve().as_uri() for report in reports]
    browser.screenshot(tmp_path / "index.png")
    _open(browser, reports[0])  # following the link gives a working report


def test_end_to_end_check_file_to_browser(browser, tmp_path: Path):
    checks = pytest.importorskip("koppel.checks")
    result = checks.check_file(shared_sample(EBOEKHOUDEN))
    page = write_html_report(result, tmp_path / "e2e.html", generated=GENERATED)
    _open(browser, page)
    assert _visible(browser, "#oordeel-h") == "OORDEEL Fouten gevonden"
    codes = browser.evaluate("Array.from(document.querySelectorAll('tr.finding td.code')).map(td => td.innerText)")
    assert {"XAF-T04", "XAF-T05", "XAF-T08", "XAF-D05", "XAF-D06", "XAF-F03", "XAF-V02", "XAF-V03"} <= set(codes)
    assert codes[:3] == ["XAF-T04", "XAF-T05", "XAF-T08"]  # errors first
    assert _visible(browser, "#journal-total-lines") == "414"  # EXPECTED.md: 414 trLines
    assert _visible(browser, "#tb-total-closing") == "0,00"
    text = browser.evaluate("document.body.innerText")
    assert "517.416,49" in text and "686.571,44" in text  # Σ lines and the header's wrong totals
    browser.screenshot(tmp_path / "e2e.png")


def test_report_dir_index_and_every_report_load_in_the_browser(browser, tmp_path: Path):
    from click.testing import CliRunner

    from koppel.cli import cli

    samples = [shared_sample(EBOEKHOUDEN), shared_sample("rxaf__twinfield_xaf3.1_2016.xaf")]
    out = tmp_path / "rapporten"
    run = CliRunner().invoke(cli, ["check", *map(str, samples), "--report-dir", str(out), "-q"], standalone_mode=False)
    assert run.exception is None, run.output
    _open(browser, out / "index.html")
    rows = browser.evaluate(
        "Array.from(document.querySelectorAll('#index tbody tr'))"
        ".map(tr => Array.from(tr.cells).map(td => td.innerText))"
    )
    assert [(r[0], r[5]) for r in rows] == [
        (EBOEKHOUDEN, "Fouten gevonden"),
        ("rxaf__twinfield_xaf3.1_2016.xaf", "Bruikbaar, met waarschuwingen"),
    ]
    hrefs = browser.evaluate("Array.from(document.links).map(a => a.href)")
    assert len(hrefs) == 2
    for href in hrefs:
        browser.console.clear()
        browser.load_url(href)
        assert browser.problems() == []
        assert browser.evaluate("document.getElementById('oordeel-h').innerText").startswith("OORDEEL")


def test_all_places_toggle(browser, tmp_path: Path):
    page = write_html_report(eboekhouden_result(), tmp_path / "report.html", generated=GENERATED)
    _open(browser, page)
    opened = "Array.from(document.querySelectorAll('#findings-table details')).filter(d => d.open).length"
    assert browser.evaluate(opened) == 0
    browser.evaluate("document.getElementById('toggle-places').click()")
    assert browser.evaluate(opened) == 7  # every finding with places
    assert _visible(browser, "#toggle-places") == "Plaatsen verbergen"
    assert "686571.44" in _visible(browser, "#findings-table")  # the values inside the places are now on screen
    browser.evaluate("document.getElementById('toggle-places').click()")
    assert browser.evaluate(opened) == 0
    assert browser.problems() == []
