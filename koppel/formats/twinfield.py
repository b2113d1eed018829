"""Twinfield XML: transactions (total/detail/vat lines per journal type) and dimensions DEB, CRD, BAS, PNL.

Layout: formats.md §3.6 — the web-service XML that the File manager also reads [V TW-DOC][TW-FM]. There
is no vendor XSD: koppel validates what it writes against its own ``schemas/twinfield/twinfield.xsd``, built from
the documentation and the public examples (which validate against it too).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..atomic import AtomicDir
from ..errors import KoppelError
from ..kinds import require_account_kinds
from ..model import house_number
from ..money import format_cents
from ..resources import schema_dir
from ..writejob import WriteJob, WriteResult
from .entry_rows import Entry, Row, Tally, iter_entries, out_name, records
from .xml_writing import Truncator, opt, peek, sub, validate_file, write_xml

TARGET = "twinfield"
TITLE = "Twinfield"
XSD = schema_dir() / "twinfield" / "twinfield.xsd"
CARRIED = ("entry_description", "description", "relation_id", "invoice_ref", "due_date", "vat_code")
TOTAL_KINDS = {"S", "P", "B", "C"}  # journal types whose transactions have one total line [V TW-DOC]


def compact(date: str | None) -> str | None:
    """ISO date → Twinfield's YYYYMMDD."""
    return date.replace("-", "") if date else None


def _period(year: str | None, period: str | None, opening: bool) -> str | None:
    if not year:
        return None
    if opening:
        return f"{year}/00"
    if period and period.isdigit() and 0 <= int(period) <= 99:
        return f"{year}/{int(period):02d}"
    return None


def _year(job: WriteJob, date: str | None) -> str | None:
    fy = job.adm.header.fiscal_year or ""
    return fy if len(fy) == 4 and fy.isdigit() else (date[:4] if date else None)


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


def _line(parent, row: Row, kind: str, nr: int, vat_accounts: set[str], cut: Truncator, tally: Tally) -> None:
    line = sub(parent, "line", type=kind, id=str(nr))
    sub(line, "dim1", row.account_id)
    opt(line, "dim2", row.relation_id)
    sub(line, "debitcredit", "debit" if row.amount >= 0 else "credit")
    written = format_cents(abs(row.amount))
    sub(line, "value", written)
    opt(line, "description", row.description)
    opt(line, "invoicenumber", row.invoice_ref)
    if row.vat_code and kind != "total":
        sub(line, "vatcode", row.vat_code)
    tally.add(row, written, row.amount >= 0)


def transaction_xml(job: WriteJob, entry: Entry, ctx: dict, cut: Truncator, tally: Tally) -> etree._Element:
    first = entry.first
    tx = etree.Element("transaction", destiny=ctx["destiny"], raisewarning="false")
    header = sub(tx, "header")
    sub(header, "office", ctx["office"])
    sub(header, "code", entry.journal_id)
    sub(header, "currency", ctx["currency"])
    sub(header, "date", compact(first.date))
    opt(header, "period", _period(_year(job, first.date), first.period, entry.opening))
    total = total_line(entry, ctx["offsets"])
    if total is not None and entry.kind in ("S", "P"):
        row = entry.rows[total]
        opt(header, "invoicenumber", row.invoice_ref)
        opt(header, "duedate", compact(row.due_date))
    lines = sub(tx, "lines")
    order = ([total] if total is not None else []) + [i for i in range(len(entry.rows)) if i != total]
    for nr, i in enumerate(order, start=1):
        row = entry.rows[i]
        if i == total:
            kind = "total"
        elif total is not None and row.account_id in ctx["vat_accounts"] and row.vat_code:
            kind = "vat"
        else:
            kind = "detail"
        _line(lines, row, kind, nr, ctx["vat_accounts"], cut, tally)
    if total is None and not entry.opening and entry.kind in TOTAL_KINDS:
        ctx["memorial"] += 1
    tally.entries += 1
    return tx


def dimensions_gl(job: WriteJob, office: str, cut: Truncator, result: WriteResult) -> list[etree._Element]:
    out = []
    accounts = job.accounts()
    require_account_kinds(accounts.assign(source_account_id=job.adm.accounts["account_id"].to_numpy()), "Twinfield")
    mixed = int((accounts["kind"] == "M").sum())
    if mixed:
        result.notes.append(f"{mixed} account(s) of kind M (mixed) written as balance accounts (BAS); check them")
    for r in records(accounts):
        dim = etree.Element("dimension")
        sub(dim, "office", office)
        sub(dim, "type", "PNL" if r["kind"] == "P" else "BAS")
        sub(dim, "code", r["account_id"])
        sub(dim, "name", r["name"] or r["account_id"])
        out.append(dim)
    result.count("accounts", len(out))
    return out


def dimensions_relations(job: WriteJob, office: str, cut: Truncator, result: WriteResult) -> list[etree._Element]:
    out = []
    written = 0
    for r in records(job.relations()):
        kinds = {"customer": ["DEB"], "supplier": ["CRD"], "both": ["DEB", "CRD"]}.get(r["kind"] or "", ["DEB"])
        for kind in kinds:
            dim = etree.Element("dimension")
            sub(dim, "office", office)
            sub(dim, "type", kind)
            sub(dim, "code", r["relation_id"])
            sub(dim, "name", r["name"] or r["relation_id"])
            opt(dim, "website", r["website"])
            opt(dim, "cocnumber", r["kvk"])
            opt(dim, "vatnumber", r["vat_number"])
            if r["payment_days"] or r["control_account"]:
                fin = sub(dim, "financials")
                opt(fin, "duedays", r["payment_days"])
                if r["control_account"]:
                    sub(sub(fin, "childvalidations"), "childvalidation", r["control_account"], type="code", level="1")
            addresses = sub(dim, "addresses")
            addr = sub(addresses, "address", type="invoice", default="true")
            sub(addr, "name", r["name"] or r["relation_id"])
            opt(addr, "contact", r["contact"])
            opt(addr, "country", r["country"])
            opt(addr, "city", r["city"])
            opt(addr, "postcode", r["postal_code"])
            opt(addr, "telephone", r["phone"])
            opt(addr, "email", r["email"])
            street = " ".join(x for x in (r["street"], house_number(r["house_nr"], r["house_nr_addition"])) if x)
            opt(addr, "field2", street or None)
            if r["iban"]:
                bank = sub(sub(dim, "banks"), "bank", default="true")
                sub(bank, "ascription", r["name"] or r["relation_id"])
                opt(bank, "biccode", r["bic"])
                sub(bank, "iban", r["iban"].replace(" ", ""))
            out.append(dim)
        written += 1
    result.count("relations", written)
    return out


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
    ctx = {
        "office": office,
        "destiny": destiny,
        "currency": adm.header.currency or "EUR",
        "vat_accounts": vat_accounts,
        "offsets": offsets,
        "memorial": 0,
    }
    written: dict[str, Path] = {}

    def emit(content: str, root: str, items) -> None:
        items = peek(items)
        if items is None:
            return
        name = out_name(job, TARGET, content, "xml")
        written[name] = out.path(name)
        write_xml(written[name], root, items)

    emit("grootboek", "dimensions", dimensions_gl(job, office, cut, result))
    emit("relaties", "dimensions", dimensions_relations(job, office, cut, result))
    emit("boekingen", "transactions", (transaction_xml(job, e, ctx, cut, tally) for e in iter_entries(job)))
    tally.close()
    cut.report(result)
    if ctx["memorial"]:
        result.notes.append(
            f"{ctx['memorial']} sales/purchase/bank entries have no single relation or bank line and were written "
            "with detail lines only; book them in a memorial journal or map their journal"
        )
    for name, path in written.items():
        validate_file(path, XSD, shown_as=name)
    result.files.extend(written)
    from .instructions import render_instructions

    result.files.append(render_instructions(out, job, TARGET, list(written), result))
    booked = written.get(out_name(job, TARGET, "boekingen", "xml"))
    if booked is not None:
        from .twinfield_reader import cents_by_account

        result.read_back = lambda: cents_by_account(booked)
    return result
