"""What ``koppel inspect`` reports: version, producer, counts and totals of an administration."""

from __future__ import annotations

from .kinds import UNKNOWN
from .model import Administration, Header
from .money import format_cents


def software_facts(h: Header) -> dict:
    """``software`` as every JSON of koppel has it (inspect, check, run, control.json): {name, version}."""
    return {"name": h.software, "version": h.software_version}


def company_facts(h: Header) -> dict:
    """``company`` as every JSON of koppel has it (inspect, check, run, control.json): {name, id, kvk, vat_number}."""
    return {"name": h.company_name, "id": h.company_id, "kvk": h.kvk, "vat_number": h.vat_number}


def source_facts(h: Header) -> dict:
    """What was read, in the shape every JSON of koppel shares: format, version, software, company."""
    return {"format": h.source_format, "version": h.source_version, "software": software_facts(h),
            "company": company_facts(h)}  # fmt: skip


def summarize(adm: Administration) -> dict:
    """Counts and totals as one JSON-ready dict (amounts as decimal strings)."""
    h = adm.header
    ob = adm.opening_balance["amount"]
    return {
        "format": h.source_format,
        "version": h.source_version,
        "software": software_facts(h),
        "encoding": h.encoding,
        "company": company_facts(h),
        "fiscal_year": h.fiscal_year,
        "start_date": h.start_date,
        "end_date": h.end_date,
        "currency": h.currency,
        "counts": {
            "accounts": len(adm.accounts),
            "relations": len(adm.relations),
            "vat_codes": len(adm.vat_codes),
            "periods": len(adm.periods),
            "journals": len(adm.journals),
            "transactions": adm.stats.transactions,
            "lines": adm.stats.lines,
            "opening_lines": len(ob),
        },
        "totals": {
            "debit": format_cents(adm.stats.debit),
            "credit": format_cents(adm.stats.credit),
            "opening_debit": format_cents(int(ob[ob > 0].sum())),
            "opening_credit": format_cents(-int(ob[ob < 0].sum())),
        },
        "opening_source": h.opening_source,
        "not_carried": adm.not_carried,
        # values koppel does not understand, kept unknown (never guessed); e.g. accounts of unknown kind
        "unknown_codes": adm.unknown_codes,
        "accounts_of_unknown_kind": _unknown_kind_ids(adm),
    }


def _unknown_kind_ids(adm: Administration) -> list[str]:
    """Ids of the accounts whose kind the source wrote in a way koppel does not know."""
    acc = adm.accounts
    return [str(a) for a in acc.loc[(acc["kind"] == UNKNOWN).fillna(False), "account_id"]]


def _fiscal_year(summary: dict) -> str:
    """``2016 (2016-01-01 .. 2016-12-31)``; what the input does not say is left out, never printed as None."""
    start, end = summary.get("start_date"), summary.get("end_date")
    span = f"{start or '?'} .. {end or '?'}" if start or end else ""
    year = summary.get("fiscal_year") or ""
    if year and span:
        return f"{year} ({span})"
    return year or span or "- (the input does not say)"


def summary_text(summary: dict) -> str:
    """The summary as a few aligned lines for a terminal."""
    c, t = summary["counts"], summary["totals"]
    software = " ".join(x for x in (summary["software"]["name"], summary["software"]["version"]) if x) or "unknown"
    rows = [
        ("format", " ".join(str(x) for x in (summary["format"], summary["version"]) if x) or "-"),
        ("software", software),
        ("company", summary["company"]["name"] or "-"),
        ("fiscal year", _fiscal_year(summary)),
        ("encoding", summary["encoding"] or "-"),
        ("accounts", c["accounts"]),
        ("relations", c["relations"]),
        ("vat codes", c["vat_codes"]),
        ("periods", c["periods"]),
        ("journals", c["journals"]),
        ("transactions", c["transactions"]),
        ("lines", c["lines"]),
        ("total debit", t["debit"]),
        ("total credit", t["credit"]),
        ("opening balance", f"{c['opening_lines']} lines, debit {t['opening_debit']}, credit {t['opening_credit']}"),
    ]
    if summary.get("opening_source") == "period0":
        rows.append(("", "opening balance taken from period-0 transactions"))
    if summary.get("not_carried"):
        rows.append(("not carried", ", ".join(f"{k} {v}" for k, v in summary["not_carried"].items())))
    for field, values in (summary.get("unknown_codes") or {}).items():
        shown = ", ".join(f"{v!r} {n}x" for v, n in values.items())
        rows.append(("unknown values", f"{field}: {shown} (kept unknown; state them in the mapping file)"))
    unknown = summary.get("accounts_of_unknown_kind") or []
    if unknown:
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        rows.append(("unknown kind", f"{len(unknown)} account(s): {', '.join(unknown[:5])}{more} -> [account_kinds]"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)
