"""The reference rules (XAF-K01 … K09) one by one: a code missing from its master table, and one present."""

from __future__ import annotations

import pytest

from koppel.checks.findings import Collector
from koppel.checks.rules_refs import (
    rule_k01_account_known,
    rule_k02_opening_account_known,
    rule_k03_relation_known,
    rule_k04_vat_code_known,
    rule_k06_period_known,
    rule_k08_subledger_journal_known,
    rule_k09_code_in_basics,
)


def _found(out: Collector) -> list[tuple]:
    return [(f["code"], f["line"], f["path"], f["count"], f["places"][0]["values"]) for f in out.findings()]


@pytest.mark.parametrize("field", ["accID", "accountID"])
def test_k01_an_account_the_file_does_not_define(field: str) -> None:
    out = Collector()
    accounts = {"1000": ("Kas", "B")}
    for line, acc in ((5, "1000"), (6, None), (7, "9999"), (9, "9999")):
        rule_k01_account_known(acc, line, "t/trLine[1]", accounts, out, field=field)
    assert _found(out) == [("XAF-K01", 7, f"t/trLine[1]/{field}", 2, {field: "9999"})]


def test_k02_an_opening_line_on_an_unknown_account() -> None:
    out = Collector()
    rule_k02_opening_account_known("1000", 3, "openingBalance/obLine[1]", {"1000": ("Kas", "B")}, out)
    rule_k02_opening_account_known("2000", 4, "openingBalance/obLine[2]", {"1000": ("Kas", "B")}, out)
    assert _found(out) == [("XAF-K02", 4, "openingBalance/obLine[2]/accID", 1, {"accID": "2000"})]


def test_k03_an_unknown_relation() -> None:
    out = Collector()
    for line, rel in ((2, "D1"), (3, None), (4, "D9")):
        rule_k03_relation_known(rel, line, "t/trLine[1]", {"D1"}, out)
    assert _found(out) == [("XAF-K03", 4, "t/trLine[1]/custSupID", 1, {"custSupID": "D9"})]


def test_k04_an_unknown_vat_code() -> None:
    out = Collector()
    rule_k04_vat_code_known("21", 2, "t/trLine[1]", {"21"}, out)
    rule_k04_vat_code_known("6", 3, "t/trLine[2]", {"21"}, out)
    assert _found(out) == [("XAF-K04", 3, "t/trLine[2]/vat/vatID", 1, {"vatID": "6"})]


def test_k06_a_period_outside_the_periods_table_returns_the_period_it_finds() -> None:
    out = Collector()
    periods = {"1": ("2025-01-01", "2025-01-31", 4)}
    assert rule_k06_period_known("1", 10, "t", periods, True, out) == periods["1"]
    assert rule_k06_period_known("13", 11, "t", periods, True, out) is None
    assert rule_k06_period_known("14", 12, "t", {}, False, out) is None  # no periods table: nothing to check
    assert _found(out) == [("XAF-K06", 11, "t/periodNumber", 1, {"periodNumber": "13"})]


def test_k08_a_subledger_line_in_an_unknown_journal() -> None:
    out = Collector()
    rule_k08_subledger_journal_known("V", 5, "subledger[CU]/sbLine[1]", {"V": {}}, out)
    rule_k08_subledger_journal_known("X", 6, "subledger[CU]/sbLine[2]", {"V": {}}, out)
    assert _found(out) == [("XAF-K08", 6, "subledger[CU]/sbLine[2]/jrnID", 1, {"jrnID": "X"})]


def test_k09_a_code_that_is_no_basic_of_its_type() -> None:
    out = Collector()
    basics = {("02", "K1")}
    rule_k09_code_in_basics("costID", "K1", "02", 4, "t/trLine[1]", basics, out)
    rule_k09_code_in_basics("projID", "K1", "04", 5, "t/trLine[1]", basics, out)  # K1 is a cost centre only
    rule_k09_code_in_basics("costID", None, "02", 6, "t/trLine[2]", basics, out)
    assert _found(out) == [("XAF-K09", 5, "t/trLine[1]/projID", 1, {"projID": "K1", "basicType": "04"})]
