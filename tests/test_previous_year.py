"""check --previous: this year's opening balance against last year's closing balance, in any format on each side."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from koppel.adf.synthetic import write_synthetic_adf
from koppel.checks import check_file
from koppel.checks.previous_year import add_previous_year, closing_balances, reconcile
from koppel.cli import main
from koppel.pipeline import convert
from koppel.registry import read_input
from koppel.reports import write_html_report, write_xlsx_report
from koppel.synthetic import ACCOUNTS

KIND = {account: kind for account, _name, kind in ACCOUNTS}
EQUITY = "0500"


def _next_opening(last: Path) -> tuple[dict[str, int], int]:
    """Last year's closing balance of the balance accounts, with last year's result carried to equity."""
    closing = closing_balances(read_input(last))
    result = sum(c for a, c in closing.items() if KIND[a] == "P")
    opening = {a: c for a, c in closing.items() if KIND[a] == "B"}
    opening[EQUITY] = opening.get(EQUITY, 0) + result
    return opening, result


@pytest.fixture(scope="module")
def years(tmp_path_factory):
    """2024 and a 2025 whose opening follows from it (ADF both), and a 2025 with a seeded 0.01 on the bank."""
    folder = tmp_path_factory.mktemp("jaren")
    last = folder / "2024.adf"
    write_synthetic_adf(last, lines=300, seed=21, year=2024)
    opening, result = _next_opening(last)
    this = folder / "2025.adf"
    write_synthetic_adf(this, opening=opening, lines=200, seed=22, year=2025)
    seeded_opening = dict(opening)
    seeded_opening["1100"] += 1  # the bank one cent too high ...
    seeded_opening["1000"] -= 1  # ... and the cash one cent too low, so the opening still balances
    seeded = folder / "2025-fout.adf"
    write_synthetic_adf(seeded, opening=seeded_opening, lines=200, seed=22, year=2025)
    return last, this, seeded, opening, result


def _found(result: dict) -> dict[str, dict]:
    return {f["code"]: f for f in result["findings"]}


def test_clean_pair_is_clean(years):
    last, this, _seeded, _opening, result = years
    assert result != 0  # the synthetic year makes a result, so it must be carried to equity
    checked = add_previous_year(check_file(this), this, last)
    found = _found(checked)
    assert "PY-A01" not in found
    assert found["PY-A03"]["severity"] == "info"
    carried = found["PY-A02"]["places"][0]
    assert carried["path"] == f"rekening {EQUITY}"
    assert carried["values"]["resultaat vorig jaar"] == f"{result / 100:.2f}"
    section = checked["previous_year"]
    assert section["clean"] is True and section["differences"] == 0 and section["carried_to"] == EQUITY
    assert checked["verdict"] == "ok"


def test_seeded_cent_is_found_on_the_right_account(years):
    last, _this, seeded, opening, _result = years
    found = _found(add_previous_year(check_file(seeded), seeded, last))
    a01 = found["PY-A01"]
    assert (a01["severity"], a01["count"]) == ("error", 2)
    by_account = {p["values"]["rekening"]: p["values"] for p in a01["places"]}
    assert set(by_account) == {"1000", "1100"}
    bank = by_account["1100"]
    assert bank["verschil"] == "0.01"
    assert bank["beginsaldo dit jaar"] == f"{(opening['1100'] + 1) / 100:.2f}"
    assert bank["eindsaldo vorig jaar"] == f"{opening['1100'] / 100:.2f}"
    assert by_account["1000"]["verschil"] == "-0.01"
    assert "PY-A03" not in found
    assert "PY-A02" in found  # the result is still recognised on equity


def test_any_format_on_either_side(years, tmp_path):
    """Last year as ADF, this year as XAF 4.0 (opening balance in openingBalance, not period 0)."""
    last, this, seeded, _opening, _result = years
    this40 = tmp_path / "2025.xaf"
    convert(this, "xaf40", this40)
    assert read_input(this40).header.opening_source == "openingBalance"
    found = _found(add_previous_year(check_file(this40), this40, last))
    assert "PY-A01" not in found and "PY-A03" in found
    last32 = tmp_path / "2024.xaf"
    convert(last, "xaf32", last32)
    seeded40 = tmp_path / "2025-fout.xaf"
    convert(seeded, "xaf40", seeded40)
    found = _found(add_previous_year(check_file(seeded40), seeded40, last32))
    assert {p["values"]["rekening"] for p in found["PY-A01"]["places"]} == {"1000", "1100"}


def test_result_not_carried_is_reported(years, tmp_path):
    """Last year's result booked on the bank instead of equity: the bank's difference equals the result, but a
    bank is no equity account, so it is an error, not the expected carry."""
    last, _this, _seeded, opening, result = years
    wrong = dict(opening)
    wrong[EQUITY] -= result
    wrong["1100"] += result  # keep the opening in balance somewhere else
    path = tmp_path / "2025-zonder-resultaat.adf"
    write_synthetic_adf(path, opening=wrong, lines=50, seed=22, year=2025)
    rec = reconcile(read_input(path), read_input(last))
    assert rec.carried_to is None  # the bank is no equity account: its difference is not taken for the result
    assert rec.differences == 1
    assert [r["note"] for r in rec.rows if r["account"] == "1100"] == [
        "verschil = resultaat vorig jaar, maar geen rekening van het eigen vermogen"]
    found = _found(add_previous_year(check_file(path), path, last))
    assert "PY-A03" not in found and "PY-A02" not in found
    places = {p["values"]["rekening"]: p["values"] for p in found["PY-A01"]["places"]}
    assert set(places) == {"1100"}
    assert places["1100"]["verschil"] == f"{result / 100:.2f}"


def test_reports_show_the_section(years, tmp_path):
    last, _this, seeded, _opening, _result = years
    checked = add_previous_year(check_file(seeded), seeded, last)
    html = write_html_report(checked, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Aansluiting vorig jaar" in html and 'id="previous-year"' in html
    assert "2 rekening(en) sluiten niet aan" in html
    book = load_workbook(write_xlsx_report(checked, tmp_path / "r.xlsx"))
    sheet = book["Aansluiting vorig jaar"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["1100"][4] == pytest.approx(0.01)


def test_cli_previous(years, capsys):
    last, this, seeded, *_ = years
    with pytest.raises(SystemExit) as code:
        main(["check", "-q", str(this), "--previous", str(last)])
    assert code.value.code == 0
    with pytest.raises(SystemExit) as code:
        main(["check", "-q", str(seeded), "--previous", str(last)])
    assert code.value.code == 1
    with pytest.raises(SystemExit) as code:
        main(["check", str(this), "--previous", str(last.with_name("nergens.adf"))])
    assert code.value.code == 2
    assert "nergens.adf" in capsys.readouterr().err


def test_years_that_do_not_follow_each_other(years):
    """ADF carries a year, no dates: two files of the same year are PY-Y01 on the fiscal year."""
    _last, this, _seeded, _opening, _result = years
    found = _found(add_previous_year(check_file(this), this, this))
    place = found["PY-Y01"]["places"][0]
    assert place["path"] == "header/fiscalYear"
    assert place["values"] == {"boekjaar vorig jaar": "2025", "boekjaar dit jaar": "2025"}


def test_years_that_follow_each_other_are_not_flagged(years):
    last, this, _seeded, _opening, _result = years
    assert "PY-Y01" not in _found(add_previous_year(check_file(this), this, last))
