"""The code-list rules (XAF-V05) one by one: a value outside its version's list, and one inside it."""

from __future__ import annotations

import pytest
from lxml import etree

from koppel.checks.findings import Collector
from koppel.checks.rules_codes import (
    rule_v05_account_type,
    rule_v05_clair2_account_type,
    rule_v05_journal_type,
    rule_v05_relation_type,
)
from koppel.xaf.codes import CODES


def _kids(xml: str) -> dict:
    """A record's children by local name, as the scanner hands them over (lines count from 1)."""
    return {child.tag: child for child in etree.fromstring(f"<r>\n{xml}</r>")}


def _found(out: Collector) -> list[tuple]:
    return [(f["code"], f["line"], f["path"], f["count"]) for f in out.findings()]


@pytest.mark.parametrize(("version", "value", "finds"), [("3.2", "O", False), ("4.0", "O", True), ("3.2", "D", True)])
def test_relation_type(version: str, value: str, finds: bool) -> None:
    out = Collector()
    kids = _kids(f"<custSupID>R</custSupID>\n<custSupTp>{value}</custSupTp>")
    rule_v05_relation_type(kids, "cs[R]", CODES[version], out)
    assert _found(out) == ([("XAF-V05", 3, "cs[R]/custSupTp", 1)] if finds else [])


@pytest.mark.parametrize(
    ("version", "value", "kind", "finds"),
    [("3.2", "M", "M", False), ("4.0", "M", "M", True), ("4.0", "P", "P", False), ("3.2", "X", "?", True)],
)
def test_account_type_returns_the_kind_koppel_reads(version: str, value: str, kind: str, finds: bool) -> None:
    out = Collector()
    assert rule_v05_account_type(_kids(f"<accTp>{value}</accTp>"), "1000", CODES[version], out) == kind
    assert _found(out) == ([("XAF-V05", 2, "ledgerAccount[1000]/accTp", 1)] if finds else [])
    if finds and kind == "M":
        assert "gemengd" in out.findings()[0]["hint"]


@pytest.mark.parametrize(
    ("value", "kind", "finds"), [("Balans", "B", False), ("W&amp;V", "P", False), ("Overig", "?", True)]
)
def test_clair2_account_type_is_free_text(value: str, kind: str, finds: bool) -> None:
    out = Collector()
    assert rule_v05_clair2_account_type(_kids(f"<accountType>{value}</accountType>"), "8000", out) == kind
    assert _found(out) == ([("XAF-V05", 2, "ledgerAccount[8000]/accountType", 1)] if finds else [])


@pytest.mark.parametrize(("value", "finds"), [("M", False), ("Q", True)])
def test_journal_type(value: str, finds: bool) -> None:
    out = Collector()
    rule_v05_journal_type(_kids(f"<jrnID>J</jrnID><jrnTp>{value}</jrnTp>"), "J", CODES["3.2"], out)
    assert _found(out) == ([("XAF-V05", 2, "journal[J]/jrnTp", 1)] if finds else [])


def test_a_missing_field_is_no_finding() -> None:
    out = Collector()
    rule_v05_relation_type({}, "cs[R]", CODES["4.0"], out)
    rule_v05_journal_type({}, "J", CODES["4.0"], out)
    assert rule_v05_account_type({}, "1", CODES["4.0"], out) is None
    assert _found(out) == []
