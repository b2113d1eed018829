"""``koppel check THIS --previous LAST``: does this year's opening balance follow from last year's closing balance?

Last year's closing balance per account is its opening balance plus all its movements; this year's opening
balance must carry it for every balance account. Profit-and-loss accounts start the year at zero: their
closing balances together are last year's result, which the bookkeeper carries to equity — so one account's
difference equal to that result is expected (reported as info), every other difference is an error with both
amounts. Either file may be in any format koppel reads (XAF, ADF, package exports).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..model import Administration
from ..money import format_cents
from .findings import ERROR, INFO, RULES, WARNING, Collector, Rule
from .layers import merge_findings

PREVIOUS_RULES = (
    Rule("PY-A01", ERROR, "beginbalans sluit niet aan op de eindbalans van vorig jaar",
         "eindsaldo vorig jaar = beginsaldo + mutaties vorig jaar; corrigeer de beginbalans of de afsluiting"),
    Rule("PY-A02", INFO, "resultaat vorig jaar overgeboekt naar het eigen vermogen (verwacht verschil)",
         "de resultatenrekeningen zijn afgesloten; hun saldo staat nu op deze rekening"),
    Rule("PY-A03", INFO, "beginbalans sluit aan op de eindbalans van vorig jaar"),
    Rule("PY-Y01", WARNING, "het boekjaar begint niet direct na het boekjaar van het vorige bestand",
         "vergelijk met het bestand van het voorgaande boekjaar"),
)
RULES.update({r.code: r for r in PREVIOUS_RULES})


@dataclass
class Reconciliation:
    """Per account: last year's closing and this year's opening, and what the comparison found."""

    rows: list[dict]
    result_last_year: int  # cents, debit positive: a profit is negative
    carried_to: str | None  # the account that absorbed last year's result
    differences: int  # accounts with an unexpected difference

    @property
    def clean(self) -> bool:
        return self.differences == 0


def closing_balances(adm: Administration) -> dict[str, int]:
    """Opening balance plus movements per account (period-0 entries are both, counted once)."""
    out = dict(adm.stats.cents_by_account)
    if adm.header.opening_source != "period0":
        for account, cents in adm.opening_balance.groupby("account_id")["amount"].sum().items():
            out[account] = out.get(account, 0) + int(cents)
    return out


def opening_balances(adm: Administration) -> dict[str, int]:
    return {str(a): int(c) for a, c in adm.opening_balance.groupby("account_id")["amount"].sum().items()}


def _chart(adm: Administration) -> dict[str, tuple[str | None, str | None]]:
    out = {}
    for a in adm.accounts.itertuples(index=False):
        name = None if pd.isna(a.name) else str(a.name)
        kind = None if pd.isna(a.kind) else str(a.kind)
        out[str(a.account_id)] = (name, kind)
    return out


def reconcile(this: Administration, last: Administration) -> Reconciliation:
    """Compare this year's opening balance with last year's closing balance, account by account."""
    closing = closing_balances(last)
    opening = opening_balances(this)
    chart_now, chart_then = _chart(this), _chart(last)

    def kind(acc: str) -> str | None:
        return (chart_now.get(acc, (None, None))[1] or chart_then.get(acc, (None, None))[1])

    pl_in_opening = any(kind(a) == "P" and c for a, c in opening.items())
    result = 0 if pl_in_opening else sum(c for a, c in closing.items() if kind(a) == "P")
    rows = []
    for acc in sorted(set(closing) | set(opening)):
        k = kind(acc)
        if k == "P" and not pl_in_opening:
            continue  # closed into equity: compared as one sum, the result
        before, after = closing.get(acc, 0), opening.get(acc, 0)
        if before == 0 and after == 0:
            continue
        name = chart_now.get(acc, (None, None))[0] or chart_then.get(acc, (None, None))[0]
        rows.append({"account": acc, "name": name, "kind": k, "closing_last": before, "opening_this": after,
                     "difference": after - before, "note": ""})  # fmt: skip
    carried = None
    if result:
        matches = [r for r in rows if r["difference"] == result]
        equity = [r for r in matches if _is_equity(r["account"], r["name"], this, last)]
        if equity:
            carried = equity[0]["account"]
            equity[0]["note"] = "resultaat vorig jaar"
        for r in matches:
            if r["account"] != carried:
                r["note"] = "verschil = resultaat vorig jaar, maar geen rekening van het eigen vermogen"
    differences = sum(1 for r in rows if r["difference"] and r["account"] != carried)
    return Reconciliation(rows, result, carried, differences)


_EQUITY_WORDS = re.compile(
    r"vermogen|kapitaal|reserve|resultaat|winst|verlies|prive|privé|onverdeeld|agio|equity|retained", re.IGNORECASE
)


def _is_equity(account: str, name: str | None, *adms: Administration) -> bool:
    """An equity account by its RGS code (BEiv…) or, without one, by the words of its name (shown in the
    finding, so the bookkeeper sees why a difference counted as the carried result)."""
    for adm in adms:
        codes = adm.accounts.loc[adm.accounts["account_id"] == account, "rgs_code"].dropna()
        if len(codes):
            return str(codes.iloc[0]).startswith("BEiv")
    return bool(name and _EQUITY_WORDS.search(name))


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def previous_year_findings(this: Administration, last: Administration, out: Collector,
                           last_name: str = "") -> Reconciliation:  # fmt: skip
    rec = reconcile(this, last)
    for row in rec.rows:
        values = {"rekening": row["account"], "naam": row["name"] or "", "eindsaldo vorig jaar":
                  format_cents(row["closing_last"]), "beginsaldo dit jaar": format_cents(row["opening_this"]),
                  "verschil": format_cents(row["difference"])}  # fmt: skip
        if row["account"] == rec.carried_to:
            out.add("PY-A02", None, f"rekening {row['account']}", values | {
                "resultaat vorig jaar": format_cents(rec.result_last_year)})  # fmt: skip
        elif row["difference"]:
            if rec.result_last_year and rec.carried_to is None:
                values["resultaat vorig jaar (niet teruggevonden)"] = format_cents(rec.result_last_year)
            out.add("PY-A01", None, f"rekening {row['account']}", values)
    if rec.clean:
        out.add("PY-A03", None, "", {"rekeningen": str(len(rec.rows)), "vorig jaar": last_name})
    end, start = _date(last.header.end_date), _date(this.header.start_date)
    if end and start:
        if start != end + dt.timedelta(days=1):
            out.add("PY-Y01", None, "header/startDate", {"einde vorig jaar": end.isoformat(),
                                                        "begin dit jaar": start.isoformat()})  # fmt: skip
    else:  # no dates on one side (ADF has a year only): the fiscal years must follow each other
        years = _year(last.header.fiscal_year), _year(this.header.fiscal_year)
        if None not in years and years[1] != years[0] + 1:
            out.add("PY-Y01", None, "header/fiscalYear", {"boekjaar vorig jaar": str(years[0]),
                                                         "boekjaar dit jaar": str(years[1])})  # fmt: skip
    return rec


def _year(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None


def add_previous_year(result: dict, path: str | Path, previous: str | Path, *, max_places: int = 20,
                      encoding: str | None = None) -> dict:  # fmt: skip
    """The previous-year layer of ``koppel check``: read both files, reconcile, merge findings and the section."""
    from ..registry import read_input

    if result.get("verdict") == "unusable":
        return result
    this = read_input(path, encoding=encoding) if encoding else read_input(path)
    last = read_input(previous)
    out = Collector(max_places)
    rec = previous_year_findings(this, last, out, Path(previous).name)
    result["previous_year"] = {
        "file": str(previous),
        "fiscal_year": last.header.fiscal_year,
        "clean": rec.clean,
        "differences": rec.differences,
        "result_last_year": format_cents(rec.result_last_year),
        "carried_to": rec.carried_to,
        "rows": [r | {k: format_cents(r[k]) for k in ("closing_last", "opening_this", "difference")}
                 for r in rec.rows],
    }
    return merge_findings(result, out)
