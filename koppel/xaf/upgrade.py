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


# On a dropped element whose data a record handler of the reader already read and cleared: it had data.
HAD_DATA = "{urn:koppel}had-data"
_OPENING_NR = frozenset({"nr", "transactionID"})


def _holds_data(elem) -> bool:
    for e in elem.iter():
        if isinstance(e.tag, str) and ((e.text and e.text.strip()) or e.get(HAD_DATA) is not None):
            return True
    return False


class DropCounter:
    """The upgrade report's counts taken in the reader's own pass: no second parse of the source.

    The reader hands over what it holds before it frees it: each transaction it has to look at, each journal's
    own fields, each master-data record, and at the end what is left of the tree. The decisions are those of
    :func:`scan_dropped` (same carried sets, first-only pairs, period-0 opening entries), so the counts are equal;
    a test compares them on every sample. A transaction whose children are all carried needs no walk: the reader
    only hands over the ones it found something unusual in (``DropCounter.transaction``).
    Opening entries are counted both ways and settled at the end, since only then is it known whether the file
    has an openingBalance (then period-0 transactions are ordinary ones).
    """

    def __init__(self, family: str) -> None:
        self.family = family
        self.carried = CARRIED_C2 if family == "2.0" else CARRIED_X3
        self.counts: dict[tuple[str, str], int] = {}
        # (journal, nr) of a period-0 / jrnTp O entry -> (its counts as an opening entry, as an ordinary one)
        self.opening: dict[tuple[str, str], tuple[dict, dict]] = {}

    def _visit(self, child, name: str, parent: str, grand: str | None, n: int, counts: dict, opening_tx: bool):
        pair = (parent, name)
        keep = pair in self.carried and not (n > 1 and pair in FIRST_ONLY)
        opening = False
        if keep and opening_tx and _opening_drop(parent, name):
            keep, opening = False, True
        if keep:
            if len(child):
                self._walk(child, name, parent, counts, opening_tx)
        elif _holds_data(child):
            owner = f"{grand}/{parent}" if parent in _NESTED and grand is not None else parent
            label = f"{owner} (opening, period 0)/{name}" if opening else f"{owner}/{name}"
            key = (label, _reason(self.family, parent, name, opening))
            counts[key] = counts.get(key, 0) + 1

    def _walk(self, elem, parent: str, grand: str | None, counts: dict, opening_tx: bool) -> None:
        seen: dict[str, int] = {}
        for child in elem:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            name = tag.rpartition("}")[2]
            n = seen[name] = seen.get(name, 0) + 1
            self._visit(child, name, parent, grand, n, counts, opening_tx)

    def transaction(self, elem, key: tuple[str, str] | None) -> None:
        """A whole transaction; ``key`` (journal, nr) when it may carry the opening balance."""
        if key is None:
            self._transaction(elem, self.counts, False)
            return
        as_opening, as_plain = self.opening.setdefault(key, ({}, {}))
        self._transaction(elem, as_opening, True)
        self._transaction(elem, as_plain, False)

    def _transaction(self, elem, counts: dict, opening: bool) -> None:
        seen: dict[str, int] = {}
        opening_tx = False  # as the scan: from the entry number on
        for child in elem:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            name = tag.rpartition("}")[2]
            n = seen[name] = seen.get(name, 0) + 1
            self._visit(child, name, "transaction", "journal", n, counts, opening_tx)
            if opening and name in _OPENING_NR and not len(child):
                opening_tx = True

    def journal(self, elem, stop_tag: str) -> dict[tuple[str, str], int]:
        """The counts of a journal's own fields (the children before its first transaction)."""
        counts: dict[tuple[str, str], int] = {}
        seen: dict[str, int] = {}
        for child in elem:
            tag = child.tag
            if tag == stop_tag:
                break
            if not isinstance(tag, str):
                continue
            name = tag.rpartition("}")[2]
            n = seen[name] = seen.get(name, 0) + 1
            self._visit(child, name, "journal", "transactions", n, counts, False)
        return counts

    def record(self, elem) -> None:
        """A master-data record the reader has read and is about to clear."""
        chain = [elem, *elem.iterancestors()]
        chain.reverse()
        names = [e.tag.rpartition("}")[2] for e in chain]
        for i in range(1, len(chain) - 1):
            if (names[i - 1], names[i]) not in self.carried:  # inside a dropped element: it counts once, at the end
                if _holds_data(elem):
                    chain[i].set(HAD_DATA, "1")
                return
        if len(chain) == 1:
            return
        grand = names[-3] if len(names) > 2 else None
        self._visit(elem, names[-1], names[-2], grand, 1, self.counts, False)

    def leftovers(self, root) -> None:
        """What is left of the tree after the pass (records and transactions are cleared by then)."""
        if root is not None:
            self._walk(root, root.tag.rpartition("}")[2], None, self.counts, False)

    def merge(self, counts: dict, opening: dict) -> None:
        for key, n in counts.items():
            self.counts[key] = self.counts.get(key, 0) + n
        for key, pair in opening.items():
            mine = self.opening.setdefault(key, ({}, {}))
            for into, more in zip(mine, pair, strict=True):
                for k, n in more.items():
                    into[k] = into.get(k, 0) + n

    def result(self, opening_entries: set[tuple[str, str]], journals: list[dict]) -> dict[tuple[str, str], int]:
        """The counts of :func:`scan_dropped`; ``opening_entries`` as the reader settled them."""
        out = dict(self.counts)
        for record in journals:
            for key, n in record.get(DROPPED_KEY, {}).items():
                out[key] = out.get(key, 0) + n
        for entry, (as_opening, as_plain) in self.opening.items():
            for key, n in (as_opening if entry in opening_entries else as_plain).items():
                out[key] = out.get(key, 0) + n
        return out


# key of a journal record holding the upgrade counts of the journal's own fields (counted once per journal)
DROPPED_KEY = "_dropped_in_40"
