"""The value rules (XAF-V01 … V07) one by one, on elements as the scanner hands them over (lines from 2)."""

from __future__ import annotations

import pytest
from lxml import etree

from koppel.checks.findings import Collector
from koppel.checks.rules_values import (
    rule_v01_reference_length,
    rule_v02_amount_not_negative,
    rule_v03_amount,
    rule_v03_line_amount,
    rule_v04_side,
    rule_v06_clair2_one_side,
    rule_v07_negative_vat,
)


def _el(xml: str):
    """The one child of a wrapper, on line 2."""
    return etree.fromstring(f"<r>\n{xml}</r>")[0]


def _found(out: Collector) -> list[tuple]:
    return [(f["code"], f["line"], f["path"], f["count"], f["places"][0]["values"]) for f in out.findings()]


def test_v01_a_reference_longer_than_255_characters() -> None:
    out = Collector()
    rule_v01_reference_length("docRef", _el(f"<docRef>{'x' * 255}</docRef>"), "t/trLine[1]", out)
    rule_v01_reference_length("invRef", _el(f"<invRef>{'x' * 256}</invRef>"), "t/trLine[2]", out)
    assert _found(out) == [("XAF-V01", 2, "t/trLine[2]/invRef", 1, {"length": 256})]


@pytest.mark.parametrize(
    ("text", "cents", "codes"),
    [("12.50", 1250, 0), ("-0.01", -1, 0), ("12.5", 1250, 1), ("12", 1200, 1), ("1.2x", None, 2), ("", None, 0)],
)
def test_v03_an_opening_or_clair2_amount_with_two_decimals(text: str, cents, codes: int) -> None:
    out = Collector()
    assert rule_v03_amount(_el(f"<amnt>{text}</amnt>"), "ob/amnt", out) == cents
    assert [(f["code"], f["line"], f["path"], f["count"]) for f in out.findings()] == (
        [("XAF-V03", 2, "ob/amnt", codes)] if codes else []
    )


@pytest.mark.parametrize(
    ("text", "cents", "codes"),
    [(" 12.50 ", 1250, 0), ("12.5", 1250, 1), ("1.2x", None, 1), ("12.x0", None, 1)],
)
def test_v03_a_line_amount_needs_the_point_two_places_from_the_end(text: str, cents, codes: int) -> None:
    out = Collector()
    assert rule_v03_line_amount(_el(f"<amnt>{text}</amnt>"), "t/trLine[1]", out) == cents
    assert [(f["code"], f["line"], f["path"], f["count"]) for f in out.findings()] == (
        [("XAF-V03", 2, "t/trLine[1]/amnt", codes)] if codes else []
    )
    assert rule_v03_line_amount(None, "t/trLine[1]", Collector()) is None


def test_v02_a_negative_amount_names_its_side_and_is_a_warning_in_clair2() -> None:
    out = Collector()
    el = _el("<amnt>-5.00</amnt>")
    rule_v02_amount_not_negative(500, el, "t/trLine[1]/amnt", out, side="D")
    rule_v02_amount_not_negative(-500, el, "t/trLine[1]/amnt", out, side="D")
    assert _found(out) == [("XAF-V02", 2, "t/trLine[1]/amnt", 1, {"found": "-5.00", "amntTp": "D"})]
    warn = Collector()
    rule_v02_amount_not_negative(-500, el, "t/line[1]/debitAmount", warn, clair2=True)
    assert [(f["code"], f["severity"], f["places"][0]["values"]) for f in warn.findings()] == [
        ("XAF-V02", "warning", {"found": "-5.00"})
    ]


@pytest.mark.parametrize(("xml", "side"), [("<amntTp>D</amntTp>", "D"), ("<amntTp> C </amntTp>", "C"),
                                           ("<amntTp>X</amntTp>", None), ("<amntTp/>", None)])  # fmt: skip
def test_v04_the_side_is_d_or_c(xml: str, side) -> None:
    out = Collector()
    assert rule_v04_side(_el(xml), 7, "t/trLine[1]", out) == side
    found = "X" if "X" in xml else "(ontbreekt)"
    expected = [("XAF-V04", 7, "t/trLine[1]/amntTp", 1, {"found": found, "expected": "D of C"})]
    assert _found(out) == ([] if side else expected)
    assert rule_v04_side(None, 8, "t", Collector()) is None


def test_v06_a_clair2_line_with_both_amounts() -> None:
    out = Collector()
    rule_v06_clair2_one_side(_el("<debitAmount>1.00</debitAmount>"), _el("<creditAmount/>"), 3, "t/line[1]", out)
    rule_v06_clair2_one_side(_el("<debitAmount>1.00</debitAmount>"), _el("<creditAmount>2.00</creditAmount>"), 4,
                             "t/line[2]", out)  # fmt: skip
    assert _found(out) == [("XAF-V06", 4, "t/line[2]", 1, {"debitAmount": "1.00", "creditAmount": "2.00"})]


def test_v07_a_negative_vat_amount_is_information() -> None:
    out = Collector()
    assert rule_v07_negative_vat(_el("<vatAmnt>-2.10</vatAmnt>"), "t/trLine[1]/vat/vatAmnt", out)
    assert not rule_v07_negative_vat(_el("<vatAmnt>2.10</vatAmnt>"), "t/trLine[2]/vat/vatAmnt", out)
    assert not rule_v07_negative_vat(_el("<vatAmnt>-x</vatAmnt>"), "t/trLine[3]/vat/vatAmnt", out)  # XSD's finding
    assert not rule_v07_negative_vat(None, "t/trLine[4]/vat/vatAmnt", out)
    assert _found(out) == [("XAF-V07", 2, "t/trLine[1]/vat/vatAmnt", 1, {"found": "-2.10"})]
