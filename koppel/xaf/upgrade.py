"""Upgrade report: every element with data in a CLAIR2/3.x auditfile that its XAF 4.0 conversion drops.

One streaming pass over the source (lxml iterparse, elements freed as they end). An element is *carried*
when its (parent, name) pair is in the carried set of the source family; a carried container is descended,
anything else is counted once as dropped (if it or a descendant holds text) and not descended. Optionally
each dropped element is written as a CSV row with its context so nothing is lost (``--keep-dropped``).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from lxml import etree

from ..reports.safe_text import CsvRows
from .report import ConversionReport
from .safety import parser_options

ROOT = "auditfile"


def _pairs(spec: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset((parent, child) for parent, children in spec.items() for child in children.split())


# (parent, child) pairs that a 3.x source carries into XAF 4.0 through koppel's model.
CARRIED_X3 = _pairs(
    {
        ROOT: "header company",
        "header": "fiscalYear startDate endDate curCode dateCreated softwareDesc softwareVersion",
        "company": "companyName taxRegIdent taxRegistrationCountry Commercenr customersSuppliers generalLedger "
        "vatCodes periods openingBalance transactions",
        "customersSuppliers": "customerSupplier",
        "customerSupplier": "custSupID custSupName eMail commerceNr taxRegIdent custSupTp streetAddress",
        "streetAddress": "streetname number numberExtension city postalCode country",
        "generalLedger": "ledgerAccount",
        "ledgerAccount": "accID accDesc accTp RGScode",
        "vatCodes": "vatCode",
        "vatCode": "vatID vatDesc vatToPayAccID vatToClaimAccID",
        "periods": "period",
        "period": "periodNumber startDatePeriod endDatePeriod",
        "openingBalance": "linesCount totalDebit totalCredit obLine",
        "obLine": "nr accID amnt amntTp",
        "transactions": "linesCount totalDebit totalCredit journal",
        "journal": "jrnID desc jrnTp offsetAccID transaction",
        "transaction": "nr desc periodNumber trDt trLine",
        "trLine": "nr accID docRef effDate desc amnt amntTp custSupID invRef costID prodID projID cost product "
        "project bankAccNr vat currency",
        "vat": "vatID vatPerc vatAmnt vatAmntTp",
        "currency": "curCode curAmnt",
    }
)
# Carried only in their first occurrence within the parent (the model keeps one).
FIRST_ONLY = frozenset({("customerSupplier", "streetAddress"), ("trLine", "vat")})
# Lines of a period-0 opening entry become obLines, which hold only these.
OPENING_LINE = frozenset({"nr", "accID", "amnt", "amntTp"})
OPENING_TX = frozenset({"nr", "periodNumber", "trLine"})

CARRIED_C2 = _pairs(
    {
        ROOT: "header generalLedger customersSuppliers customerSuppliers transactions",
        "header": "auditfileVersion companyName taxRegistrationNr fiscalYear startDate endDate currencyCode "
        "dateCreated productID productVersion",
        "generalLedger": "ledgerAccount",
        "ledgerAccount": "accountID accountDesc accountType",
        "customersSuppliers": "customerSupplier",
        "customerSuppliers": "customerSupplier",
        "customerSupplier": "custSupID type taxRegistrationNr companyName eMail streetAddress",
        "streetAddress": "address streetname number city postalCode country",
        "transactions": "numberEntries totalDebit totalCredit journal",
        "journal": "journalID description type transaction",
        "transaction": "transactionID description period transactionDate line",
        "line": "recordID accountID custSupID documentID effectiveDate description debitAmount creditAmount "
        "costDesc productDesc projectDesc vat currency",
        "vat": "vatCode vatPercentage vatAmount",
        "currency": "currencyCode currencyDebitAmount currencyCreditAmount",
    }
)

# What XAF 4.0 itself has, to tell "4.0 has no place" from "koppel does not carry it (yet)".
IN_40 = _pairs(
    {
        "header": "fiscalYear startDate endDate curCode dateCreated softwareDesc softwareVersion RGSVersion",
        "company": "Commercenr companyName taxRegistrationCountry taxRegIdent streetAddress customersSuppliers "
        "generalLedger vatCodes periods openingBalance transactions",
        "customerSupplier": "custSupID custSupName eMail commerceNr taxRegistrationCountry taxRegIdent custSupTp "
        "opBalDesc opBalTp clBalDesc clBalTp streetAddress",
        "streetAddress": "streetname number numberExtension city postalCode country",
        "ledgerAccount": "accID accDesc accTp RGScode",
        "transaction": "nr desc periodNumber trDt Source User trLine",
        "trLine": "nr accID docRef effDate settDate desc amnt amntTp custSupID invRef receivingDocRef shipDocRef "
        "cost product project workCostArrRef bankAccNr offsetBankAccNr vat currency",
    }
)
C2_IN_40 = {  # CLAIR2 elements whose data has a 4.0 place that koppel does not fill
    ("transaction", "sourceID"): "transaction/Source",
    ("header", "companyAddress"): "company/streetAddress",
    ("header", "companyCity"): "company/streetAddress",
    ("header", "companyPostalCode"): "company/streetAddress",
}

CSV_COLUMNS = ("element", "journal", "entry", "line", "relation", "account", "value")


def _reason(family: str, parent: str, name: str, opening: bool) -> str:
    if opening:
        return "opening-balance lines (period 0) become obLines, which hold only account and amount"
    if family == "2.0":
        target = C2_IN_40.get((parent, name))
        if target:
            return f"4.0 has {target}; koppel's model does not carry it yet"
        return "XAF 4.0 has no such element"
    if (parent, name) in IN_40:
        return "XAF 4.0 has it; koppel's model does not carry it yet"
    return "XAF 4.0 has no such element"


_NESTED = frozenset({"streetAddress", "postalAddress", "vat", "currency"})


def _opening_drop(parent: str, name: str) -> bool:
    """Inside a period-0 opening entry: does this child have no place in an obLine?"""
    if parent == "transaction":
        return name not in OPENING_TX
    return parent == "trLine" and name not in OPENING_LINE


def _has_data(elem) -> bool:
    return any(isinstance(e.tag, str) and e.text and e.text.strip() for e in elem.iter())


def _value(elem) -> str:
    if len(elem) == 0:
        return (elem.text or "").strip()
    parts = []
    base = len(elem.tag.split("}")[-1]) + 1
    for e in elem.iter():
        if e is elem or not isinstance(e.tag, str) or len(e):
            continue
        text = (e.text or "").strip()
        if text:
            path = "/".join(etree.QName(x).localname for x in _ancestry(e, elem))
            parts.append(f"{path[base:]}={text}")
    return "; ".join(parts)


def _ancestry(e, stop) -> list:
    out = []
    while e is not None:
        out.append(e)
        if e is stop:
            break
        e = e.getparent()
    return list(reversed(out))


_CONTEXT = {
    ("journal", "jrnID"): "journal",
    ("journal", "journalID"): "journal",
    ("transaction", "nr"): "entry",
    ("transaction", "transactionID"): "entry",
    ("trLine", "nr"): "line",
    ("line", "recordID"): "line",
    ("customerSupplier", "custSupID"): "relation",
    ("ledgerAccount", "accID"): "account",
    ("ledgerAccount", "accountID"): "account",
}
_RESETS = {
    "journal": ("journal", "entry", "line"),
    "transaction": ("entry", "line"),
    "trLine": ("line",),
    "line": ("line",),
    "customerSupplier": ("relation",),
    "ledgerAccount": ("account",),
}


def scan_dropped(
    path: Path | str,
    family: str,
    *,
    opening_entries: set[tuple[str, str]] | None = None,
    encoding: str | None = None,
    keep_csv: Path | None = None,
) -> dict[tuple[str, str], int]:
    """Count (element, reason) of every element with data that an XAF 4.0 conversion drops.

    ``family`` is "2.0" (CLAIR2) or "3" (3.0-3.2.1, 4.0). ``opening_entries``: (journal, nr) of the period-0
    transactions that carry the opening balance; their lines become obLines. ``keep_csv`` writes one row per dropped
    element (element, context ids, value).
    """
    carried = CARRIED_C2 if family == "2.0" else CARRIED_X3
    counts: dict[tuple[str, str], int] = {}
    with contextlib.ExitStack() as stack:
        writer = None
        if keep_csv is not None:
            writer = CsvRows(stack.enter_context(Path(keep_csv).open("w", encoding="utf-8", newline="")))
            writer.writerow(CSV_COLUMNS)
        _scan(Path(path), carried, counts, writer, opening_entries or set(), family, encoding)
    return counts


def _scan(path, carried, counts, writer, opening_entries, family, encoding) -> None:
    stack: list[list] = []  # [local name, state, child counts, opening flag]; state: "keep", "drop-top", "in-drop"
    context = dict.fromkeys(("journal", "entry", "line", "relation", "account"), "")
    opening_tx = False
    for event, elem in etree.iterparse(
        str(path), events=("start", "end"), encoding=encoding, **parser_options()
    ):
        if not isinstance(elem.tag, str):
            continue
        name = elem.tag.rsplit("}", 1)[-1]
        if event == "start":
            if not stack:
                stack.append([name, "keep", {}, False])
                continue
            parent = stack[-1]
            pname, pstate, seen, _ = parent
            if pstate != "keep":
                stack.append([name, "in-drop", None, False])
                continue
            n = seen.get(name, 0) + 1
            seen[name] = n
            keep = (pname, name) in carried and not ((pname, name) in FIRST_ONLY and n > 1)
            opening = False
            if keep and opening_tx and _opening_drop(pname, name):
                keep, opening = False, True
            for reset in _RESETS.get(name, ()):
                context[reset] = ""
            if name == "transaction":
                opening_tx = False
            stack.append([name, "keep" if keep else "drop-top", {} if keep else None, opening])
            continue
        # end
        frame = stack.pop()
        state = frame[1]
        parent = stack[-1][0] if stack else None
        if state == "keep":
            if not len(elem):
                key = _CONTEXT.get((parent, name))
                if key:
                    context[key] = (elem.text or "").strip()
                if opening_entries and parent == "transaction" and key == "entry":
                    opening_tx = (context["journal"], context["entry"]) in opening_entries
            if stack:
                elem.clear(keep_tail=False)
                prev = elem.getprevious()
                while prev is not None:
                    prev.getparent().remove(prev)
                    prev = elem.getprevious()
        elif state == "drop-top":
            if _has_data(elem):
                owner = f"{stack[-2][0]}/{parent}" if parent in _NESTED and len(stack) > 1 else parent
                label = f"{owner}/{name}" if not frame[3] else f"{owner} (opening, period 0)/{name}"
                key = (label, _reason(family, parent, name, frame[3]))
                counts[key] = counts.get(key, 0) + 1
                if writer is not None:
                    writer.writerow(
                        [
                            label,
                            context["journal"],
                            context["entry"],
                            context["line"],
                            context["relation"],
                            context["account"],
                            _value(elem),
                        ]
                    )
            elem.clear(keep_tail=False)


def add_to_report(report: ConversionReport, counts: dict[tuple[str, str], int]) -> None:
    for (element, reason), n in sorted(counts.items()):
        report.dropped(element, reason, n)
