"""The balance rules found per record (XAF-T07, T10, O03): exact cents, found at the record's line."""

from __future__ import annotations

import pytest

from koppel.checks.findings import Collector
from koppel.checks.rules_balance import (
    rule_o03_opening_on_result_account,
    rule_t07_entry_balances,
    rule_t10_subledger_totals,
)


def _found(out: Collector) -> list[tuple]:
    return [(f["code"], f["line"], f["path"], f["count"], f["places"][0]["values"]) for f in out.findings()]


@pytest.mark.parametrize(
    ("clair2", "values"),
    [(False, {"debet": "10.00", "credit": "9.99"}), (True, {"debitAmount": "10.00", "creditAmount": "9.99"})],
)
def test_t07_an_entry_that_does_not_balance_by_one_cent(clair2: bool, values: dict) -> None:
    out = Collector()
    rule_t07_entry_balances(1000, 1000, 5, "j/t[1]", out, clair2=clair2)
    rule_t07_entry_balances(1000, 999, 9, "j/t[2]", out, clair2=clair2)
    assert _found(out) == [("XAF-T07", 9, "j/t[2]", 1, values)]


def test_t10_declared_subledger_totals_against_the_lines() -> None:
    out = Collector()
    right = {"linesCount": "2", "totalDebit": "10.00", "totalCredit": "2.50"}
    rule_t10_subledger_totals(right, 2, 1000, 250, 3, "subledger[CU]", out)
    assert _found(out) == []
    wrong = {"linesCount": "3", "totalDebit": "10.00", "totalCredit": None}
    rule_t10_subledger_totals(wrong, 2, 1000, 250, 7, "subledger[SU]", out)
    assert _found(out) == [
        ("XAF-T10", 7, "subledger[SU]", 1, {"linesCount": "3 ≠ 2", "totalCredit": "(ontbreekt) ≠ 2.50"})
    ]
    bad = Collector()
    rule_t10_subledger_totals({"linesCount": "x", "totalDebit": "1,0", "totalCredit": "0.00"}, 0, 0, 0, 2, "s", bad)
    assert _found(bad) == [("XAF-T10", 2, "s", 1, {"linesCount": "x ≠ 0", "totalDebit": "1,0 ≠ 0.00"})]


def test_o03_an_opening_amount_on_a_result_account() -> None:
    out = Collector()
    rule_o03_opening_on_result_account("8000", -500, ("Omzet", "P"), "5.00", 4, "ob/obLine[1]", out)
    rule_o03_opening_on_result_account("8000", 0, ("Omzet", "P"), "0.00", 5, "ob/obLine[2]", out)  # nothing on it
    rule_o03_opening_on_result_account("1000", 500, ("Kas", "B"), "5.00", 6, "ob/obLine[3]", out)
    rule_o03_opening_on_result_account("9999", 500, None, "5.00", 7, "ob/obLine[4]", out)  # unknown: XAF-K02's
    assert _found(out) == [("XAF-O03", 4, "ob/obLine[1]", 1, {"accID": "8000", "amount": "5.00"})]
