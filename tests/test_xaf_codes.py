"""koppel's one vocabulary per XAF version agrees with the official XSDs (../shared/reference/xaf/xsd).

The code lists (koppel.xaf.codes), the element names the reader maps (koppel.xaf.vocabulary) and the
carried sets of the 4.0 upgrade report (koppel.xaf.upgrade) are compared with the schemas' own declarations,
so a typo or a list that drifted from the standard fails here instead of misreading a file.
"""

from __future__ import annotations

from functools import cache

import pytest
from lxml import etree

from koppel.xaf import upgrade
from koppel.xaf.codes import BASIC_TYPE_OF, CODES, ONLY_IN_3, ONLY_IN_40, REF_FIELDS, codes_for
from koppel.xaf.schema import XSD_FILES
from koppel.xaf.vocabulary import (
    ACCOUNT_3_CARRIED,
    ACCOUNT_C2_CARRIED,
    JOURNAL_3_CARRIED,
    JOURNAL_C2_CARRIED,
    OB_LINE_CARRIED,
    RELATION_3_CARRIED,
    RELATION_C2_CARRIED,
    Clair2Vocabulary,
    Xaf3Vocabulary,
)
from tests.conftest import XSD_DIR

XS = "{http://www.w3.org/2001/XMLSchema}"
X3 = ("3.1", "3.2", "3.2.1", "4.0")


@cache
def _schema(version: str) -> etree._ElementTree:
    path = XSD_DIR / XSD_FILES[version]
    if not path.exists():
        pytest.fail(f"reference XSD missing: {path} (../shared must sit beside the checkout)")
    return etree.parse(str(path))


@cache
def _elements(version: str) -> frozenset[str]:
    return frozenset(e.get("name") for e in _schema(version).iter(XS + "element") if e.get("name"))


@cache
def _enumerations(version: str) -> dict[str, frozenset[str]]:
    """Element name -> its enumerated values, from an inline simpleType or a named type it refers to."""
    root = _schema(version).getroot()
    named = {
        t.get("name"): frozenset(e.get("value") for e in t.iter(XS + "enumeration"))
        for t in root.iter(XS + "simpleType")
        if t.get("name")
    }
    out: dict[str, frozenset[str]] = {}
    for elem in root.iter(XS + "element"):
        name = elem.get("name")
        if not name:
            continue
        inline = elem.find(XS + "simpleType")
        values = frozenset() if inline is None else frozenset(e.get("value") for e in inline.iter(XS + "enumeration"))
        kind = (elem.get("type") or "").split(":")[-1]
        values |= named.get(kind, frozenset())
        if values:
            out[name] = out.get(name, frozenset()) | values
    return out


@pytest.mark.parametrize("version", X3)
def test_code_lists_are_the_xsd_enumerations(version: str) -> None:
    codes, enum = CODES[version], _enumerations(version)
    assert codes.account_types == enum["accTp"]
    assert codes.relation_types == enum["custSupTp"]
    assert codes.journal_types == enum["jrnTp"]
    assert codes.sides == enum["amntTp"]
    assert codes.basic_types == enum.get("basicType", frozenset())
    assert codes.subledger_types == enum.get("sbType", frozenset())


def test_3_0_and_unknown_versions_share_3_x_lists() -> None:
    assert CODES["3.0"] == CODES["3.1"]
    assert codes_for("3.9") == CODES["3.2"]


def test_clair2_has_no_code_lists() -> None:
    """CLAIR2's account and journal types are free text: nothing is checked against a list."""
    assert not _enumerations("2.0").get("accountType") and not _enumerations("2.0").get("type")
    assert not any(vars(CODES["2.0"]).values())


def test_version_markers_belong_to_one_family_only() -> None:
    x3 = _elements("3.1") | _elements("3.2") | _elements("3.2.1")
    assert set(ONLY_IN_40) <= _elements("4.0") - x3
    assert set(ONLY_IN_3) <= _elements("3.2") - _elements("4.0")


@pytest.mark.parametrize("version", ("3.1", "3.2", "3.2.1"))
def test_basic_type_codes_are_in_the_list_of_each_version_that_has_the_element(version: str) -> None:
    have = [name for name in BASIC_TYPE_OF if name in _elements(version)]
    assert have and {BASIC_TYPE_OF[n] for n in have} <= CODES[version].basic_types
    assert set(REF_FIELDS) <= _elements("3.2")


def _locals(names) -> set[str]:
    return {part for name in names for part in name.split("/")}


def test_the_xaf_3_and_4_vocabulary_names_elements_of_those_schemas() -> None:
    known = set().union(*(_elements(v) for v in X3))
    v = Xaf3Vocabulary
    names = {
        *v.LINE_FIELDS, v.AMOUNT_A, v.AMOUNT_B, *v.VAT_FIELDS, v.VAT_AMOUNT, v.VAT_SIDE, *v.CURRENCY_CODE,
        *v.CURRENCY_AMOUNTS, *v.TX_FIELDS, *v.journal_fields.values(), v.line_name,
    }  # fmt: skip
    names |= _locals(ACCOUNT_3_CARRIED | JOURNAL_3_CARRIED | OB_LINE_CARRIED | RELATION_3_CARRIED)
    assert names - known == set()


def test_the_clair2_vocabulary_names_elements_of_its_schema() -> None:
    v = Clair2Vocabulary
    names = {
        *v.LINE_FIELDS, v.AMOUNT_A, v.AMOUNT_B, *v.VAT_FIELDS, v.VAT_AMOUNT, *v.CURRENCY_CODE,
        *v.CURRENCY_AMOUNTS, *v.TX_FIELDS, *v.journal_fields.values(), v.line_name,
    }  # fmt: skip
    names |= _locals(ACCOUNT_C2_CARRIED | JOURNAL_C2_CARRIED | RELATION_C2_CARRIED)
    assert names - _elements("2.0") == set()


def test_the_upgrade_report_names_elements_of_the_schemas() -> None:
    x3 = set().union(*(_elements(v) for v in X3))
    assert _locals(p + "/" + c for p, c in upgrade.CARRIED_X3 if p != upgrade.ROOT) - x3 == set()
    c2 = _locals(p + "/" + c for p, c in upgrade.CARRIED_C2 if p != upgrade.ROOT) - _elements("2.0")
    assert c2 == {"customerSuppliers"}  # the XSD's customersSuppliers as some CLAIR2 exporters misspell it
    assert _locals(p + "/" + c for p, c in upgrade.IN_40) - _elements("4.0") == set()


def test_a_wrong_list_fails_the_comparison() -> None:
    """The comparison can fail: 3.2's account types are not 4.0's."""
    assert CODES["3.2"].account_types != _enumerations("4.0")["accTp"]
