"""Exact Globe eExact XML, topic FinEntries (financial entries), in the element order of the Globe schema.

Layout: element names, order and types from Exact's eExact schema for Globe [V EG-XSD]; the choices of
journal type, Debtor/Creditor and references are ours [A]. Validated against that XSD when
``--option schema_dir=DIR`` is given (tests always do).
"""

from __future__ import annotations

from lxml import etree

from ..atomic import AtomicDir
from ..money import format_cents
from ..writejob import WriteJob, WriteResult
from .entry_rows import Entry, Tally, iter_entries, journal_names, out_name, records
from .xml_writing import Truncator, find_schema, opt, peek, sub, validate_file, write_xml

TARGET = "exact-globe"
TITLE = "Exact Globe"
JOURNAL_TYPE = {"S": "V", "P": "I", "B": "B", "C": "K"}  # XAF jrnTp -> Globe Journal/@type [A]; else M
CARRIED = (
    "entry_description", "description", "relation_id", "invoice_ref", "vat_code", "currency_amount",
    "cost_center", "cost_unit", "project", "quantity",
)  # fmt: skip


def _fin_year(job: WriteJob, date: str | None) -> str | None:
    fy = job.adm.header.fiscal_year or ""
    return fy if len(fy) == 4 and fy.isdigit() else (date[:4] if date else None)


def fin_entry(job: WriteJob, entry: Entry, ctx: dict, cut: Truncator, tally: Tally) -> etree._Element:
    first = entry.first
    fe = etree.Element("FinEntry", entry=entry.entry_nr)
    opt(fe, "Date", first.date)
    jtype = "M" if entry.opening else JOURNAL_TYPE.get(entry.kind or "", "M")
    journal = sub(fe, "Journal", code=entry.journal_id, type=jtype)
    sub(journal, "Description", ctx["jnames"].get(entry.journal_id) or entry.journal_id)
    for i, row in enumerate(entry.rows, start=1):
        line = sub(fe, "FinEntryLine", number=str(i), type="N")
        sub(line, "Date", row.date or first.date)
        year = _fin_year(job, row.date)
        if year:
            sub(line, "FinYear", number=year)
        if not entry.opening and row.period and row.period.isdigit() and int(row.period) >= 1:
            sub(line, "FinPeriod", number=str(int(row.period)))
        sub(line, "GLAccount", code=row.account_id)
        opt(line, "Description", row.description or first.entry_description)
        if row.cost_center:
            sub(line, "Costcenter", code=row.cost_center)
        if row.cost_unit:
            sub(line, "Costunit", code=row.cost_unit)
        if row.relation_id:
            kind = ctx["kinds"].get(row.relation_id, "customer")
            supplier = kind == "supplier" or (kind == "both" and entry.kind == "P")
            sub(line, "Creditor" if supplier else "Debtor", code=row.relation_id)
        if row.project:
            sub(line, "Project", code=row.project)
        if row.quantity and _number(row.quantity):
            sub(line, "Quantity", row.quantity)
        amount = sub(line, "Amount")
        sub(amount, "Currency", code=ctx["currency"])
        written = format_cents(abs(row.amount))
        sub(amount, "Debit" if row.amount >= 0 else "Credit", written)
        if row.vat_code:
            sub(amount, "VAT", code=row.vat_code)
        if row.currency and row.currency != ctx["currency"] and row.currency_amount:
            foreign = sub(line, "ForeignAmount")
            sub(foreign, "Currency", code=row.currency)
            sub(foreign, "Debit" if row.currency_amount >= 0 else "Credit", format_cents(abs(row.currency_amount)))
            sub(foreign, "Rate", _rate(row.amount, row.currency_amount))
        if row.invoice_ref:
            sub(sub(line, "FinReferences"), "YourRef", row.invoice_ref)
        tally.add(row, written, row.amount >= 0)
    tally.entries += 1
    return fe


def _rate(amount: int, foreign: int) -> str:
    """Exchange rate (administration currency per unit of foreign currency), 6 decimals."""
    from decimal import ROUND_HALF_UP, Decimal

    return str((Decimal(abs(amount)) / Decimal(abs(foreign))).quantize(Decimal("0.000001"), ROUND_HALF_UP))


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write_exact_globe_xml(adm, out: AtomicDir, job: WriteJob, result: WriteResult) -> list[str]:
    """Write ``<admin>_exact-globe_FinEntries.xml``; returns the names written."""
    cut = Truncator(job.flag("truncate"), TITLE)
    tally = Tally(result, TITLE, CARRIED)
    ctx = {
        "currency": adm.header.currency or "EUR",
        "jnames": journal_names(job),
        "kinds": {r["relation_id"]: r["kind"] for r in records(job.relations())},
    }
    entries = peek(fin_entry(job, e, ctx, cut, tally) for e in iter_entries(job))
    names = []
    if entries is not None:
        name = out_name(job, TARGET, "FinEntries", "xml")
        path = out.path(name)
        write_xml(path, "eExact", entries, wrapper="FinEntries")
        names.append(name)
        schema_dir = job.option("schema_dir")
        if schema_dir:
            validate_file(path, find_schema(schema_dir, "FinEntries", prefer="globe"), shown_as=name)
            result.notes.append("FinEntries validated against the Exact Globe XSD")
    tally.close()
    cut.report(result)
    return names
