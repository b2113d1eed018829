"""King XML: KING_JOURNAAL, KING_DEBITEUREN, KING_CREDITEUREN, KING_GROOTBOEKREKENINGEN.

Layout: formats.md §3.7 — element names, lengths and types from King's XSDs [V KING-XSD]. Record children
are ``xs:all`` (any order). Relation and GL account numbers must be integers (≤ 10 digits); a code that
is not is an error naming it, unless the mapping renumbers it. Entry numbers (JP_STUKNUMMER) must be
integers below 10^10: non-numeric numbers are an error unless ``--option entry_numbers=renumber``.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..atomic import AtomicDir
from ..errors import KoppelError
from ..identity import first_merge, merge_error
from ..kinds import require_account_kinds
from ..model import house_number
from ..money import format_cents
from ..writejob import WriteJob, WriteResult
from .entry_rows import Entry, Tally, iter_entries, out_name, records
from .xml_writing import Truncator, find_schema, opt, peek, sub, validate_file

TARGET = "king"
TITLE = "King"
CARRIED = ("entry_description", "description", "invoice_ref", "effective_date", "due_date")
WHY = {
    "relation_id": "unconfirmed how King addresses a debtor/creditor on a journal line; it keeps its GL account",
    "vat_code": "the VAT is its own line; King's HULPREKENING BTW would add VAT again",
    "currency_amount": "King's line has one amount (JR_VALUTABEDRAG); koppel writes it in the administration currency",
}
MAX_AMOUNT = 10**12 - 1  # decimal(12,2): 9 999 999 999.99
FILES = {  # content -> (root, list element, record element)
    "grootboek": ("KING_GROOTBOEKREKENINGEN", "GROOTBOEKREKENINGEN", "REKENING"),
    "debiteuren": ("KING_DEBITEUREN", "DEBITEUREN", "DEBITEUR"),
    "crediteuren": ("KING_CREDITEUREN", "CREDITEUREN", "CREDITEUR"),
    "journaal": ("KING_JOURNAAL", "BOEKINGSGANGEN", "BOEKINGSGANG"),
}


def king_number(code: str, what: str, section: str, digits: int = 10) -> str:
    """A King number: digits only, at most ``digits`` long; anything else names the code and the fix."""
    if code.isdigit() and len(code.lstrip("0") or "0") <= digits:
        return str(int(code))
    raise KoppelError(
        f"{what} {code!r} is not a number of at most {digits} digits, which King requires",
        field=section,
        hint=f'renumber it in the mapping file: [{section}] "{code}" = "12345"',
    )


def check_numbers(codes, what: str, section: str) -> None:
    """Fail once, naming the first code that is not a King number and how many more there are."""
    bad = [c for c in codes if c and not (c.isdigit() and len(c.lstrip("0") or "0") <= 10)]
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise KoppelError(
            f"{what} {bad[0]!r}{more} is not a number of at most 10 digits, which King requires",
            field=section,
            hint=f'renumber it in the mapping file: [{section}] "{bad[0]}" = "12345"',
        )


def check_distinct(sources, codes, what: str, section: str) -> None:
    """Two codes that King would store as one number (``01000`` and ``1000``) are refused, naming both."""
    merged = first_merge((s or "", c, king_number(c, what, section)) for s, c in zip(sources, codes, strict=True) if c)
    if merged is not None:
        raise merge_error(what, section, TITLE, merged[0], merged[1], {c for c in codes if c}, "number")


def gl_records(job: WriteJob, cut: Truncator, result: WriteResult) -> list[etree._Element]:
    out = []
    frame = job.accounts()
    require_account_kinds(frame.assign(source_account_id=job.adm.accounts["account_id"].to_numpy()), "King")
    accounts = records(frame)
    check_numbers([r["account_id"] for r in accounts], "account", "accounts")
    mixed = sum(1 for r in accounts if r["kind"] == "M")
    if mixed:
        result.notes.append(f"{mixed} account(s) of kind M (mixed) written as balance accounts (BAL); check them")
    check_distinct(job.adm.accounts["account_id"], [r["account_id"] for r in accounts], "account", "accounts")
    for r in accounts:
        rek = etree.Element("REKENING")
        sub(rek, "RKS_NUMMER", king_number(r["account_id"], "account", "accounts"))
        opt(rek, "RKS_OMSCHRIJVING", cut(r["name"], 40, "RKS_OMSCHRIJVING", r["account_id"]))
        sub(rek, "RKS_SOORT", "RES" if r["kind"] == "P" else "BAL")  # M (mixed) is a balance account in King
        out.append(rek)
    result.count("accounts", len(out))
    return out


def relation_records(job: WriteJob, kind: str, cut: Truncator) -> list[etree._Element]:
    """Debtors (customer, both) or creditors (supplier, both)."""
    wanted = {"DEBITEUR": ("customer", "both", "other"), "CREDITEUR": ("supplier", "both")}[kind]
    out = []
    mapped = records(job.relations())
    keep = [(r["kind"] or "other") in wanted for r in mapped]
    relations = [r for r, k in zip(mapped, keep, strict=True) if k]
    check_numbers([r["relation_id"] for r in relations], "relation", "relations")
    sources = [s for s, k in zip(job.adm.relations["relation_id"], keep, strict=True) if k]
    check_distinct(sources, [r["relation_id"] for r in relations], "relation", "relations")
    for r in relations:
        if (r["kind"] or "other") not in wanted:
            continue
        code = r["relation_id"]
        rec = etree.Element(kind)
        sub(rec, "NAW_NUMMER", king_number(code, "relation", "relations"))
        opt(rec, "NAW_BTWNUMMER", cut(r["vat_number"], 15, "NAW_BTWNUMMER", code))
        opt(rec, "NAW_KVKNUMMER", cut(r["kvk"], 40, "NAW_KVKNUMMER", code))
        opt(rec, "NAW_WEBSITE", cut(r["website"], 250, "NAW_WEBSITE", code))
        addr = sub(rec, "NAW_VESTIGINGADRES")
        opt(addr, "ADR_NAAM1", cut(r["name"], 40, "ADR_NAAM1", code))
        opt(addr, "ADR_STRAAT", cut(r["street"], 40, "ADR_STRAAT", code))
        number = house_number(r["house_nr"], r["house_nr_addition"])  # King has one field for both
        opt(addr, "ADR_HUISNUMMER", cut(number, 10, "ADR_HUISNUMMER", code))
        opt(addr, "ADR_POSTCODE", cut(r["postal_code"], 40, "ADR_POSTCODE", code))
        opt(addr, "ADR_WOONPLAATS", cut(r["city"], 40, "ADR_WOONPLAATS", code))
        opt(addr, "ADR_LAND", cut(r["country"], 3, "ADR_LAND", code))
        opt(addr, "ADR_EMAIL", cut(r["email"], 80, "ADR_EMAIL", code))
        opt(addr, "ADR_TELEFOON", cut(r["phone"], 25, "ADR_TELEFOON", code))
        if r["contact"]:
            cp = sub(sub(rec, "NAW_CONTACTPERSONEN"), "NAW_CONTACTPERSOON")
            sub(cp, "CP_NUMMER", "1")
            sub(cp, "CP_VOLLEDIGENAAM", cut(r["contact"], 40, "CP_VOLLEDIGENAAM", code))
        if r["iban"]:
            bank = sub(sub(rec, "NAW_BANKREKENINGEN"), "NAW_BANKREKENING")
            sub(bank, "BANK_REKENINGNUMMER", cut(r["iban"].replace(" ", ""), 34, "BANK_REKENINGNUMMER", code))
        out.append(rec)
    return out


def line_account(code: str) -> str:
    """The account as a journal line names it: a numeric code as King stores it (no leading zeros)."""
    return str(int(code)) if code.isdigit() and len(code) <= 18 else code


def entry_number(entry: Entry) -> str | None:
    """JP_STUKNUMMER: a whole number below 10^10. Other numbers are an error (``entry_numbers=renumber``
    numbers the entries 1..n per journal); an opening balance without one is left to King to number."""
    nr = entry.entry_nr
    if nr.isdigit() and int(nr) < 10**10:
        return str(int(nr))
    if entry.opening:
        return None
    raise KoppelError(
        f"entry {entry.journal_id}/{nr}: King needs a whole number below 10^10 as JP_STUKNUMMER",
        field="JP_STUKNUMMER",
        hint="pass --option entry_numbers=renumber (1, 2, 3 … per journal; translation in boekstuknummers.csv)",
    )


def entry_xml(entry: Entry, ctx: dict, cut: Truncator, tally: Tally) -> etree._Element:
    first = entry.first
    where = f"entry {entry.journal_id}/{entry.entry_nr}"
    jp = etree.Element("JOURNAALPOST")
    sub(jp, "JP_DAGBOEKCODE", cut(entry.journal_id, 10, "JP_DAGBOEKCODE", where))
    opt(jp, "JP_BOEKDATUM", first.date)
    opt(jp, "JP_STUKNUMMER", entry_number(entry))
    opt(jp, "JP_OMSCHRIJVING", cut(first.entry_description, 40, "JP_OMSCHRIJVING", where))
    regels = sub(jp, "JOURNAALREGELS")
    for i, row in enumerate(entry.rows, start=1):
        jr = sub(regels, "JOURNAALREGEL")
        if i <= 999:
            sub(jr, "JR_VOLGNUMMER", str(i))
        account = line_account(row.account_id)
        sub(jr, "JR_REKENINGNUMMER", cut(account, 28, "JR_REKENINGNUMMER", where))
        opt(jr, "JR_BOEKDATUM", row.date)
        sub(jr, "JR_BOEKZIJDE", "DEB" if row.amount >= 0 else "CRED")
        if abs(row.amount) > MAX_AMOUNT:
            raise KoppelError(
                f"{where}: amount {format_cents(row.amount)} is too large for King", field="JR_VALUTABEDRAG"
            )
        sub(jr, "JR_VALUTACODE", ctx["currency"])
        written = format_cents(abs(row.amount))
        sub(jr, "JR_VALUTABEDRAG", written)
        opt(jr, "JR_OMSCHRIJVING", cut(row.description, 40, "JR_OMSCHRIJVING", where))
        opt(jr, "JR_FACTUURNUMMER", cut(row.invoice_ref, 40, "JR_FACTUURNUMMER", where))
        opt(jr, "JR_FACTUURDATUM", row.effective_date)
        opt(jr, "JR_VERVALDATUM", row.due_date)
        tally.add(row, written, row.amount >= 0, target=account)
    tally.entries += 1
    return jp


def _write_list(path: Path, content: str, records_: list[etree._Element]) -> None:
    root, listing, _record = FILES[content]
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(root), xf.element(listing):
            xf.write("\n")
            for rec in records_:
                xf.write(rec, pretty_print=True)
    with path.open("ab") as handle:
        handle.write(b"\n")


def _write_journal(path: Path, description: str, entries) -> None:
    """Stream the entries into one BOEKINGSGANG (batch, not final: the user posts it in King)."""
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("KING_JOURNAAL"), xf.element("BOEKINGSGANGEN"), xf.element("BOEKINGSGANG"):
            bg = etree.Element("BG_OMSCHRIJVING")
            bg.text = description[:40]
            xf.write(bg)
            definitief = etree.Element("BG_DEFINITIEF")
            definitief.text = "false"
            xf.write(definitief)
            with xf.element("JOURNAALPOSTEN"):
                xf.write("\n")
                for jp in entries:
                    xf.write(jp, pretty_print=True)
    with path.open("ab") as handle:
        handle.write(b"\n")


def write_king(adm, out: AtomicDir, job: WriteJob) -> WriteResult:
    """Write GL accounts, debtors, creditors and the journal; validate when ``schema_dir`` is given."""
    result = WriteResult()
    cut = Truncator(job.flag("truncate"), TITLE)
    tally = Tally(result, TITLE, CARRIED, why=WHY)
    written: dict[str, tuple[Path, str]] = {}

    def path(content: str) -> Path:
        name = out_name(job, TARGET, content, "xml")
        written[name] = (out.path(name), FILES[content][0])
        return written[name][0]

    gl = gl_records(job, cut, result)
    if gl:
        _write_list(path("grootboek"), "grootboek", gl)
    for content, kind in (("debiteuren", "DEBITEUR"), ("crediteuren", "CREDITEUR")):
        recs = relation_records(job, kind, cut)
        if recs:
            _write_list(path(content), content, recs)
    n_rel = sum(1 for _ in records(job.relations()))
    result.count("relations", n_rel)
    ctx = {
        "currency": adm.header.currency or "EUR",
    }
    name = out_name(job, TARGET, "journaal", "xml")
    description = str(job.option("batch_description", f"koppel {job.admin_name}"))
    entries = peek(entry_xml(e, ctx, cut, tally) for e in iter_entries(job))
    if entries is not None:
        _write_journal(path("journaal"), description, entries)
    tally.close()
    cut.report(result)
    schema_dir = job.option("schema_dir")
    if schema_dir:
        for shown, (tmp_path, root) in written.items():
            validate_file(tmp_path, find_schema(schema_dir, root), shown_as=shown)
        result.notes.append("validated against the King XSDs")
    result.files.extend(written)
    from .instructions import render_instructions

    result.files.append(render_instructions(out, job, TARGET, list(written), result))
    journal = written.get(name)
    if journal is not None:
        from .king_reader import cents_by_account

        result.read_back = lambda: cents_by_account(journal[0])
    return result
