"""The one result dict of a check (the contract with koppel.reports and ``--json``).

Keys: file, version, software, encoding, verdict, header, summary, findings, trial_balance, journals,
periods, counts, totals (+ schema). Amounts are decimal strings ("1234.50", debit positive).
"""

from __future__ import annotations

from pathlib import Path

from ..money import format_cents
from .findings import Collector
from .hints import fit_hints

HEADER_KEYS = (
    "company_name", "company_id", "fiscal_year", "start_date", "end_date", "currency", "software",
    "software_version", "kvk", "vat_number", "date_created",
)  # fmt: skip


def verdict(findings: list[dict]) -> str:
    """ok / warnings / errors for a file that could be read (unusable_result sets "unusable")."""
    sev = {f["severity"] for f in findings}
    return "errors" if "error" in sev else "warnings" if "warning" in sev else "ok"


def summary(findings: list[dict]) -> dict:
    """Number of finding groups (codes) per severity."""
    out = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        out[f["severity"]] += 1
    return out


def _header(version: str | None, facts) -> dict:
    h = dict.fromkeys(HEADER_KEYS)
    if facts is None:
        return h
    src, comp = facts.header, facts.company
    if version == "2.0":
        h.update(
            company_name=src.get("companyName"), company_id=src.get("companyID"), currency=src.get("currencyCode"),
            software=src.get("productID"),
            software_version=src.get("productVersion"), vat_number=src.get("taxRegistrationNr"),
        )  # fmt: skip
    else:
        h.update(
            company_name=comp.get("companyName"), company_id=comp.get("companyIdent"), currency=src.get("curCode"),
            software=src.get("softwareDesc"),
            software_version=src.get("softwareVersion"), vat_number=comp.get("taxRegIdent"),
            kvk=comp.get("Commercenr"),
        )  # fmt: skip
    h.update(
        fiscal_year=src.get("fiscalYear"), start_date=src.get("startDate"), end_date=src.get("endDate"),
        date_created=src.get("dateCreated"),
    )  # fmt: skip
    return h


def _period_key(p: str | None):
    return (0, int(p), "") if p is not None and p.isdigit() else (1, 0, p or "")


def opening_figures(facts) -> dict:
    """The opening balance as the reader settles it: the openingBalance lines when there are any, else the
    transactions of period 0 (and of a jrnTp O journal); source "openingBalance", "period0" or None."""
    ob = facts.ob or {}
    if ob.get("lines", 0):
        return {"source": "openingBalance", "lines": ob["lines"], "debit": ob["sum_d"], "credit": ob["sum_c"]}
    if facts.opening_tx:
        return {
            "source": "period0",
            "lines": facts.opening_tx_lines,
            "debit": facts.opening_tx_d,
            "credit": facts.opening_tx_c,
        }
    return {"source": None, "lines": 0, "debit": 0, "credit": 0}


def build_result(path: Path, info, facts, out: Collector, schema_file: Path | None) -> dict:
    header = _header(info.version, facts)
    findings = fit_hints(out.findings(), header["software"])  # a producer's tip only on that producer's file
    tb = []
    for acc in sorted(facts.tb, key=lambda a: (a is None, a or "")):
        opening, debit, credit = facts.tb[acc]
        name = facts.accounts.get(acc, (None, None))[0]
        tb.append(
            {
                "account": acc,
                "name": name,
                "opening": format_cents(opening),
                "debit": format_cents(debit),
                "credit": format_cents(credit),
                "closing": format_cents(opening + debit - credit),
            }
        )
    journals = [
        {
            "journal": j["journal"],
            "description": j["description"],
            "kind": j["kind"],
            "transactions": j["transactions"],
            "lines": j["lines"],
            "debit": format_cents(j["debit"]),
            "credit": format_cents(j["credit"]),
        }
        for j in facts.journals.values()
    ]
    periods = [
        {"period": p, "debit": format_cents(d), "credit": format_cents(c), "lines": n}
        for p, (d, c, n) in sorted(facts.by_period.items(), key=lambda kv: _period_key(kv[0]))
    ]
    ob = facts.ob or {}
    opening = opening_figures(facts)
    counts = {
        "accounts": len(facts.accounts),
        "relations": len(facts.relations),
        "vat_codes": len(facts.vat_codes),
        "periods": len(facts.periods),
        "basics": len(facts.basics),
        "journals": len(facts.journals),
        "transactions": facts.n_tx,
        "lines": facts.n_lines,
        "opening_lines": opening["lines"],
        "opening_transactions": len(facts.opening_tx),
        "subledgers": facts.subledgers,
        "subledger_lines": facts.sb_lines,
    }
    t = facts.tx_totals
    totals = {
        "debit": format_cents(facts.sum_d),
        "credit": format_cents(facts.sum_c),
        "net": format_cents(sum(j["debit"] - j["credit"] for j in facts.journals.values())),
        "declared_debit": t.get("totalDebit"),
        "declared_credit": t.get("totalCredit"),
        "declared_lines": t.get("linesCount") or t.get("numberEntries"),
        "opening_source": opening["source"],
        "opening_debit": format_cents(opening["debit"]),
        "opening_credit": format_cents(opening["credit"]),
        "opening_declared_debit": ob.get("totalDebit"),
        "opening_declared_credit": ob.get("totalCredit"),
    }
    return {
        "file": str(path),
        "version": info.version,
        "software": header["software"],
        "encoding": info.encoding,
        "verdict": verdict(findings),
        "header": header,
        "summary": summary(findings),
        "findings": findings,
        "trial_balance": tb,
        "journals": journals,
        "periods": periods,
        "counts": counts,
        "totals": totals,
        "schema": schema_file.name if schema_file else None,
    }


def unusable_result(path: Path, out: Collector, version: str | None, info=None) -> dict:
    findings = fit_hints(out.findings(), None)  # the producer is unknown: general tips
    return {
        "file": str(path),
        "version": version,
        "software": None,
        "encoding": info.encoding if info is not None else None,
        "verdict": "unusable",
        "header": _header(version, None),
        "summary": summary(findings),
        "findings": findings,
        "trial_balance": [],
        "journals": [],
        "periods": [],
        "counts": {},
        "totals": {},
        "schema": None,
    }
