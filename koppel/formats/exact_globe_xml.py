"""Exact Globe eExact XML, topic FinEntries (financial entries), written from its layout.

The layout, ``schemas/exact-globe/finentries.toml``, holds element names, order and types from Exact's eExact
schema for Globe [V EG-XSD]; the choices of journal type, Debtor/Creditor and references are ours [A]. What
follows are the hooks the layout names and the writer that runs it; the file is validated against that XSD
when ``--option schema_dir=DIR`` is given (tests always do).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..atomic import AtomicDir
from ..layouts.xml_layout import load_xml_layout
from ..layouts.xml_writer import XmlFileWriter, validate
from ..writejob import WriteJob, WriteResult
from .entry_rows import Entry, Row, Tally, iter_entries, journal_names, records
from .xml_writing import Truncator

TARGET = "exact-globe"
TITLE = "Exact Globe"
CARRIED = (
    "entry_description", "description", "relation_id", "invoice_ref", "vat_code", "currency_amount",
    "cost_center", "cost_unit", "project", "quantity",
)  # fmt: skip


# -- hooks of schemas/exact-globe/finentries.toml ---------------------------------------------------------------


def journal_name(state: dict, entry: Entry, row: Row, n: int) -> str:
    """Journal/Description: the journal's name, or its code when it has none."""
    return state["jnames"].get(entry.journal_id) or entry.journal_id


def fin_year(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """FinYear: the administration's fiscal year, else the year of the line's date."""
    fy = state["job"].adm.header.fiscal_year or ""
    return fy if len(fy) == 4 and fy.isdigit() else (row.date[:4] if row.date else None)


def fin_period(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """FinPeriod: the line's period from 1 on; none on the opening balance."""
    if not entry.opening and row.period and row.period.isdigit() and int(row.period) >= 1:
        return str(int(row.period))
    return None


def _supplier(state: dict, entry: Entry, row: Row) -> bool:
    kind = state["kinds"].get(row.relation_id, "customer")
    return kind == "supplier" or (kind == "both" and entry.kind == "P")


def debtor(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """Debtor/@code: a relation that is a customer (a relation of both kinds outside a purchase entry)."""
    return row.relation_id if row.relation_id and not _supplier(state, entry, row) else None


def creditor(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """Creditor/@code: a relation that is a supplier (or of both kinds, in a purchase entry)."""
    return row.relation_id if row.relation_id and _supplier(state, entry, row) else None


def quantity(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """Quantity: only a quantity that is a number (the schema's type)."""
    if not row.quantity:
        return None
    try:
        float(row.quantity)
    except ValueError:
        return None
    return row.quantity


def foreign(state: dict, entry: Entry, row: Row, n: int) -> bool:
    """ForeignAmount: only for an amount in another currency than the administration's."""
    return bool(row.currency and row.currency != state["currency"] and row.currency_amount)


def rate(state: dict, entry: Entry, row: Row, n: int) -> str:
    """Exchange rate (administration currency per unit of foreign currency), 6 decimals."""
    ratio = Decimal(abs(row.amount)) / Decimal(abs(row.currency_amount or 0))
    return str(ratio.quantize(Decimal("0.000001"), ROUND_HALF_UP))


def write_exact_globe_xml(adm, out: AtomicDir, job: WriteJob, result: WriteResult) -> list[str]:
    """Write ``<admin>_exact-globe_FinEntries.xml``; returns the names written."""
    cut = Truncator(job.flag("truncate"), TITLE)
    tally = Tally(result, TITLE, CARRIED)
    state = {
        "job": job,
        "currency": adm.header.currency or "EUR",
        "jnames": journal_names(job),
        "kinds": {r["relation_id"]: r["kind"] for r in records(job.relations())},
    }
    layout = load_xml_layout(TARGET, "finentries")
    name = layout.file_name(job.admin_name)
    names = []
    path = XmlFileWriter(layout, state, cut, tally).write(lambda: out.path(name), iter_entries(job))
    if path is not None:
        names.append(name)
        if validate(layout, path, job, shown_as=name):
            result.notes.append("FinEntries validated against the Exact Globe XSD")
    tally.close()
    cut.report(result)
    return names
