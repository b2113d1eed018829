"""Uniqueness rules (XAF-U01 … XAF-U12): an id that a scope already holds, one small function per id.

The scanner hands each rule the id as written (stripped; ``None`` when absent, which no rule reports), the
line and the set of ids the scope has seen so far; the rule reports a repeat and remembers a first one.
Transactions and CLAIR2 ids are kept as 64-bit hashes, so memory stays small on millions of lines.
"""

from __future__ import annotations

from .findings import Collector


def _repeat(code: str, seen: set, key: str | None, line: int | None, path: str, what: str, out: Collector) -> None:
    if key is None:
        return
    if key in seen:
        out.add(code, line, path, {what: key})
    else:
        seen.add(key)


def rule_u01_relation_id_unique(cid: str | None, line: int | None, seen: set, out: Collector) -> None:
    """customerSupplier/custSupID once per file."""
    _repeat("XAF-U01", seen, cid, line, f"customerSupplier[{cid}]", "custSupID", out)


def rule_u02_account_id_unique(acc: str | None, line: int | None, seen: set, out: Collector) -> None:
    """ledgerAccount/accID (CLAIR2 accountID) once per file."""
    _repeat("XAF-U02", seen, acc, line, f"ledgerAccount[{acc}]", "accID", out)


def rule_u03_rgs_code_unique(rgs: str | None, acc: str | None, line: int | None, seen: set, out: Collector) -> None:
    """ledgerAccount/RGScode on one account only."""
    _repeat("XAF-U03", seen, rgs, line, f"ledgerAccount[{acc}]/RGScode", "RGScode", out)


def rule_u04_vat_id_unique(vid: str | None, line: int | None, seen: set, out: Collector) -> None:
    """vatCode/vatID once per file."""
    _repeat("XAF-U04", seen, vid, line, f"vatCode[{vid}]", "vatID", out)


def rule_u05_period_number_unique(nr: str | None, line: int | None, seen: set, out: Collector) -> None:
    """period/periodNumber once per file."""
    _repeat("XAF-U05", seen, nr, line, f"period[{nr}]", "periodNumber", out)


def rule_u06_journal_id_unique(jid: str | None, line: int | None, seen: set, out: Collector) -> None:
    """journal/jrnID (CLAIR2 journalID) once per file."""
    _repeat("XAF-U06", seen, jid, line, f"journal[{jid}]", "jrnID", out)


def rule_u07_entry_unique(
    jid: str | None, nr: str | None, line: int | None, path: str, seen: set, out: Collector, *, clair2: bool = False
) -> None:
    """transaction nr (CLAIR2 transactionID) once per journal; ``seen`` holds hashes of (journal, nr)."""
    if nr is None:
        return
    h = hash((jid, nr))
    if h in seen:
        values = {"journalID": jid, "transactionID": nr} if clair2 else {"jrnID": jid, "nr": nr}
        out.add("XAF-U07", line, path, values)
    else:
        seen.add(h)


def rule_u08_line_nr_unique(
    lnr: str, entry: str | None, line: int | None, path: str, seen: set, out: Collector, *, field: str = "nr"
) -> None:
    """trLine/nr (CLAIR2 line/recordID, ``field``) once per transaction; ``lnr`` is present."""
    if lnr in seen:
        out.add("XAF-U08", line, path, {"transaction": entry, field: lnr})
    else:
        seen.add(lnr)


def rule_u09_opening_line_nr_unique(nr: str | None, line: int | None, path: str, seen: set, out: Collector) -> None:
    """openingBalance/obLine/nr once."""
    _repeat("XAF-U09", seen, nr, line, path, "nr", out)


def rule_u10_basic_unique(tp: str | None, bid: str | None, line: int | None, seen: set, out: Collector) -> None:
    """basic (basicType, basicID) once; ``seen`` holds (type with two digits, id), which XAF-K09 looks up."""
    if tp is None or bid is None:
        return
    key = (tp.zfill(2), bid)
    if key in seen:
        out.add("XAF-U10", line, f"basic[{tp}/{bid}]", {"basicType": tp, "basicID": bid})
    seen.add(key)


def rule_u11_subledger_line_nr_unique(nr: str | None, line: int | None, path: str, seen: set, out: Collector) -> None:
    """sbLine / obSbLine nr once per subledger."""
    if nr is None:
        return
    if nr in seen:
        out.add("XAF-U11", line, path, {"nr": nr})
    seen.add(nr)


def rule_u12_clair2_id_unique(
    value: str | None, field: str, line: int | None, path: str, seen: set, out: Collector
) -> None:
    """CLAIR2 transactionID and line/recordID once per file (``field``); ``seen`` holds hashes."""
    if value is None:
        return
    h = hash(value)
    if h in seen:
        out.add("XAF-U12", line, path, {field: value})
    seen.add(h)
