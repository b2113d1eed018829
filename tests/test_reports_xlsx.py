"""Excel check report: sheets, frozen header, autofilter, number formats, exact amounts, no formula injection."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from report_fixture import FORMULA, HOSTILE, eboekhouden_result, hostile_result

from koppel.money import parse_cents
from koppel.reports import write_xlsx_report
from koppel.reports.safe_text import neutralise_formula, safe_cell_text
from koppel.reports.xlsx import AMOUNT_FORMAT

SHEETS = ["Overzicht", "Bevindingen", "Saldibalans", "Dagboeken", "Perioden"]


@pytest.fixture(scope="module")
def eb_book(tmp_path_factory):
    path = write_xlsx_report(eboekhouden_result(), tmp_path_factory.mktemp("xlsx") / "eb.xlsx")
    return load_workbook(path)


def test_sheets_header_frozen_and_filtered(eb_book):
    assert eb_book.sheetnames == SHEETS
    expected_filters = {"Bevindingen": "A1:H9", "Saldibalans": "A1:F26", "Dagboeken": "A1:G6", "Perioden": "A1:D13"}
    for name, ref in expected_filters.items():
        ws = eb_book[name]
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref == ref, name  # the totals row sits below the filter, so sorting leaves it last
        assert all(cell.font.b for cell in ws[1]), name
        for letter in "ABCD":
            assert ws.column_dimensions[letter].width >= 8, (name, letter)


def test_trial_balance_amounts_are_exact_numbers(eb_book):
    ws = eb_book["Saldibalans"]
    result = eboekhouden_result()
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result["trial_balance"]) + 1
    for row, source in zip(rows, result["trial_balance"], strict=False):
        assert row[0] == source["account"] and isinstance(row[0], str)  # ids stay text
        for value, key in zip(row[2:], ("opening", "debit", "credit", "closing"), strict=True):
            assert isinstance(value, int | float)  # a number (openpyxl reads 0.0 back as 0)
            assert round(value * 100) == parse_cents(source[key])  # exact to the cent
    total = rows[-1]
    assert total[0] == "Totaal"
    assert total[2:] == (0.0, 525631.03, 525631.03, 0.0)
    for cell in ws[ws.max_row][2:]:
        assert cell.number_format == AMOUNT_FORMAT and cell.font.b
    for (cell,) in ws.iter_rows(min_row=2, min_col=3, max_col=3):
        assert cell.number_format == AMOUNT_FORMAT


def test_journals_and_periods(eb_book):
    journals = list(eb_book["Dagboeken"].iter_rows(values_only=True))
    assert journals[1] == ("1300", "Debiteuren", "Z", 14, 42, 173465.6, 173465.6)
    assert journals[-1] == ("Totaal", None, None, 165, 414, 525631.03, 525631.03)
    periods = list(eb_book["Perioden"].iter_rows(values_only=True))
    assert periods[0] == ("Periode", "Regels", "Debet", "Credit")
    assert periods[1] == ("1", 19, 25082.71, 25082.71)
    assert periods[-1] == ("Totaal", 414, 525631.03, 525631.03)
    assert eb_book["Perioden"]["C2"].number_format == AMOUNT_FORMAT


def test_findings_sheet(eb_book):
    rows = list(eb_book["Bevindingen"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["XAF-T04", "XAF-T05", "XAF-T08", "XAF-D05", "XAF-D06", "XAF-F03", "XAF-V02",
                                        "XAF-V03"]  # fmt: skip
    t04 = rows[1]
    assert t04[1:5] == ("fout", 1, 3100, "/auditfile/company/transactions/totalDebit")  # Dutch, as the sheet
    assert t04[7] == "regel 3100 /auditfile/company/transactions/totalDebit — verwacht=517.416,49, gevonden=686.571,44"
    assert [r[1] for r in rows[1:]] == ["fout"] * 3 + ["waarschuwing"] * 2 + ["info"] * 3
    assert rows[5][2] == 11 and rows[5][7].count("\n") == 4  # D06: 11 occurrences, 5 places kept
    assert rows[6][7] is None  # F03 has no places: an empty cell


def test_overview(eb_book):
    values = dict(eb_book["Overzicht"].iter_rows(min_row=2, values_only=True))
    assert values["Oordeel"] == "Fouten gevonden"
    assert values["Fouten"] == 3 and values["Info"] == 243
    assert values["Onderneming"] == "Delphi Information Solutions"
    assert values["Totaal: Debet (som regels)"] == 517416.49  # a number Excel adds up, shown 517.416,49
    assert values["Aantal: Boekingsregels"] == 414
    cells = {row[0].value: row[1] for row in eb_book["Overzicht"].iter_rows(min_row=2)}
    assert cells["Totaal: Debet (som regels)"].number_format.startswith("#,##0.00")
    assert cells["Aantal: Boekingsregels"].number_format == "#,##0"


def test_hostile_text_never_starts_a_formula(tmp_path: Path):
    wb = load_workbook(write_xlsx_report(hostile_result(), tmp_path / "h.xlsx"))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (ws.title, cell.coordinate)
    findings = list(wb["Bevindingen"].iter_rows(min_row=2, values_only=True))
    assert findings[0][5] == "'" + FORMULA
    assert findings[0][6] == "'@SUM(1+1)\ufffd"  # control byte replaced, not dropped
    tb = list(wb["Saldibalans"].iter_rows(min_row=2, values_only=True))
    assert tb[0][:2] == ("'=1+1", "'-2+3")
    assert tb[1][:3] == ("0200", "'\tTab", -10.0)  # amounts stay numbers, negative ones too
    assert next(iter(wb["Dagboeken"].iter_rows(min_row=2, max_row=2, values_only=True)))[:2] == ("'@J", HOSTILE)
    assert dict(wb["Overzicht"].iter_rows(min_row=2, values_only=True))["KvK-nummer"] == (
        "'+31 20 1234567"
    )


def test_empty_result_gives_empty_sheets(tmp_path: Path):
    wb = load_workbook(write_xlsx_report({}, tmp_path / "e.xlsx"))
    assert wb.sheetnames == SHEETS
    assert wb["Saldibalans"].max_row == 1 and wb["Saldibalans"].auto_filter.ref == "A1:F1"


def test_unreadable_amount_is_kept_as_text(tmp_path: Path):
    result = {"trial_balance": [{"account": "1", "debit": "12,50", "credit": "=1", "closing": ""}]}
    wb = load_workbook(write_xlsx_report(result, tmp_path / "x.xlsx"))
    assert next(iter(wb["Saldibalans"].iter_rows(min_row=2, max_row=2, values_only=True))) == (
        "1",
        None,
        None,
        "12,50",
        "'=1",
        None,
    )


def test_write_is_atomic(tmp_path: Path):
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")
    write_xlsx_report(eboekhouden_result(), target)
    assert target.read_bytes()[:2] == b"PK"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31", "'+31"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("", ""),
        ("Kas", "Kas"),
    ],
)
def test_neutralise_formula(text, expected):
    assert neutralise_formula(text) == expected


def test_safe_cell_text():
    assert safe_cell_text(None) == ""
    assert safe_cell_text(12) == "12"
    assert safe_cell_text("a\x00b\x1fc\nd") == "a\ufffdb\ufffdc\nd"
    assert safe_cell_text("=\x01") == "'=\ufffd"


def test_overview_shows_occurrences_when_the_summary_counts_codes(tmp_path: Path):
    result = {"summary": {"warning": 1}, "findings": [{"code": "XAF-D02", "severity": "warning", "count": 13}]}
    book = load_workbook(write_xlsx_report(result, tmp_path / "o.xlsx"))
    values = dict(book["Overzicht"].iter_rows(values_only=True))
    assert values["Waarschuwingen"] == 1
    assert values["Voorvallen waarschuwingen"] == 13
    assert "Voorvallen fouten" not in values


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_amount_cells_round_trip_to_the_cent(cents):
    """cents / 100 is the nearest double to the decimal; Excel shows it, and it maps back to the same cents."""
    from koppel.money import format_cents
    from koppel.reports.view import amount
    from koppel.reports.xlsx import _cell_value

    value = _cell_value(amount(format_cents(cents)), "amount")
    assert isinstance(value, float)
    assert round(value * 100) == cents
    assert f"{value:.2f}" == format_cents(cents)
