"""King XML: KING_JOURNAAL, KING_DEBITEUREN, KING_CREDITEUREN, KING_GROOTBOEKREKENINGEN.

Layout: formats.md §3.7 — element names, lengths and types from King's XSDs [V KING-XSD], in one layout per
file (``schemas/king/grootboek.toml``, ``debiteuren.toml``, ``crediteuren.toml``, ``journaal.toml``); record
children are ``xs:all`` (any order). This module holds the checks of the records and the hooks the layouts
name. Relation and GL account numbers must be integers (≤ 10 digits); a code that is not is an error naming
it, unless the mapping renumbers it. Entry numbers (JP_STUKNUMMER) must be integers below 10^10: non-numeric
numbers are an error unless ``--option entry_numbers=renumber``.
"""

from __future__ import annotations

from ..atomic import AtomicDir
from ..errors import KoppelError
from ..identity import first_merge, merge_error
from ..kinds import require_account_kinds
from ..layouts.xml_writer import LayoutFiles, validate
from ..model import house_number as model_house_number
from ..writejob import WriteJob, WriteResult
from .entry_rows import Entry, Row, Tally, iter_entries, records
from .xml_writing import Truncator

TARGET = "king"
TITLE = "King"
CARRIED = ("entry_description", "description", "invoice_ref", "effective_date", "due_date")
WHY = {
    "relation_id": "unconfirmed how King addresses a debtor/creditor on a journal line; it keeps its GL account",
    "vat_code": "the VAT is its own line; King's HULPREKENING BTW would add VAT again",
    "currency_amount": "King's line has one amount (JR_VALUTABEDRAG); koppel writes it in the administration currency",
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


def gl_records(job: WriteJob, result: WriteResult) -> list[dict]:
    """The GL accounts, checked: a kind each, King numbers, no two that King would store as one."""
    frame = job.accounts()
    require_account_kinds(frame.assign(source_account_id=job.adm.accounts["account_id"].to_numpy()), "King")
    accounts = records(frame)
    check_numbers([r["account_id"] for r in accounts], "account", "accounts")
    mixed = sum(1 for r in accounts if r["kind"] == "M")
    if mixed:
        result.notes.append(f"{mixed} account(s) of kind M (mixed) written as balance accounts (BAL); check them")
    check_distinct(job.adm.accounts["account_id"], [r["account_id"] for r in accounts], "account", "accounts")
    result.count("accounts", len(accounts))
    return accounts


def relation_records(job: WriteJob, content: str) -> list[dict]:
    """Debtors (customer, both, other) or creditors (supplier, both), checked as King numbers."""
    wanted = {"debiteuren": ("customer", "both", "other"), "crediteuren": ("supplier", "both")}[content]
    mapped = records(job.relations())
    keep = [(r["kind"] or "other") in wanted for r in mapped]
    relations = [r for r, k in zip(mapped, keep, strict=True) if k]
    check_numbers([r["relation_id"] for r in relations], "relation", "relations")
    sources = [s for s, k in zip(job.adm.relations["relation_id"], keep, strict=True) if k]
    check_distinct(sources, [r["relation_id"] for r in relations], "relation", "relations")
    return relations


# -- hooks of schemas/king/*.toml -------------------------------------------------------------------------------


def account_number(state: dict, rec: dict, row: dict, n: int) -> str:
    """RKS_NUMMER: the account as a King number."""
    return king_number(rec["account_id"], "account", "accounts")


def relation_number(state: dict, rec: dict, row: dict, n: int) -> str:
    """NAW_NUMMER: the relation as a King number."""
    return king_number(rec["relation_id"], "relation", "relations")


def house_number(state: dict, rec: dict, row: dict, n: int) -> str | None:
    """ADR_HUISNUMMER: number and addition in King's one field."""
    return model_house_number(rec["house_nr"], rec["house_nr_addition"])


def iban(state: dict, rec: dict, row: dict, n: int) -> str | None:
    """BANK_REKENINGNUMMER: the IBAN without spaces."""
    return rec["iban"].replace(" ", "") if rec["iban"] else None


def batch_description(state: dict, rec: None, row: None, n: int) -> str:
    """BG_OMSCHRIJVING: the batch's description, as long as King takes it."""
    return state["batch_description"]


def sequence(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """JR_VOLGNUMMER: the line's number in the entry, while King's three digits hold it."""
    return str(n) if n <= 999 else None


def line_account(state: dict, entry: Entry, row: Row, n: int) -> str:
    """JR_REKENINGNUMMER: the account as a journal line names it (see :func:`journal_account`)."""
    return journal_account(row.account_id)


def entry_number(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """JP_STUKNUMMER (see :func:`stuknummer`)."""
    return stuknummer(entry)


def journal_account(code: str) -> str:
    """The account as a journal line names it: a numeric code as King stores it (no leading zeros)."""
    return str(int(code)) if code.isdigit() and len(code) <= 18 else code


def stuknummer(entry: Entry) -> str | None:
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


def _batch_description(job: WriteJob, cut: Truncator) -> str:
    """BG_OMSCHRIJVING (≤ 40): the user's ``--option batch_description`` is checked like every text (an error, or
    cut and reported with ``--truncate``); koppel's own label is made to fit."""
    given = job.option("batch_description")
    if given is None:
        return f"koppel {job.admin_name}"[:40]
    return cut(str(given), 40, "BG_OMSCHRIJVING", "the batch (--option batch_description)") or ""


def write_king(adm, out: AtomicDir, job: WriteJob) -> WriteResult:
    """Write GL accounts, debtors, creditors and the journal; validate when ``schema_dir`` is given."""
    result = WriteResult()
    cut = Truncator(job.flag("truncate"), TITLE)
    tally = Tally(result, TITLE, CARRIED, why=WHY)
    state = {
        "job": job,
        "currency": adm.header.currency or "EUR",
        "batch_description": _batch_description(job, cut),
    }
    files = LayoutFiles(TARGET, out, job.admin_name, state, cut, tally)
    write, written = files.write, files.written

    write("grootboek", gl_records(job, result))
    for content in ("debiteuren", "crediteuren"):
        write(content, relation_records(job, content))
    result.count("relations", len(records(job.relations())))
    write("journaal", iter_entries(job))
    tally.close()
    cut.report(result)
    if job.option("schema_dir"):
        for shown, (path, layout) in written.items():
            validate(layout, path, job, shown_as=shown)
        result.notes.append("validated against the King XSDs")
    result.files.extend(written)
    from .instructions import render_instructions

    result.files.append(render_instructions(out, job, TARGET, list(written), result))
    journal = files.path("journaal")
    if journal is not None:
        from .king_reader import cents_by_account

        result.read_back = lambda: cents_by_account(journal)
    return result
