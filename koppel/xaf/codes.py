"""The code lists of each XAF version and the elements that tell 3.x from 4.0, declared once.

The reader's vocabulary, the checker and the writer all read these, so a version's code list lives in one
place. ``tests/test_xaf_codes.py`` compares every list with the official XSDs in ``../shared/reference/xaf/xsd``.
XAF 3.0 has no XSD there; it shares 3.1's lists (3.1 changed 3.0's structure, not its code lists) [A].
CLAIR2 has no code lists: its account and journal types are free text (read through :mod:`koppel.kinds`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeLists:
    """The enumerations of one XAF version's XSD that koppel reads or checks; empty: free text (CLAIR2)."""

    account_types: frozenset[str]  # ledgerAccount/accTp
    relation_types: frozenset[str]  # customerSupplier/custSupTp
    journal_types: frozenset[str]  # journal/jrnTp
    sides: frozenset[str]  # amntTp, vatAmntTp: debit or credit
    basic_types: frozenset[str]  # basics/basic/basicType (3.x only)
    subledger_types: frozenset[str]  # subledgers/subledger/sbType (3.x only)


_JOURNAL_TYPES = frozenset("BCGMOPSTYZ")
_SIDES = frozenset("CD")
_SUBLEDGER_TYPES = frozenset({"CS", "CU", "SU", "ZZ"})
_X31 = CodeLists(
    account_types=frozenset("BMP"),
    relation_types=frozenset("BCOS"),
    journal_types=_JOURNAL_TYPES,
    sides=_SIDES,
    basic_types=frozenset({"02", "03", "04", "05", "12", "14", "23", "29"}),
    subledger_types=_SUBLEDGER_TYPES,
)
_X32 = CodeLists(
    account_types=_X31.account_types,
    relation_types=_X31.relation_types,
    journal_types=_JOURNAL_TYPES,
    sides=_SIDES,
    basic_types=_X31.basic_types | {"30"},  # 3.2 adds userID
    subledger_types=_SUBLEDGER_TYPES,
)
_X40 = CodeLists(
    account_types=frozenset("BP"),  # 4.0 drops M (mixed)
    relation_types=frozenset("BCS"),  # 4.0 drops O (other)
    journal_types=_JOURNAL_TYPES,
    sides=_SIDES,
    basic_types=frozenset(),  # 4.0 has no basics: cost, product and project are plain codes
    subledger_types=frozenset(),  # 4.0 has no subledgers
)
_CLAIR2 = CodeLists(*(frozenset(),) * 6)

CODES: dict[str, CodeLists] = {"2.0": _CLAIR2, "3.0": _X31, "3.1": _X31, "3.2": _X32, "3.2.1": _X32, "4.0": _X40}


def codes_for(version: str) -> CodeLists:
    """The code lists of ``version``; a 3.x version koppel does not know gets 3.2's (the widest 3.x lists)."""
    return CODES.get(version, _X32)


# 3.x trLine/transaction elements that name a basics/basic of a type (XAF-K09), with that basicType.
BASIC_TYPE_OF = {
    "costID": "02",
    "prodID": "03",
    "projID": "04",
    "artGrpID": "05",
    "qntityID": "14",
    "sourceID": "29",
    "userID": "30",
}
# 3.x trLine references to documents (checked when present).
REF_FIELDS = ("docRef", "recRef", "invRef", "orderRef", "receivingDocRef", "shipDocRef", "workCostArrRef")
# Elements that only 4.0 has, and elements that only 3.x has: either in a file of the other family is
# evidence of a wrong version declaration (XAF-F07).
ONLY_IN_40 = ("RGSVersion", "Commercenr", "RGScode", "Source", "User", "settDate", "offsetBankAccNr")
ONLY_IN_3 = ("companyIdent", "basics", "subledgers", "obSubledgers", "taxonomy", "leadCode")
