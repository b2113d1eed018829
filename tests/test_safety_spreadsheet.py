"""koppel export: text cells cannot start a formula in Excel; amounts stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from koppel.export import export_tables
from koppel.model import Administration
from tests.package_helpers import rich_administration

HOSTILE = ['=HYPERLINK("http://x","klik")', "+31 20 123", "-korting", "@SUM(A1)", "\tTab", "\rCR", "gewoon", "a=b"]
EXPECTED = ["'" + t for t in HOSTILE[:6]] + ["gewoon", "a=b"]


def _hostile() -> Administration:
    adm = rich_administration()
    lines = adm.lines.frame()
    lines["description"] = HOSTILE
    relations = adm.relations.copy()
    relations["name"] = ["=cmd|' /C calc'!A0", *relations["name"][1:]]
    return Administration.from_frames(
        adm.header, lines=lines, accounts=adm.accounts, relations=relations, journals=adm.journals,
        opening_balance=adm.opening_balance,
    )


def test_csv_text_cells_neutralised_amounts_unchanged(tmp_path: Path) -> None:
    export_tables(_hostile(), tmp_path, "csv")
    with (tmp_path / "lines.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["description"] for r in rows] == EXPECTED
    assert [r["amount"] for r in rows] == ["121.00", "-100.00", "-21.00", "121.00", "-121.00", "200.00", "42.00",
                                           "-242.00"]
    with (tmp_path / "relations.csv").open(encoding="utf-8", newline="") as handle:
        names = [r["name"] for r in csv.DictReader(handle)]
    assert names[0] == "'=cmd|' /C calc'!A0"


def test_xlsx_text_cells_neutralised_amounts_are_numbers(tmp_path: Path) -> None:
    adm = _hostile()
    lines = adm.lines.frame()
    lines.loc[0, "description"] = "=1+1\x01"  # a control character xlsx cannot hold, behind a formula
    adm = Administration.from_frames(adm.header, lines=lines, accounts=adm.accounts, relations=adm.relations,
                                     journals=adm.journals, opening_balance=adm.opening_balance)
    export_tables(adm, tmp_path, "xlsx")
    sheet = load_workbook(tmp_path / "lines.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    desc, amount = header.index("description"), header.index("amount")
    assert [r[desc] for r in rows[1:]] == ["'=1+1\ufffd", *EXPECTED[1:]]
    assert [r[amount] for r in rows[1:]] == pytest.approx([121, -100, -21, 121, -121, 200, 42, -242])
    assert all(isinstance(r[amount], (int, float)) for r in rows[1:])
