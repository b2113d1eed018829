"""``koppel check`` on an ADF auditfile: the rules that apply to ADF's content, in one streaming pass.

The result is the same dict as for XAF (``koppel/checks/result.py``), so the console, JSON, HTML and Excel
reports show ADF like any auditfile: verdict, findings with line and columns, trial balance, journals, periods.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ..checks.findings import Collector
from ..checks.result import HEADER_KEYS, summary, verdict
from ..errors import KoppelError
from ..money import format_cents
from .layout import SIGNATURE, adf_layout
from .parse import iter_mutation_blocks, parse_header, parse_lines, read_header_line
from .reader import MasterData, account_kind, canonical_batch, header_facts, is_opening_period
from .rules import NOT_APPLICABLE

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _fiscal_year(text: str | None) -> int | None:
    """The calendar year of ``jaarPeriode`` when it names exactly one (``2003``, ``2003/01-12``)."""
    years = set(_YEAR.findall(text or ""))
    return int(years.pop()) if len(years) == 1 else None


class _Balance:
    """Per-entry sums over consecutive runs of lines; a run that does not balance waits for the rest of its
    entry (an exporter may write an entry in pieces), so memory holds only unbalanced entries."""

    def __init__(self) -> None:
        self.pending: dict[tuple, list] = {}  # key -> [debit, credit, first line]
        self.entries = 0

    def add(self, frame: pd.DataFrame) -> None:
        key = (frame["journal_id"].fillna("") + "\x00" + frame["period"].fillna("") + "\x00"
               + frame["entry_nr"].fillna(""))  # fmt: skip
        keys = key.to_numpy(dtype=object)
        amount = frame["amount"].to_numpy()
        starts = np.ones(len(keys), dtype=bool)
        starts[1:] = keys[1:] != keys[:-1]
        index = np.flatnonzero(starts)
        debit = np.add.reduceat(np.where(amount > 0, amount, 0), index) if len(index) else []
        credit = np.add.reduceat(np.where(amount < 0, -amount, 0), index) if len(index) else []
        lines = frame["_line"].to_numpy()
        for i, start in enumerate(index):
            k = keys[start]
            known = self.pending.get(k)
            if known is None:
                self.entries += 1
                if debit[i] == credit[i]:
                    continue
                self.pending[k] = [int(debit[i]), int(credit[i]), int(lines[start])]
            else:
                known[0] += int(debit[i])
                known[1] += int(credit[i])
                if known[0] == known[1]:
                    del self.pending[k]

    def report(self, out: Collector) -> None:
        for key, (debit, credit, line) in sorted(self.pending.items(), key=lambda kv: kv[1][2]):
            journal, period, nr = key.split("\x00")
            out.add("ADF-T05", line, f"dagboek {journal} periode {period} boekstuk {nr}",
                    {"debet": format_cents(debit), "credit": format_cents(credit)})  # fmt: skip


def check_adf(path: str | Path, *, encoding: str | None = None, max_places: int = 20) -> dict:
    """Check an ADF auditfile; problems in the data become findings, never exceptions."""
    path = Path(path)
    layout = adf_layout()
    enc = encoding or layout.encoding
    out = Collector(max_places)
    head = parse_header(read_header_line(path, enc), layout)
    for p in head.problems:
        out.add("ADF-F02", 1, f"{p.field} ({p.columns})", {"gevonden": p.value, "probleem": p.message})
    year = _fiscal_year(head.fields.get("jaarPeriode"))
    if year is None:
        out.add("ADF-D02", 1, "jaarPeriode", {"gevonden": head.fields.get("jaarPeriode") or "(leeg)"})
    master = MasterData()
    balance = _Balance()
    tb: dict[str, list[int]] = {}
    journals: dict[str, dict] = {}
    periods: dict[str, list[int]] = {}
    n_lines = sum_d = sum_c = opening_lines = 0
    declared_d = declared_c = 0
    try:
        blocks = iter_mutation_blocks(path, layout)
        for block in blocks:
            parsed = parse_lines(block, enc, layout)
            for p in parsed.problems:
                out.add("ADF-F01", p.line, f"{p.field} ({p.columns})", {"gevonden": p.value, "probleem": p.message})
            if not len(parsed.line_nrs):
                continue
            frame = canonical_batch(parsed)
            frame["_line"] = parsed.line_nrs
            raw = {name: parsed.text[name].to_pandas() for name in (
                "grootboekrekeningnaam", "soortGrootboekrekening", "debCredNaam", "dagboekomschrijving")}  # fmt: skip
            frame["_name"], frame["_kind"] = raw["grootboekrekeningnaam"], raw["soortGrootboekrekening"]
            frame["_rel"], frame["_jrn"] = raw["debCredNaam"], raw["dagboekomschrijving"]
            master.collect("accounts", frame, "account_id", {"name": "_name", "kind": "_kind"}, conflicts=True)
            master.collect("relations", frame, "relation_id", {"name": "_rel"}, conflicts=True)
            master.collect("journals", frame, "journal_id", {"description": "_jrn"}, conflicts=True)
            _line_rules(parsed, frame, out, year)
            balance.add(frame)
            n_lines += len(frame)
            debet = parsed.numbers["debet"]
            credit = parsed.numbers["credit"]
            declared_d += int(pc.sum(debet).as_py() or 0)
            declared_c += int(pc.sum(credit).as_py() or 0)
            amount = frame["amount"]
            sum_d += int(amount[amount > 0].sum())
            sum_c -= int(amount[amount < 0].sum())
            opening = is_opening_period(frame["period"])
            opening_lines += int(opening.sum())
            _tally(frame, opening, tb, journals, periods)
    except KoppelError as exc:  # the file cannot be read on (an OS error): what was read is still reported
        out.add("ADF-F01", exc.line, "", {"probleem": exc.message})
    balance.report(out)
    _file_rules(head, n_lines, declared_d, declared_c, out)
    _master_rules(master, out)
    if not opening_lines:
        out.add("ADF-O01", None, "", {})
    out.add("ADF-N01", None, "", dict(NOT_APPLICABLE))
    return _result(path, enc, head, master, out, tb, journals, periods, balance, n_lines, sum_d, sum_c,
                   opening_lines)  # fmt: skip


def _line_rules(parsed, frame: pd.DataFrame, out: Collector, year: int | None) -> None:
    lines = parsed.line_nrs
    for name in ("grootboekrekeningnaam", "omschrijving"):
        for i in np.flatnonzero(pc.is_null(parsed.text[name]).to_numpy(zero_copy_only=False)):
            out.add("ADF-V01", int(lines[i]), f"{name} ({adf_layout().field(name).columns})", {})
    d = pc.fill_null(parsed.numbers["debet"], 0).to_numpy()
    c = pc.fill_null(parsed.numbers["credit"], 0).to_numpy()
    for i in np.flatnonzero((d < 0) | (c < 0)):
        out.add("ADF-V02", int(lines[i]), "debet/credit", {"debet": format_cents(int(d[i])),
                                                            "credit": format_cents(int(c[i]))})  # fmt: skip
    for i in np.flatnonzero((d != 0) & (c != 0)):
        out.add("ADF-V03", int(lines[i]), "debet/credit", {"debet": format_cents(int(d[i])),
                                                            "credit": format_cents(int(c[i]))})  # fmt: skip
    period = frame["period"].fillna("")
    numeric = period.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)
    for i in np.flatnonzero(~numeric & (period != "").to_numpy()):
        out.add("ADF-D03", int(lines[i]), "periode", {"gevonden": period.iloc[i]})
    if year is not None:
        dates = frame["date"]
        outside = dates.notna() & (dates.dt.year != year)
        for i in np.flatnonzero(outside.to_numpy()):
            out.add("ADF-D01", int(lines[i]), "mutatiedatum",
                    {"datum": dates.iloc[i].date().isoformat(), "boekjaar": str(year)})  # fmt: skip


def _tally(frame: pd.DataFrame, opening: pd.Series, tb: dict, journals: dict, periods: dict) -> None:
    amount = frame["amount"]
    debit = amount.where(amount > 0, 0)
    credit = (-amount).where(amount < 0, 0)
    parts = pd.DataFrame({"account": frame["account_id"].fillna(""), "opening": amount.where(opening, 0),
                          "debit": debit.where(~opening, 0), "credit": credit.where(~opening, 0)})  # fmt: skip
    for acc, row in parts.groupby("account", sort=False).sum().iterrows():
        t = tb.setdefault(acc, [0, 0, 0])
        t[0] += int(row["opening"])
        t[1] += int(row["debit"])
        t[2] += int(row["credit"])
    jr = pd.DataFrame({"journal": frame["journal_id"].fillna(""), "debit": debit, "credit": credit,
                       "entry": frame["entry_nr"].fillna("") + "\x00" + frame["period"].fillna("")})  # fmt: skip
    for j, g in jr.groupby("journal", sort=False):
        s = journals.setdefault(j, {"journal": j, "description": None, "kind": None, "entries": set(),
                                    "lines": 0, "debit": 0, "credit": 0})  # fmt: skip
        s["lines"] += len(g)
        s["debit"] += int(g["debit"].sum())
        s["credit"] += int(g["credit"].sum())
        s["entries"].update(g["entry"].unique())
    pr = pd.DataFrame({"period": frame["period"].fillna(""), "debit": debit, "credit": credit})
    for p, g in pr.groupby("period", sort=False):
        s = periods.setdefault(p, [0, 0, 0])
        s[0] += int(g["debit"].sum())
        s[1] += int(g["credit"].sum())
        s[2] += len(g)


def _file_rules(head, n_lines: int, debit: int, credit: int, out: Collector) -> None:
    layout = adf_layout()
    if head.line_count is not None and head.line_count != n_lines:
        out.add("ADF-T01", 1, f"aantalMutaties ({layout.field('aantalMutaties').columns})",
                {"verwacht": str(n_lines), "gevonden": str(head.line_count)})  # fmt: skip
    if head.total_debit is not None and head.total_debit != debit:
        out.add("ADF-T02", 1, f"tellingDebet ({layout.field('tellingDebet').columns})",
                {"verwacht": format_cents(debit), "gevonden": format_cents(head.total_debit)})  # fmt: skip
    if head.total_credit is not None and head.total_credit != credit:
        out.add("ADF-T03", 1, f"tellingCredit ({layout.field('tellingCredit').columns})",
                {"verwacht": format_cents(credit), "gevonden": format_cents(head.total_credit)})  # fmt: skip
    if debit != credit:
        out.add("ADF-T04", None, "", {"debet": format_cents(debit), "credit": format_cents(credit)})


def _master_rules(master: MasterData, out: Collector) -> None:
    code_of = {"accounts": "ADF-K01", "relations": "ADF-K02", "journals": "ADF-K03"}
    for (table, code, column), (line, value) in sorted(master.conflicts.items(), key=lambda kv: kv[1][0]):
        first = master.__getattribute__(table)[code]
        out.add(code_of[table], line, f"{table[:-1]} {code} ({column})",
                {"eerst": first[column], "regel eerst": str(first["_line"]), "hier": value})  # fmt: skip
    for code, values in master.accounts.items():
        if values["kind"] and account_kind(values["kind"]) is None:
            out.add("ADF-V04", values["_line"], f"grootboekrekening {code}", {"soort": values["kind"]})


def _result(path, enc, head, master, out, tb, journals, periods, balance, n_lines, sum_d, sum_c, opening_lines):
    findings = out.findings()
    f = head.fields
    header = dict.fromkeys(HEADER_KEYS)
    header.update(company_name=f.get("naamOnderneming"), company_id=header_facts(f, head.created).company_id,
                  fiscal_year=f.get("jaarPeriode"),
                  software=f.get("boekhoudpakket"), vat_number=f.get("fiscaalnummer"), date_created=head.created)
    trial = []
    for acc in sorted(tb):
        opening, debit, credit = tb[acc]
        trial.append({"account": acc, "name": master.accounts.get(acc, {}).get("name"),
                      "opening": format_cents(opening), "debit": format_cents(debit), "credit": format_cents(credit),
                      "closing": format_cents(opening + debit - credit)})  # fmt: skip
    journal_rows = []
    for j, s in journals.items():
        journal_rows.append({"journal": j, "description": master.journals.get(j, {}).get("description"),
                             "kind": None, "transactions": len(s["entries"]), "lines": s["lines"],
                             "debit": format_cents(s["debit"]), "credit": format_cents(s["credit"])})  # fmt: skip

    def order(p: str):
        return (0, int(p), "") if p.isdigit() else (1, 0, p)

    period_rows = [{"period": p, "debit": format_cents(d), "credit": format_cents(c), "lines": n}
                   for p, (d, c, n) in sorted(periods.items(), key=lambda kv: order(kv[0]))]  # fmt: skip
    return {
        "file": str(path),
        "version": "ADF",
        "software": header["software"],
        "encoding": enc,
        "verdict": verdict(findings),
        "header": header,
        "summary": summary(findings),
        "findings": findings,
        "trial_balance": trial,
        "journals": journal_rows,
        "periods": period_rows,
        "counts": {"accounts": len(master.accounts), "relations": len(master.relations), "vat_codes": 0,
                   "periods": len(periods), "basics": 0, "journals": len(journals),
                   "transactions": balance.entries, "lines": n_lines, "opening_lines": opening_lines,
                   "opening_transactions": 0, "subledgers": 0, "subledger_lines": 0},
        "totals": {"debit": format_cents(sum_d), "credit": format_cents(sum_c), "net": format_cents(sum_d - sum_c),
                   "declared_debit": None if head.total_debit is None else format_cents(head.total_debit),
                   "declared_credit": None if head.total_credit is None else format_cents(head.total_credit),
                   "declared_lines": None if head.line_count is None else str(head.line_count),
                   "opening_debit": "0.00", "opening_credit": "0.00",
                   "opening_declared_debit": None, "opening_declared_credit": None},
        "schema": None,
        "format": SIGNATURE,
    }
