"""AFAS Profit: financial entries in the shape of the UpdateConnector FiEntries XML (formats.md §3.9).

AFAS's own file import ("Financiële mutaties") runs through a user import definition whose field list is not
public, so koppel writes the connector's FiEntries shape [V AFAS-CON]: one ``FiEntryPar/Element`` per entry,
one ``FiEntries/Element`` per line; field codes per PracticalAfas [3P]. A line on a control account that
carries a relation becomes a debtor (VaAs 2) or creditor (VaAs 3) line; everything else is a GL line (VaAs 1).
The file is written from its layout, ``schemas/afas/fientries.toml`` (checked against koppel's own
``afas_fientries.xsd`` before publishing); what follows are the hooks it names and the writer that runs it.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import AtomicDir
from ..layouts.xml_layout import load_xml_layout
from ..layouts.xml_writer import XmlFileWriter, validate
from ..writejob import WriteJob, WriteResult
from .entry_rows import Entry, Row, Tally, iter_entries, records
from .xml_reading import cents, child_text, iter_records

TARGET = "afas"
TITLE = "AFAS Profit"
CARRIED = (
    "entry_description", "description", "relation_id", "doc_ref", "invoice_ref", "effective_date", "due_date",
    "vat_code", "currency_amount",
)  # fmt: skip
WHY = {"relation_id": "the line is not on a debtor/creditor control account; set --option control_accounts=1300,1600"}


# -- hooks of schemas/afas/fientries.toml: what the layout cannot say as data ---------------------------------


def year(state: dict, entry: Entry, row: Row, n: int) -> str:
    """Year: the fiscal year, or the year of the entry's date."""
    fy = state["job"].adm.header.fiscal_year or ""
    return fy if len(fy) == 4 and fy.isdigit() else (row.date or "0000")[:4]


def period(state: dict, entry: Entry, row: Row, n: int) -> str:
    """Peri: the entry's period as a number; 0 for the opening balance (and for a period that is not one)."""
    return "0" if entry.opening or not (row.period and row.period.isdigit()) else str(int(row.period))


def _side(state: dict, entry: Entry, row: Row) -> str:
    """VaAs: a line on a control account that names a relation is a creditor (3) or debtor (2) line; else GL (1)."""
    if not (row.relation_id and row.account_id in state["control"]):
        return "1"
    kind = state["kinds"].get(row.relation_id, "customer")
    return "3" if kind == "supplier" or (kind == "both" and entry.kind == "P") else "2"


def account_kind(state: dict, entry: Entry, row: Row, n: int) -> str:
    return _side(state, entry, row)


def account_number(state: dict, entry: Entry, row: Row, n: int) -> str:
    """AcNr: the relation on a debtor/creditor line, else the account (a relation it names is not carried, and
    counted here: the layout reads this hook once per line, so a second element reading it would count twice)."""
    if _side(state, entry, row) != "1":
        return row.relation_id or ""
    if row.relation_id:
        state["relation_on_gl"] += 1
    return row.account_id


def booked_on(state: dict, entry: Entry, row: Row, n: int) -> str:
    """What the money proof counts a line on (see :func:`line_key`)."""
    side = _side(state, entry, row)
    return line_key(side, row.relation_id if side != "1" else row.account_id)


def foreign(state: dict, entry: Entry, row: Row, n: int) -> bool:
    """CuId and AmDc/AmCc: only for an amount in another currency than the administration's."""
    return bool(row.currency) and row.currency != state["currency"] and row.currency_amount is not None


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
    state = {
        "job": job,
        "unit": str(job.option("unit", "1")),
        "currency": adm.header.currency or "EUR",
        "control": control,
        "kinds": {r["relation_id"]: r["kind"] for r in relations},
        "relation_on_gl": 0,
    }
    names = []
    layout = load_xml_layout(TARGET, "fientries")
    name = layout.file_name(job.admin_name)
    path = XmlFileWriter(layout, state, tally=tally).write(lambda: out.path(name), iter_entries(job))
    if path is not None:
        validate(layout, path, job, shown_as=name)
        names.append(name)
        result.read_back = lambda: cents_by_account(path)
    tally.close()
    result.drop("lines.relation_id", state["relation_on_gl"], WHY["relation_id"])
    result.drop("relations", len(relations), "AFAS relations go through 'Organisaties en personen' (fields not public)")
    result.drop("accounts", len(adm.accounts), "the AFAS chart of accounts is set up in Profit, not imported here")
    if not job.option("unit"):
        result.notes.append("UnId (administration number) 1 assumed; pass --option unit=N")
    from .instructions import render_instructions

    result.files.extend(names)
    result.files.append(render_instructions(out, job, TARGET, names, result))
    return result
