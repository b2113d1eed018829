"""HTML check report and index page: content, escaping, no network, graceful with missing keys, atomic."""

from __future__ import annotations

import itertools
from pathlib import Path

import lxml.html
import pytest
from report_fixture import EBOEKHOUDEN, FORMULA, HOSTILE, eboekhouden_result, hostile_result

from koppel.reports import render_html_report, write_html_report, write_report_index
from koppel.reports.view import build_view, period_chart, verdict

GENERATED = "2026-01-01 00:00 UTC"


def _page(result: dict) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(render_html_report(result, generated=GENERATED))


def _rows(doc: lxml.html.HtmlElement, xpath: str) -> list[list[str]]:
    """Cell texts per table row under ``xpath``."""
    return [[" ".join(c.text_content().split()) for c in tr.xpath("th|td")] for tr in doc.xpath(f"{xpath}//tr")]


def _by_id(doc: lxml.html.HtmlElement, ident: str) -> str:
    (node,) = doc.xpath(f'//*[@id="{ident}"]')
    return " ".join(node.text_content().split())


def test_eboekhouden_report_shows_verdict_counts_and_totals():
    doc = _page(eboekhouden_result())
    assert _by_id(doc, "oordeel-h") == "Oordeel Fouten gevonden"
    assert "verdict-errors" in doc.xpath('//*[@id="oordeel"]/@class')[0]
    assert [_by_id(doc, f"count-{s}") for s in ("error", "warning", "info")] == ["3", "12", "243"]
    # every finding of EXPECTED.md, errors first
    codes = [" ".join(td.text_content().split()) for td in doc.xpath('//tr[contains(@class,"finding")]/td[1]')]
    assert codes == ["XAF-T04", "XAF-T05", "XAF-T08", "XAF-D05", "XAF-D06", "XAF-F03", "XAF-V02", "XAF-V03"]
    # journals: EXPECTED.md's 414 trLines in 165 transactions, empty journal 1000 shown
    assert _by_id(doc, "journal-total-lines") == "414"
    assert _rows(doc, '//*[@id="journals"]')[:4] == [
        ["Dagboek", "Omschrijving", "Soort", "Boekstukken", "Regels", "Debet", "Credit"],
        ["1300", "Debiteuren", "Z", "14", "42", "173.465,60", "173.465,60"],
        ["1700", "Crediteuren", "Z", "15", "45", "2.385,35", "2.385,35"],
        ["1000", "Kas", "B", "0", "0", "0,00", "0,00"],
    ]
    # trial balance closes; totals in Dutch notation
    assert _by_id(doc, "tb-total-closing") == "0,00"
    assert _by_id(doc, "tb-total-opening") == "0,00"
    assert _by_id(doc, "tb-total-debit") == _by_id(doc, "journal-total-debit") == "525.631,03"
    assert "517.416,49" in _by_id(doc, "gegevens")  # the header total, as the engine gives it
    assert "Delphi Information Solutions" in _by_id(doc, "gegevens")
    facts = {tuple(" ".join(c.text_content().split()) for c in div.xpath("dt|dd")) for div in doc.xpath("//dl/div")}
    assert ("Boekingsregels", "414") in facts  # engine keys get Dutch labels
    assert ("Beginbalans debet", "169.154,95") in facts
    assert len(doc.xpath('//*[@id="period-chart"]//rect[@class="bar-debit"]')) == 12


def test_report_is_self_contained():
    html = render_html_report(eboekhouden_result(), generated=GENERATED)
    doc = lxml.html.fromstring(html)
    assert not doc.xpath("//link | //img | //iframe | //object | //embed | //script[@src] | //*[@src]")
    for needle in ("http://", "https://", "//cdn", "@import", "url(", "@font-face"):
        assert needle not in html, needle
    assert len(doc.xpath("//style")) == 1 and len(doc.xpath("//script")) == 1


def test_hostile_text_is_escaped_everywhere():
    html = render_html_report(hostile_result(), generated=GENERATED)
    doc = lxml.html.fromstring(html)
    assert len(doc.xpath("//script")) == 1  # ours only
    assert not doc.xpath("//img | //b")
    assert not [a for el in doc.iter() for a in el.attrib if a.startswith("on")]
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE in _by_id(doc, "journals")
    assert FORMULA in doc.text_content()  # HTML shows the text as it is; only the workbook neutralises it


def test_empty_result_renders_gracefully(tmp_path: Path):
    path = write_html_report({}, tmp_path / "r.html", generated=GENERATED)
    doc = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    assert _by_id(doc, "oordeel-h") == "Oordeel Onbekend"
    for section in ("bevindingen", "saldibalans", "dagboeken", "perioden"):
        assert doc.xpath(f'//*[@id="{section}"]//p[@class="empty-note"]'), section


def test_wrong_shapes_and_missing_amounts_do_not_break_the_page():
    result = {
        "header": "not a dict",
        "findings": [{"code": "X", "severity": "FATAL", "count": "many"}, "junk"],
        "trial_balance": [{"account": "1", "debit": "", "credit": None, "closing": "abc"}],
        "journals": None,
        "periods": [{"period": "1"}],
        "counts": {"nested": {"a": 1}},
    }
    doc = _page(result)
    assert _by_id(doc, "oordeel-h") == "Oordeel In orde"  # findings present, none an error or warning
    assert "abc" in _by_id(doc, "trial-balance")  # an unreadable amount is shown as written, not dropped
    assert "nested.a" in _by_id(doc, "gegevens")


@pytest.mark.parametrize(
    ("result", "key"),
    [
        ({"verdict": "unusable"}, "unusable"),
        ({"summary": {"error": 1, "warning": 0}}, "errors"),
        ({"summary": {"error": 0, "warning": 2}}, "warnings"),
        ({"findings": [{"severity": "warning", "count": 3}]}, "warnings"),
        ({"findings": []}, "ok"),
        ({"verdict": "nonsense"}, "unknown"),
    ],
)
def test_verdict_is_taken_or_derived(result, key):
    assert verdict(result).key == key


def test_totals_are_exact_cents():
    rows = [
        {"account": str(n), "debit": "0.10", "credit": "0.20", "opening": "-0.05", "closing": "-0.15"} for n in range(3)
    ]
    view = build_view({"trial_balance": rows})
    assert {k: v.cents for k, v in view["trial_totals"].items()} == {
        "opening": -15,
        "debit": 30,
        "credit": 60,
        "closing": -45,
    }
    doc = _page({"trial_balance": rows})
    assert _by_id(doc, "tb-total-credit") == "0,60"
    assert _by_id(doc, "tb-total-closing") == "-0,45"
    assert doc.xpath('//*[@id="tb-total-closing"]/@class') == ["num neg"]
    # a trial balance that does not close says so
    assert "sluit niet" in _by_id(doc, "saldibalans")


def test_period_chart_scales_to_the_largest_bar_and_handles_negatives():
    view = build_view(
        {"periods": [{"period": "1", "debit": "100.00", "credit": "50.00"}, {"period": "2", "debit": "-20.00"}]}
    )
    chart = period_chart(view["periods"])
    assert chart is not None
    top_tick = chart.ticks[-1]
    assert chart.debit_bars[0].y == top_tick[0] and top_tick[1] == "100"  # 100.00 reaches the top grid line
    assert chart.credit_bars[0].height == pytest.approx(chart.debit_bars[0].height / 2, abs=0.02)
    assert chart.debit_bars[1].y == chart.baseline  # a negative bar hangs below the zero line
    assert chart.debit_bars[1].height > 0
    assert [label for _, label in chart.ticks] == ["-50", "0", "50", "100"]
    assert period_chart([]) is None


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path):
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    target.write_text("old")
    write_html_report(eboekhouden_result(), target, generated=GENERATED)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_failed_render_keeps_the_old_file(tmp_path: Path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("koppel.reports.html.atomic_open", _failing_atomic_open(broken))
    with pytest.raises(RuntimeError):
        write_html_report({}, target, generated=GENERATED)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def _failing_atomic_open(fail):
    from koppel.atomic import atomic_open

    def opener(path, *args, **kwargs):
        import contextlib

        @contextlib.contextmanager
        def cm():
            with atomic_open(path, *args, **kwargs) as handle:
                handle.write("<half")
                fail()
                yield handle

        return cm()

    return opener


def test_index_links_each_report_with_verdict_and_counts(tmp_path: Path):
    results = [eboekhouden_result(), hostile_result(), {"file": "kapot.xaf", "verdict": "unusable"}]
    reports = [tmp_path / "reports" / "eb report.html", tmp_path / "reports" / "h#1.html", tmp_path / "k.html"]
    index = write_report_index(results, reports, tmp_path / "reports" / "index.html", generated=GENERATED)
    doc = lxml.html.fromstring(index.read_text(encoding="utf-8"))
    assert doc.xpath("//a/@href") == ["eb%20report.html", "h%231.html", "../k.html"]
    rows = _rows(doc, '//table[@id="index"]/tbody')
    assert rows[0] == [EBOEKHOUDEN, "Delphi Information Solutions", "2019", "3.2", "e-Boekhouden.nl 3.0",
                       "Fouten gevonden", "3", "12", "243"]  # fmt: skip
    assert rows[2] == ["kapot.xaf", "", "", "", "", "Onbruikbaar", "0", "0", "0"]
    assert "&lt;script&gt;" in index.read_text(encoding="utf-8")
    assert [" ".join(span.text_content().split()) for span in doc.xpath('//p[@class="meta"]/span')][:4] == [
        "In orde 0",
        "met waarschuwingen 1",
        "met fouten 1",
        "onbruikbaar 1",
    ]


def test_index_refuses_mismatched_lists(tmp_path: Path):
    with pytest.raises(ValueError, match="2 results but 1 report paths"):
        write_report_index([{}, {}], [tmp_path / "a.html"], tmp_path / "index.html")
    assert not (tmp_path / "index.html").exists()


def test_tally_shows_occurrences_when_findings_are_grouped():
    result = {"summary": {"warning": 1}, "findings": [{"code": "XAF-D02", "severity": "warning", "count": 13}]}
    doc = _page(result)
    assert _by_id(doc, "count-warning") == "1"
    assert _by_id(doc, "times-warning") == "13 voorvallen"
    assert not doc.xpath('//*[@id="times-error" or @id="times-info"]')
    assert not _page(eboekhouden_result()).xpath('//*[@class="times"]')  # summary already counts occurrences


def test_title_shows_the_file_name_and_the_facts_the_full_path():
    doc = _page({"file": "/data/klant a/2024.xaf"})
    assert doc.xpath("//h1/text()") == ["2024.xaf"] and doc.xpath("//h1/@title") == ["/data/klant a/2024.xaf"]
    assert "/data/klant a/2024.xaf" in _by_id(doc, "gegevens")


def test_period_chart_thins_out_labels_when_crowded():
    periods = [{"period": str(n), "debit": "1.00", "credit": "1.00"} for n in range(1, 101)]
    chart = period_chart(build_view({"periods": periods})["periods"])
    assert len(chart.debit_bars) == 100
    assert [name for _, name in chart.labels][:3] == ["1", "6", "11"]  # every 5th: 100 periods on 854 units
    positions = [x for x, _ in chart.labels]
    assert min(b - a for a, b in itertools.pairwise(positions)) >= 34


def test_findings_show_dutch_words_and_amounts():
    """Was: `expected 647768.10 found 647705.10` in a Dutch report."""
    doc = _page(eboekhouden_result())
    values = [" ".join(n.text_content().split()) for n in doc.xpath('//span[@class="kv"]')]
    assert "verwacht 517.416,49" in values and "gevonden 686.571,44" in values
    assert "verwacht 414" in values and "gevonden 5" in values  # counts stay counts
    assert not [v for v in values if v.startswith(("expected ", "found "))]
