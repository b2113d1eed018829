"""Twinfield XML: transactions (total/detail/vat lines per journal type) and dimensions DEB, CRD, BAS, PNL.

Layout: formats.md §3.6 — the web-service XML that the File manager also reads [V TW-DOC][TW-FM]. There
is no vendor XSD: koppel validates what it writes against its own ``schemas/twinfield/twinfield.xsd``, built from
the documentation and the public examples (which validate against it too). The files are written from their
layouts (``schemas/twinfield/grootboek.toml``, ``relaties.toml``, ``boekingen.toml``); this module prepares
their records and holds the hooks they name.
"""

from __future__ import annotations

from ..atomic import AtomicDir
from ..errors import KoppelError
from ..kinds import require_account_kinds
from ..layouts.xml_writer import LayoutFiles, validate
from ..model import house_number
from ..writejob import WriteJob, WriteResult
from .entry_rows import Entry, Row, Tally, iter_entries, records
from .xml_writing import Truncator

TARGET = "twinfield"
TITLE = "Twinfield"
CARRIED = ("entry_description", "description", "relation_id", "invoice_ref", "due_date", "vat_code")
TOTAL_KINDS = {"S", "P", "B", "C"}  # journal types whose transactions have one total line [V TW-DOC]


def compact(date: str | None) -> str | None:
    """ISO date → Twinfield's YYYYMMDD."""
    return date.replace("-", "") if date else None


def total_line(entry: Entry, offsets: dict[str, str]) -> int | None:
    """Index of the line that is the transaction's total: the one relation line (sales/purchases) or the one
    line on the journal's bank/cash account; None when the entry is written as a memorial."""
    if entry.opening or entry.kind not in TOTAL_KINDS:
        return None
    if entry.kind in ("S", "P"):
        candidates = [i for i, r in enumerate(entry.rows) if r.relation_id]
    else:
        offset = offsets.get(entry.journal_id)
        candidates = [i for i, r in enumerate(entry.rows) if offset and r.account_id == offset]
    return candidates[0] if len(candidates) == 1 else None


def relation_dimensions(job: WriteJob, result: WriteResult) -> list[dict]:
    """One dimension per relation and type: DEB for a customer, CRD for a supplier, both for both (else DEB)."""
    out = []
    relations = records(job.relations())
    for r in relations:
        kinds = {"customer": ["DEB"], "supplier": ["CRD"], "both": ["DEB", "CRD"]}.get(r["kind"] or "", ["DEB"])
        out.extend({**r, "dimension_type": kind} for kind in kinds)
    result.count("relations", len(relations))
    return out


def gl_dimensions(job: WriteJob, result: WriteResult) -> list[dict]:
    """The GL accounts, each with a kind (BAS or PNL)."""
    accounts = job.accounts()
    require_account_kinds(accounts.assign(source_account_id=job.adm.accounts["account_id"].to_numpy()), "Twinfield")
    mixed = int((accounts["kind"] == "M").sum())
    if mixed:
        result.notes.append(f"{mixed} account(s) of kind M (mixed) written as balance accounts (BAS); check them")
    out = records(accounts)
    result.count("accounts", len(out))
    return out


# -- hooks of schemas/twinfield/*.toml --------------------------------------------------------------------------


def street(state: dict, rec: dict, row: dict, n: int) -> str | None:
    """address/field2: street and house number in one field."""
    return " ".join(x for x in (rec["street"], house_number(rec["house_nr"], rec["house_nr_addition"])) if x) or None


def iban(state: dict, rec: dict, row: dict, n: int) -> str | None:
    """bank/iban: the IBAN without spaces."""
    return rec["iban"].replace(" ", "") if rec["iban"] else None


def line_order(state: dict, entry: Entry, row: Row, n: int) -> list[Row]:
    """The lines as written: the total line first (remembered for the header and the line types)."""
    total = total_line(entry, state["offsets"])
    state["total"] = entry.rows[total] if total is not None else None
    if total is None:
        if not entry.opening and entry.kind in TOTAL_KINDS:
            state["memorial"] += 1
        return entry.rows
    return [entry.rows[total], *(r for i, r in enumerate(entry.rows) if i != total)]


def period(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """header/period: YYYY/MM of the fiscal year (or the date's year); the opening balance is period 00."""
    fy = state["job"].adm.header.fiscal_year or ""
    year = fy if len(fy) == 4 and fy.isdigit() else (row.date[:4] if row.date else None)
    if not year:
        return None
    if entry.opening:
        return f"{year}/00"
    if row.period and row.period.isdigit() and 0 <= int(row.period) <= 99:
        return f"{year}/{int(row.period):02d}"
    return None


def _relation_total(state: dict, entry: Entry) -> Row | None:
    return state["total"] if entry.kind in ("S", "P") else None


def header_invoice(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """header/invoicenumber: the invoice of a sales or purchase transaction's relation line."""
    total = _relation_total(state, entry)
    return total.invoice_ref if total is not None else None


def header_due(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """header/duedate: the due date of a sales or purchase transaction's relation line."""
    total = _relation_total(state, entry)
    return compact(total.due_date) if total is not None else None


def line_type(state: dict, entry: Entry, row: Row, n: int) -> str:
    """line/@type: total (see :func:`total_line`), vat (a VAT account's line with a code, beside a total) or
    detail."""
    total = state["total"]
    if row is total:
        return "total"
    if total is not None and row.account_id in state["vat_accounts"] and row.vat_code:
        return "vat"
    return "detail"


def not_total(state: dict, entry: Entry, row: Row, n: int) -> bool:
    """vatcode: not on the total line."""
    return row is not state["total"]


def write_twinfield(adm, out: AtomicDir, job: WriteJob) -> WriteResult:
    """Write dimensions (GL accounts, relations) and transactions; validate each against our XSD."""
    result = WriteResult()
    cut = Truncator(job.flag("truncate"), TITLE)
    tally = Tally(result, TITLE, CARRIED)
    office = str(job.option("office", "") or adm.header.company_id or "").strip()
    if not job.option("office") and office:
        result.notes.append(f"office code {office!r} taken from the source's company id; pass --option office=CODE")
    if not office:
        raise KoppelError(
            "Twinfield needs the office code of the target administration",
            field="office",
            hint="pass --option office=CODE (Twinfield: Administratie > code), or [options] office in the mapping",
        )
    destiny = str(job.option("destiny", "temporary"))
    if destiny not in ("temporary", "final"):
        raise KoppelError(f"destiny {destiny!r} is not temporary or final", field="destiny")
    vat = job.vat_codes()
    vat_accounts = {str(v) for col in ("pay_account", "claim_account") for v in vat[col].dropna()}
    journals = job.journals()
    offsets = {str(a): str(b) for a, b in zip(journals["journal_id"], journals["offset_account"], strict=True)
               if isinstance(a, str) and isinstance(b, str)}  # fmt: skip
    state = {
        "job": job,
        "office": office,
        "destiny": destiny,
        "currency": adm.header.currency or "EUR",
        "vat_accounts": vat_accounts,
        "offsets": offsets,
        "memorial": 0,
        "total": None,
    }
    files = LayoutFiles(TARGET, out, job.admin_name, state, cut, tally)
    write, written = files.write, files.written

    write("grootboek", gl_dimensions(job, result))
    write("relaties", relation_dimensions(job, result))
    write("boekingen", iter_entries(job))
    tally.close()
    cut.report(result)
    if state["memorial"]:
        result.notes.append(
            f"{state['memorial']} sales/purchase/bank entries have no single relation or bank line and were written "
            "with detail lines only; book them in a memorial journal or map their journal"
        )
    for name, (path, layout) in written.items():
        validate(layout, path, job, shown_as=name)
    result.files.extend(written)
    from .instructions import render_instructions

    result.files.append(render_instructions(out, job, TARGET, list(written), result))
    booked = files.path("boekingen")
    if booked is not None:
        from .twinfield_reader import cents_by_account

        result.read_back = lambda: cents_by_account(booked)
    return result
