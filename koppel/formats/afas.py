"""AFAS Profit: financial entries in the shape of the UpdateConnector FiEntries XML (formats.md §3.9).

AFAS's own file import ("Financiële mutaties") runs through a user import definition whose field list is not
public, so koppel writes the connector's FiEntries shape [V AFAS-CON]: one ``FiEntryPar/Element`` per entry,
one ``FiEntries/Element`` per line; field codes per PracticalAfas [3P]. A line on a control account that
carries a relation becomes a debtor (VaAs 2) or creditor (VaAs 3) line; everything else is a GL line (VaAs 1).
The output is checked against koppel's own ``schemas/afas/afas_fientries.xsd`` before publishing.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..atomic import AtomicDir
from ..money import format_cents
from ..resources import schema_dir
from ..writejob import WriteJob, WriteResult
from .entry_rows import Entry, Tally, iter_entries, out_name, records
from .xml_reading import cents, child_text, iter_records
from .xml_writing import opt, peek, sub, validate_file, write_xml

TARGET = "afas"
TITLE = "AFAS Profit"
XSD = schema_dir() / "afas" / "afas_fientries.xsd"
CARRIED = (
    "entry_description", "description", "relation_id", "doc_ref", "invoice_ref", "effective_date", "due_date",
    "vat_code", "currency_amount",
)  # fmt: skip
WHY = {"relation_id": "the line is not on a debtor/creditor control account; set --option control_accounts=1300,1600"}


def _year(job: WriteJob, date: str | None) -> str:
    fy = job.adm.header.fiscal_year or ""
    return fy if len(fy) == 4 and fy.isdigit() else (date or "0000")[:4]


def entry_xml(job: WriteJob, entry: Entry, ctx: dict, tally: Tally) -> etree._Element:
    first = entry.first
    el = etree.Element("Element")
    fields = sub(el, "Fields", Action="insert")
    sub(fields, "Year", _year(job, first.date))
    period = first.period if first.period and first.period.isdigit() else "0"
    sub(fields, "Peri", "0" if entry.opening else str(int(period)))
    sub(fields, "UnId", ctx["unit"])
    sub(fields, "JoCo", entry.journal_id)
    container = sub(sub(el, "Objects"), "FiEntries")
    for row in entry.rows:
        line = sub(sub(container, "Element"), "Fields", Action="insert")
        subledger = row.relation_id and row.account_id in ctx["control"]
        if subledger:
            kind = ctx["kinds"].get(row.relation_id, "customer")
            supplier = kind == "supplier" or (kind == "both" and entry.kind == "P")
            sub(line, "VaAs", "3" if supplier else "2")
            sub(line, "AcNr", row.relation_id)
        else:
            sub(line, "VaAs", "1")
            sub(line, "AcNr", row.account_id)
            if row.relation_id:
                ctx["relation_on_gl"] += 1
        sub(line, "EnDa", row.date or first.date)
        opt(line, "BpDa", row.effective_date)
        opt(line, "BpNr", row.doc_ref)
        opt(line, "InId", row.invoice_ref)
        opt(line, "Ds", row.description or first.entry_description)
        opt(line, "DaEx", row.due_date)
        written = format_cents(abs(row.amount))
        sub(line, "AmDe" if row.amount >= 0 else "AmCr", written)
        opt(line, "VaId", row.vat_code)
        if row.currency and row.currency != ctx["currency"] and row.currency_amount is not None:
            sub(line, "CuId", row.currency)
            sub(line, "AmDc" if row.currency_amount >= 0 else "AmCc", format_cents(abs(row.currency_amount)))
        # a debtor/creditor line names the relation, not the account: AFAS books it on the relation's collective
        tally.add(row, written, row.amount >= 0, target=line_key(line.findtext("VaAs"), line.findtext("AcNr")))
    tally.entries += 1
    return el


def line_key(kind: str | None, number: str | None) -> str:
    """What a FiEntries line is booked on: the GL account (VaAs 1), or the debtor (2) or creditor (3)."""
    return {"2": "debiteur ", "3": "crediteur "}.get(kind or "1", "") + (number or "")


def cents_by_account(path: Path) -> dict[str, int]:
    """Money per :func:`line_key` in a written FiEntries file (the read-back of the money proof)."""
    out: dict[str, int] = {}
    for line in iter_records(path, {"Fields"}, {"Element"}):
        if line.getparent().getparent().tag != "FiEntries":
            continue
        debit, credit = child_text(line, "AmDe"), child_text(line, "AmCr")
        value = cents(debit or credit, path, line.sourceline, "AmDe" if debit else "AmCr")
        key = line_key(child_text(line, "VaAs"), child_text(line, "AcNr"))
        out[key] = out.get(key, 0) + (value if debit else -value)
    return out


def write_afas(adm, out: AtomicDir, job: WriteJob) -> WriteResult:
    """Write ``<admin>_afas_FiEntries.xml`` and check it against our schema."""
    result = WriteResult()
    tally = Tally(result, TITLE, CARRIED)
    relations = records(job.relations())
    control = {r["control_account"] for r in relations if r["control_account"]}
    control |= {c.strip() for c in str(job.option("control_accounts", "") or "").split(",") if c.strip()}
    ctx = {
        "unit": str(job.option("unit", "1")),
        "currency": adm.header.currency or "EUR",
        "control": control,
        "kinds": {r["relation_id"]: r["kind"] for r in relations},
        "relation_on_gl": 0,
    }
    names = []
    entries = peek(entry_xml(job, e, ctx, tally) for e in iter_entries(job))
    if entries is not None:
        name = out_name(job, TARGET, "FiEntries", "xml")
        path = out.path(name)
        write_xml(path, "FiEntryPar", entries)
        validate_file(path, XSD, shown_as=name)
        names.append(name)
        result.read_back = lambda: cents_by_account(path)
    tally.close()
    result.drop("lines.relation_id", ctx["relation_on_gl"], WHY["relation_id"])
    result.drop("relations", len(relations), "AFAS relations go through 'Organisaties en personen' (fields not public)")
    result.drop("accounts", len(adm.accounts), "the AFAS chart of accounts is set up in Profit, not imported here")
    if not job.option("unit"):
        result.notes.append("UnId (administration number) 1 assumed; pass --option unit=N")
    from .instructions import render_instructions

    result.files.extend(names)
    result.files.append(render_instructions(out, job, TARGET, names, result))
    return result
