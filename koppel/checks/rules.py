"""File-level content rules (formats.md §2.8): they need the whole pass, so they run after it.

Each function checks one rule (or one closely tied family, e.g. T01–T03) and reports to the collector.
"""

from __future__ import annotations

import calendar
import re

import numpy as np

from ..errors import KoppelError
from ..money import format_cents, parse_cents
from .findings import Collector
from .scan import Facts

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _cents(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_cents(text)
    except KoppelError:
        return None


def _fmt(cents: int | None, raw: str | None = None) -> str:
    if cents is None:
        return raw if raw is not None else "(ontbreekt)"
    return format_cents(cents)


def rule_t01_t03_opening_totals(f: Facts, out: Collector) -> None:
    """XAF-T01/T02/T03: declared opening-balance totals against the obLines (3.x, 4.0)."""
    ob = f.ob
    if f.version == "2.0" or ob is None or not ob.get("present"):
        return
    td, tc = ob.get("totalDebit"), ob.get("totalCredit")
    d, c = _cents(td), _cents(tc)
    if d is not None and d != ob["sum_d"]:
        out.add("XAF-T01", ob["totalDebit_line"], "openingBalance/totalDebit",
                {"expected": format_cents(ob["sum_d"]), "found": td})
    if c is not None and c != ob["sum_c"]:
        out.add("XAF-T02", ob["totalCredit_line"], "openingBalance/totalCredit",
                {"expected": format_cents(ob["sum_c"]), "found": tc})
    if d is not None and c is not None and d != c:
        out.add("XAF-T03", ob["totalDebit_line"], "openingBalance", {"totalDebit": td, "totalCredit": tc})


def rule_t12_opening_lines_balance(f: Facts, out: Collector) -> None:
    """XAF-T12: the obLines themselves balance, whatever the declared totals say (pyxaf XAF5013)."""
    ob = f.ob
    if f.version == "2.0" or ob is None or not ob.get("lines"):
        return
    if ob["sum_d"] != ob["sum_c"]:
        out.add("XAF-T12", ob.get("line"), "openingBalance/obLine",
                {"debet": format_cents(ob["sum_d"]), "credit": format_cents(ob["sum_c"]),
                 "verschil": format_cents(ob["sum_d"] - ob["sum_c"])})


def rule_t09_opening_count(f: Facts, out: Collector) -> None:
    """XAF-T09: openingBalance linesCount = number of obLines; an absent linesCount counts."""
    ob = f.ob
    if f.version == "2.0" or ob is None or not ob.get("present"):
        return
    declared = ob.get("linesCount")
    if declared is None or not declared.isdigit() or int(declared) != ob["lines"]:
        out.add("XAF-T09", ob["linesCount_line"], "openingBalance/linesCount",
                {"expected": str(ob["lines"]), "found": declared or "(ontbreekt)"})


def rule_t04_t08_transaction_totals(f: Facts, out: Collector) -> None:
    """XAF-T04/T05/T06 (declared totals) and T08 (linesCount) of ``transactions``; T11 for CLAIR2."""
    t = f.tx_totals
    if not t and f.n_tx == 0:
        return
    td, tc = t.get("totalDebit"), t.get("totalCredit")
    d, c = _cents(td), _cents(tc)
    line = t.get("totalDebit_line")
    if d is not None and d != f.sum_d:
        out.add("XAF-T04", line, "transactions/totalDebit", {"expected": format_cents(f.sum_d), "found": td})
    if c is not None and c != f.sum_c:
        out.add("XAF-T05", t.get("totalCredit_line"), "transactions/totalCredit",
                {"expected": format_cents(f.sum_c), "found": tc})
    if d is not None and c is not None and d != c:
        out.add("XAF-T06", line, "transactions", {"totalDebit": td, "totalCredit": tc})
    if f.version == "2.0":
        n = t.get("numberEntries")
        if n is not None and n not in (str(f.n_tx), str(f.n_lines)):
            out.add("XAF-T11", t.get("numberEntries_line"), "transactions/numberEntries",
                    {"found": n, "transactions": f.n_tx, "lines": f.n_lines})
        return
    n = t.get("linesCount")
    if n is None or not n.isdigit() or int(n) != f.n_lines:
        hint = None
        if n is not None and n.isdigit():
            if int(n) == len(f.journals) and int(n) != f.n_tx:
                hint = "het getal is het aantal dagboeken (e-Boekhouden.nl doet dit)"
            elif int(n) == f.n_tx:
                hint = "het getal is het aantal boekstukken (Banana doet dit)"
        out.add("XAF-T08", t.get("linesCount_line"), "transactions/linesCount",
                {"expected": str(f.n_lines), "found": n or "(ontbreekt)"}, hint=hint)


def rule_k05_vat_accounts(f: Facts, out: Collector) -> None:
    """XAF-K05: vatToPayAccID / vatToClaimAccID are defined accounts."""
    for line, vid, which, acc in f.vat_accounts:
        if acc not in f.accounts:
            out.add("XAF-K05", line, f"vatCode[{vid}]/{which}", {which: acc})


def rule_k11_offset_accounts(f: Facts, out: Collector) -> None:
    """XAF-K11: a journal's offsetAccID is a defined account (pyxaf XAF4005)."""
    for line, jid, acc in f.offset_accounts:
        if acc not in f.accounts:
            out.add("XAF-K11", line, f"journal[{jid}]/offsetAccID", {"offsetAccID": acc})


def rule_k07_no_periods(f: Facts, out: Collector) -> None:
    """XAF-K07: no periods table, so K06 cannot be checked (3.x, 4.0)."""
    if f.version != "2.0" and not f.periods_table and f.n_tx:
        out.add("XAF-K07", f.header_lines.get("header"), "company/periods", {"transactions": f.n_tx})


def rule_k10_subledger_refs(f: Facts, out: Collector) -> None:
    """XAF-K10: every sbLine (jrnID, trNr, trLineNr) resolves to a trLine."""
    if not f.sb_refs:
        return
    keys = np.sort(np.frombuffer(f.line_keys, dtype=np.int64)) if len(f.line_keys) else np.empty(0, np.int64)

    def known(jid, nr, lnr) -> bool:
        if not len(keys):
            return False
        h = hash((jid, nr, lnr))
        i = np.searchsorted(keys, h)
        return bool(i < len(keys) and keys[i] == h)

    for line, path, jid, nr, lnr in f.sb_refs:
        if known(jid, nr, lnr):
            continue
        hint = None
        if jid is not None and known(jid, f"{jid}.{nr}", f"{jid}.{nr}.{lnr}"):
            hint = "verwijst wel als het dagboek ervoor staat (Twinfield: 'INK.201600001' i.p.v. '201600001')"
        out.add("XAF-K10", line, path, {"jrnID": jid, "trNr": nr, "trLineNr": lnr}, hint=hint)


def rule_o_opening(f: Facts, out: Collector) -> None:
    """XAF-O01 (given twice), O02 (absent), O04 (period-0 transactions in 4.0)."""
    has_ob = f.ob is not None and (f.ob.get("lines", 0) > 0 or f.ob.get("present"))
    has_tx = bool(f.opening_tx)
    if f.version == "4.0" and has_tx:
        for line, jid, nr in f.opening_tx:
            out.add("XAF-O04", line, f"journal[{jid}]/transaction[{nr}]", {"journal": jid, "nr": nr})
    elif has_ob and has_tx and f.ob.get("lines", 0) > 0 and f.version != "2.0":
        line, jid, nr = f.opening_tx[0]
        out.add("XAF-O01", line, f"journal[{jid}]/transaction[{nr}]",
                {"obLines": f.ob["lines"], "opening transactions": len(f.opening_tx)})
    if not has_ob and not has_tx:
        out.add("XAF-O02", None, "company/openingBalance", {},
                severity="warning" if f.version == "4.0" else "info")


def rule_d04_d06_year(f: Facts, out: Collector) -> None:
    """XAF-D04 (fiscalYear vs dates), D05 (implausible bounds), D06 (periods outside the year)."""
    h, lines = f.header, f.header_lines
    start, end, fy = h.get("startDate"), h.get("endDate"), h.get("fiscalYear")
    start = start[:10] if start and _DATE.match(start) else None
    end = end[:10] if end and _DATE.match(end) else None
    if fy is not None and start and end:
        ok = (len(fy) == 4 and fy.isdigit() and fy in (start[:4], end[:4])) or (
            len(fy) == 9 and fy[4] == "-" and fy[:4] == start[:4] and fy[5:] == end[:4]
        )
        if not ok:
            out.add("XAF-D04", lines.get("fiscalYear"), "header/fiscalYear",
                    {"found": fy, "boekjaar": f"{start}..{end}"})
    if start and end:
        problems = []
        y1, m1, d1 = (int(x) for x in start.split("-"))
        y2, m2, d2 = (int(x) for x in end.split("-"))
        if end < start:
            problems.append("einddatum vóór begindatum")
        if d1 != 1:
            problems.append("begint niet op de 1e")
        if 1 <= m2 <= 12 and d2 != calendar.monthrange(y2, m2)[1]:
            problems.append("eindigt niet op de laatste dag van een maand")
        if (y2 - y1) * 12 + (m2 - m1) + 1 > 24:
            problems.append("langer dan 24 maanden")
        if problems:
            out.add("XAF-D05", lines.get("endDate"), "header/startDate..endDate",
                    {"boekjaar": f"{start}..{end}", "problem": "; ".join(problems)})
        for nr, (p_start, p_end, line) in f.periods.items():
            if (p_start and not start <= p_start <= end) or (p_end and not start <= p_end <= end):
                out.add("XAF-D06", line, f"period[{nr}]",
                        {"periode": f"{p_start}..{p_end}", "boekjaar": f"{start}..{end}"})


def rule_f07_vocabulary(f: Facts, out: Collector) -> None:
    """XAF-F07: elements of another version's vocabulary under this namespace."""
    if f.markers:
        name, line = next(iter(f.markers.items()))
        out.add("XAF-F07", line, name, {"version": f.version, "elements": ", ".join(sorted(f.markers))})


FILE_RULES = (
    rule_t01_t03_opening_totals,
    rule_t12_opening_lines_balance,
    rule_t09_opening_count,
    rule_t04_t08_transaction_totals,
    rule_k05_vat_accounts,
    rule_k11_offset_accounts,
    rule_k07_no_periods,
    rule_k10_subledger_refs,
    rule_o_opening,
    rule_d04_d06_year,
    rule_f07_vocabulary,
)


def run_file_rules(f: Facts, out: Collector) -> None:
    for rule in FILE_RULES:
        rule(f, out)


__all__ = ["FILE_RULES", "_fmt", "run_file_rules"]
