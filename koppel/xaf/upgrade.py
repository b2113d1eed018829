"""Upgrade report: every element with data in a CLAIR2/3.x auditfile that its XAF 4.0 conversion drops.

Counted in the reader's own pass (:class:`DropCounter`): an element is *carried* when its (parent, name) pair is
in the carried set of the source family; a carried container is descended, anything else is counted once as
dropped (if it or a descendant holds text) and not descended. With ``--keep-dropped`` each dropped element is
also kept as a CSV row with its context (:class:`DroppedRows`), so nothing is lost and the source is read once.
"""

from __future__ import annotations

import csv
import heapq
import itertools
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ..reports.safe_text import CsvRows
from .report import ConversionReport

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


def drop_reason(family: str, parent: str, name: str, opening: bool) -> str:
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


NESTED = frozenset({"streetAddress", "postalAddress", "vat", "currency"})


def opening_drop(parent: str, name: str) -> bool:
    """Inside a period-0 opening entry: does this child have no place in an obLine?"""
    if parent == "transaction":
        return name not in OPENING_TX
    return parent == "trLine" and name not in OPENING_LINE


def has_data(elem) -> bool:
    return any(isinstance(e.tag, str) and e.text and e.text.strip() for e in elem.iter())


def dropped_value(elem) -> str:
    if len(elem) == 0:
        return (elem.text or "").strip()
    parts = []
    base = len(elem.tag.split("}")[-1]) + 1
    for e in elem.iter():
        if e is elem or not isinstance(e.tag, str) or len(e):
            continue
        text = (e.text or "").strip()
        if text:
            path = "/".join(etree.QName(x).localname for x in ancestry(e, elem))
            parts.append(f"{path[base:]}={text}")
    return "; ".join(parts)


def ancestry(e, stop) -> list:
    out = []
    while e is not None:
        out.append(e)
        if e is stop:
            break
        e = e.getparent()
    return list(reversed(out))


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


# The context columns of a kept row: the ids of the records the dropped element lies in (its ancestors).
_CONTEXT_OF = {
    "journal": ("journal", ("jrnID", "journalID")),
    "transaction": ("entry", ("nr", "transactionID")),
    "trLine": ("line", ("nr",)),
    "line": ("line", ("recordID",)),
    "customerSupplier": ("relation", ("custSupID",)),
    "ledgerAccount": ("account", ("accID", "accountID")),
}
_CONTEXT_COLUMNS = ("journal", "entry", "line", "relation", "account")


def row_context(elem) -> list[str]:
    """journal, entry, line, relation, account: the id child of each enclosing record ("" where none)."""
    found: dict[str, str] = {}
    for up in elem.iterancestors():
        spec = _CONTEXT_OF.get(up.tag.rpartition("}")[2]) if isinstance(up.tag, str) else None
        if spec is None or spec[0] in found:
            continue
        column, names = spec
        for child in up:
            if isinstance(child.tag, str) and child.tag.rpartition("}")[2] in names and not len(child):
                found[column] = (child.text or "").strip()
                break
    return [found.get(column, "") for column in _CONTEXT_COLUMNS]


def _leaf_parts(elem, top) -> list[tuple[int, str]]:
    """(line, "path=text") of the text leaves below ``elem``, the path counted from ``top`` (as dropped_value)."""
    base = len(top.tag.split("}")[-1]) + 1
    parts = []
    for e in elem.iter():
        if e is top or not isinstance(e.tag, str) or len(e):
            continue
        text = (e.text or "").strip()
        if text:
            path = "/".join(etree.QName(x).localname for x in ancestry(e, top))
            parts.append((e.sourceline or 0, f"{path[base:]}={text}"))
    return parts


class DropCounter:
    """The upgrade report's counts taken in the reader's own pass: no second parse of the source.

    The reader hands over what it holds before it frees it: each transaction it has to look at, each journal's
    own fields, each master-data record, and at the end what is left of the tree. The decisions are those of the
    separate scan this replaced (same carried sets, first-only pairs, period-0 opening entries; the tests keep
    that scan as a reference and compare on every sample). A transaction whose children are all carried needs no
    walk: the reader only hands over the ones it found something unusual in (``DropCounter.transaction``).
    Opening entries are counted both ways and settled at the end, since only then is it known whether the file
    has an openingBalance (then period-0 transactions are ordinary ones).

    ``rows_dir`` (``--keep-dropped``): each dropped element also becomes a row (source line, opening tag, the
    CSV columns). Rows of records and transactions stream to a spool file in ``rows_dir`` (memory does not grow
    with them); rows of journal fields and of what is left of the tree at the end stay in memory (that tree is).
    """

    def __init__(self, family: str, rows_dir: str | None = None) -> None:
        self.family = family
        self.carried = CARRIED_C2 if family == "2.0" else CARRIED_X3
        self.counts: dict[tuple[str, str], int] = {}
        # (journal, nr) of a period-0 / jrnTp O entry -> (its counts as an opening entry, as an ordinary one)
        self.opening: dict[tuple[str, str], tuple[dict, dict]] = {}
        self.rows_dir = rows_dir
        self.line_shift = 0  # a piece of a parallel read: its lines count from the piece's start
        self.spool_path: str | None = None
        self._spool = None
        self._spool_rows = None
        self._sink: list | None = None  # rows go here instead of the spool (journal fields, leftovers)
        self.loose: list[list] = []  # rows of what was left of the tree
        self._tag: tuple[str, str, str] = ("", "", "")  # (journal, nr, "o"/"p") of an opening entry's two ways
        self._stash: dict = {}  # dropped element -> (line, part) of the records the reader cleared inside it

    # -- kept rows -------------------------------------------------------------------------------
    def _row(self, elem, label: str, top=None) -> None:
        parts = _leaf_parts(elem, elem) if len(elem) else []
        stashed = self._stash.get(elem) if self._stash else None
        if stashed:  # records the pass has freed (and removed) inside it
            parts += stashed
        if len(elem) or stashed:
            parts.sort(key=lambda part: part[0])
            value = "; ".join(text for _line, text in parts)
        else:
            value = (elem.text or "").strip()
        row = [(elem.sourceline or 0) + self.line_shift, *self._tag, label, *row_context(elem), value]
        if self._sink is not None:
            self._sink.append(row)
            return
        if self._spool is None:
            fd, self.spool_path = tempfile.mkstemp(prefix="dropped.", suffix=".csv", dir=self.rows_dir)
            self._spool = os.fdopen(fd, "w", encoding="utf-8", newline="")
            self._spool_rows = csv.writer(self._spool)
        self._spool_rows.writerow(row)

    def close(self) -> tuple[str | None, list[list]]:
        """(spool file, rows in memory) of what this counter kept; the spool is complete from here on."""
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        return self.spool_path, self.loose

    # -- the walk --------------------------------------------------------------------------------
    def _visit(self, child, name: str, parent: str, grand: str | None, n: int, counts: dict, opening_tx: bool):
        pair = (parent, name)
        keep = pair in self.carried and not (n > 1 and pair in FIRST_ONLY)
        opening = False
        if keep and opening_tx and opening_drop(parent, name):
            keep, opening = False, True
        if keep:
            if len(child):
                self._walk(child, name, parent, counts, opening_tx)
        elif _holds_data(child):
            owner = f"{grand}/{parent}" if parent in NESTED and grand is not None else parent
            label = f"{owner} (opening, period 0)/{name}" if opening else f"{owner}/{name}"
            key = (label, drop_reason(self.family, parent, name, opening))
            counts[key] = counts.get(key, 0) + 1
            if self.rows_dir is not None:
                self._row(child, label)

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
        self._tag = (*key, "o")
        self._transaction(elem, as_opening, True)
        self._tag = (*key, "p")
        self._transaction(elem, as_plain, False)
        self._tag = ("", "", "")

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

    def journal(self, elem, stop_tag: str) -> tuple[dict[tuple[str, str], int], list[list]]:
        """The counts (and kept rows) of a journal's own fields (the children before its first transaction).

        They go with the journal's record: a journal cut over pieces of a parallel read is seen by each piece,
        and only its first record counts.
        """
        counts: dict[tuple[str, str], int] = {}
        seen: dict[str, int] = {}
        rows: list[list] = []
        self._sink = rows
        try:
            for child in elem:
                tag = child.tag
                if tag == stop_tag:
                    break
                if not isinstance(tag, str):
                    continue
                name = tag.rpartition("}")[2]
                n = seen[name] = seen.get(name, 0) + 1
                self._visit(child, name, "journal", "transactions", n, counts, False)
        finally:
            self._sink = None
        return counts, rows

    def record(self, elem) -> None:
        """A master-data record the reader has read and is about to clear."""
        chain = [elem, *elem.iterancestors()]
        chain.reverse()
        names = [e.tag.rpartition("}")[2] for e in chain]
        for i in range(1, len(chain) - 1):
            if (names[i - 1], names[i]) not in self.carried:  # inside a dropped element: it counts once, at the end
                if _holds_data(elem):
                    chain[i].set(HAD_DATA, "1")
                    if self.rows_dir is not None:  # its values, for the dropped element's row
                        self._stash.setdefault(chain[i], []).extend(_leaf_parts(elem, chain[i]))
                return
        if len(chain) == 1:
            return
        grand = names[-3] if len(names) > 2 else None
        self._visit(elem, names[-1], names[-2], grand, 1, self.counts, False)

    def leftovers(self, root) -> None:
        """What is left of the tree after the pass (records and transactions are cleared by then)."""
        if root is not None:
            self._sink = self.loose
            try:
                self._walk(root, root.tag.rpartition("}")[2], None, self.counts, False)
            finally:
                self._sink = None
                self._stash.clear()

    def merge(self, counts: dict, opening: dict) -> None:
        for key, n in counts.items():
            self.counts[key] = self.counts.get(key, 0) + n
        for key, pair in opening.items():
            mine = self.opening.setdefault(key, ({}, {}))
            for into, more in zip(mine, pair, strict=True):
                for k, n in more.items():
                    into[k] = into.get(k, 0) + n

    def result(self, opening_entries: set[tuple[str, str]], journals: list[dict]) -> dict[tuple[str, str], int]:
        """The counts of the whole file; ``opening_entries`` as the reader settled them."""
        out = dict(self.counts)
        for record in journals:
            for key, n in record.get(DROPPED_KEY, ({}, []))[0].items():
                out[key] = out.get(key, 0) + n
        for entry, (as_opening, as_plain) in self.opening.items():
            for key, n in (as_opening if entry in opening_entries else as_plain).items():
                out[key] = out.get(key, 0) + n
        return out


class DroppedRows:
    """The kept rows of one read (``--keep-dropped``): spool files in file order plus rows held in memory.

    :meth:`write` publishes them as one CSV in source-line order, each opening entry's rows taken the way the
    read settled it. The spool folder is removed when written or when this object goes away.
    """

    def __init__(self, folder: str, spools: list[str | None], loose: list[list], opening_entries) -> None:
        self.folder = folder
        self.spools = [s for s in spools if s is not None]
        self.loose = sorted(loose, key=lambda row: row[0])
        self.opening_entries = set(opening_entries)
        self._cleanup = weakref.finalize(self, shutil.rmtree, folder, True)

    def _spooled(self) -> Iterator[list]:
        for spool in self.spools:
            with open(spool, encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle):
                    row[0] = int(row[0])
                    yield row

    def write(self, path: Path) -> int:
        """Write ``dropped-elements.csv`` rows to ``path``; the number of rows."""
        n = 0
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer = CsvRows(handle)
            writer.writerow(CSV_COLUMNS)
            for row in heapq.merge(self._spooled(), self.loose, key=lambda row: row[0]):
                journal, nr, way = row[1:4]
                if way and ((journal, nr) in self.opening_entries) != (way == "o"):
                    continue  # the other way of counting an entry that may carry the opening balance
                writer.writerow(row[4:])
                n += 1
        self._cleanup()
        return n


def kept_rows(
    folder: str, counters: list[tuple[str | None, list[list]]], journals: list[dict], opening_entries
) -> DroppedRows:
    """The rows of a read's counters (in file order) and of its journal records (first record per journal)."""
    spools = [spool for spool, _loose in counters]
    loose = list(itertools.chain.from_iterable(rows for _spool, rows in counters))
    for record in journals:
        loose.extend(record.get(DROPPED_KEY, ({}, []))[1])
    return DroppedRows(folder, spools, loose, opening_entries)


# key of a journal record holding the upgrade counts of the journal's own fields (counted once per journal)
DROPPED_KEY = "_dropped_in_40"
