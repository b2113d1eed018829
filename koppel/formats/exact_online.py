"""Exact Online XML (eExact): GLAccounts, Accounts and GLTransactions topics, written from their layouts.

Layout: formats.md §3.5 — element names, order and types from the Exact Online XSD [V EO-XSD], in one layout per
topic (``schemas/exact-online/glaccounts.toml``, ``accounts.toml``, ``gltransactions.toml``); choices marked [A]
there (line type from journal type, Debit/Credit by sign, FinYear) are ours. This module prepares the records
(a relation's status, address form, SEPA mandate and payment condition) and holds the hooks the layouts name.
One topic per file, uploaded in the order GLAccounts → Accounts → GLTransactions.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import AtomicDir
from ..kinds import require_account_kinds
from ..layouts.xml_writer import LayoutFiles, validate
from ..model import Administration
from ..writejob import WriteJob, WriteResult
from .entry_rows import Entry, Row, Tally, iter_entries, journal_names, records
from .exact_online_extras import INTRASTAT, NUMERIC, REFERENCES, is_number, line_extras, relation_extras
from .xml_writing import Truncator

TARGET = "exact-online"
TITLE = "Exact Online"
CARRIED = (
    "entry_description", "description", "relation_id", "doc_ref", "invoice_ref", "effective_date", "due_date",
    "vat_code", "vat_rate", "currency_amount", "cost_center", "cost_unit", "quantity",
)  # fmt: skip
NUMERIC_EXTRAS = frozenset(key for key, tag in INTRASTAT if tag in NUMERIC)
NO_EXTRAS: dict = {}


def rate_fraction(bp: int | None) -> str | None:
    """Basis points as the schema's fraction (typePercentage, -1..1): 2100 -> '0.21'."""
    if bp is None:
        return None
    whole, frac = divmod(abs(bp), 10000)
    digits = f"{whole}.{frac:04d}".rstrip("0").rstrip(".")
    return ("-" if bp < 0 else "") + digits


def gl_account_records(job: WriteJob, result: WriteResult) -> list[dict]:
    """The GL accounts, each with a kind; a mixed (M) one is a balance account, and said so."""
    accounts = job.accounts()
    require_account_kinds(accounts.assign(source_account_id=job.adm.accounts["account_id"].to_numpy()), "Exact Online")
    out = records(accounts)
    mixed = sum(1 for r in out if r["kind"] not in ("B", "P"))
    if mixed:
        result.notes.append(f"{mixed} account(s) of kind M (mixed) written as balance sheet (B); check them")
    result.count("accounts", len(out))
    return out


def _iban(text: str) -> str | None:
    t = text.replace(" ", "")
    return t if len(t) >= 15 and t[:2].isalpha() and t[2:4].isdigit() else None


def relation_records(job: WriteJob, result: WriteResult) -> list[dict]:
    """The relations, each with what its Account says: status, supplier, the address form (street and number, or
    one line), the bank account, the SEPA mandate (needs the IBAN and the signature date), the payment condition."""
    relation_map = job.mapping.table("relations")
    mandates = {relation_map.get(k, k): v for k, v in relation_extras(job.extras.get("relations")).items()}
    skipped = 0
    out = []
    for r in records(job.relations()):
        kind = r["kind"] or "other"
        customer, supplier = kind in ("customer", "both"), kind in ("supplier", "both")
        purchase = supplier and not customer
        days = r["payment_days"]
        rec = {
            **r,
            "status": "C" if customer else "A",
            "supplier": supplier,
            "receivable": customer or not supplier,
            "address": bool(r["street"] or r["city"] or r["postal_code"] or r["country"]),
            "street_text": r["street"] or "",
            "unnumbered": not r["house_nr"],
            "iban_code": r["iban"].replace(" ", "") if r["iban"] else None,
            "iban_valid": _iban(r["iban"]) if r["iban"] else None,
            "purchase_terms": bool(days) and purchase,
            "sales_terms": bool(days) and not purchase,
            "payment_text": f"{days} dagen" if days else None,
        }
        mandate = mandates.get(r["relation_id"])
        if mandate and r["iban"] and mandate.get("mandate_date"):
            first = (mandate.get("mandate_first_send") or "true").lower()
            rec.update(
                mandate=True,
                mandate_reference=mandate["mandate_reference"][:35],
                mandate_type=mandate.get("mandate_type") or "Core",
                mandate_payment_type=mandate.get("mandate_payment_type") or "Recurrent",
                mandate_date=mandate["mandate_date"],
                mandate_first_send="true" if first in ("true", "1", "yes", "ja") else "false",
            )
        elif mandate:
            skipped += 1
        out.append(rec)
    result.count("relations", len(out))
    result.drop("relations: SEPA mandate", skipped, "a mandate needs the relation's IBAN and the signature date")
    return out


# -- hooks of schemas/exact-online/gltransactions.toml ----------------------------------------------------------


def entry_number(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """GLTransaction/@entry: a number of digits only; none on the opening balance."""
    return entry.entry_nr if entry.entry_nr.isdigit() and not entry.opening else None


def journal_name(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    return state["jnames"].get(entry.journal_id)


def fin_year(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """FinYear: the administration's fiscal year, else the year of the line's date."""
    fiscal_year = state["fiscal_year"]
    if fiscal_year and len(fiscal_year) == 4 and fiscal_year.isdigit():
        return fiscal_year
    return row.date[:4] if row.date else None


def fin_period(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """FinPeriod: the line's period 1..99; none on the opening balance."""
    if not entry.opening and row.period and row.period.isdigit() and 1 <= int(row.period) <= 99:
        return str(int(row.period))
    return None


def quantity(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    """Quantity: only a quantity that is a number (the schema's type)."""
    return row.quantity if row.quantity and is_number(row.quantity) else None


def vat_fraction(state: dict, entry: Entry, row: Row, n: int) -> str | None:
    return rate_fraction(row.vat_rate)


def foreign(state: dict, entry: Entry, row: Row, n: int) -> bool:
    """ForeignAmount: only for an amount in another currency than the administration's."""
    return bool(row.currency) and row.currency != state["currency"] and row.currency_amount is not None


def _extras(state: dict, row: Row) -> dict:
    """The extra fields the source gave this line (payment reference, IntraStat, ...)."""
    if not state["extras"]:
        return NO_EXTRAS
    return state["extras"].get((row.journal_id, row.entry_nr, row.line_nr or ""), NO_EXTRAS)


def has_references(state: dict, entry: Entry, row: Row, n: int) -> bool:
    if row.invoice_ref or row.doc_ref:
        return True
    return bool(state["extras"]) and any(k in _extras(state, row) for k, _ in REFERENCES)


def extra(state: dict, entry: Entry, row: Row, n: int, key: str) -> str | None:
    """An extra field of the line by its name (``hook:extra:order_number``)."""
    return _extras(state, row).get(key)


def has_intrastat(state: dict, entry: Entry, row: Row, n: int) -> bool:
    return bool(state["extras"]) and any(k in _extras(state, row) for k, _ in INTRASTAT)


def intrastat(state: dict, entry: Entry, row: Row, n: int, key: str) -> str | None:
    """An IntraStat extra of the line; a statistical value, quantity or weight only when it is a number."""
    value = _extras(state, row).get(key)
    if value is None or (key in NUMERIC_EXTRAS and not is_number(value)):
        return None
    return value


def write_exact_online(adm: Administration, out: AtomicDir, job: WriteJob) -> WriteResult:
    """Write the three topics; validate them against the Exact Online XSD when ``schema_dir`` is given."""
    result = WriteResult()
    cut = Truncator(job.flag("truncate"), TITLE)
    tally = Tally(result, TITLE, CARRIED)
    state = {
        "currency": adm.header.currency or "EUR",
        "fiscal_year": adm.header.fiscal_year,
        "jnames": journal_names(job),
    }
    files = LayoutFiles(TARGET, out, job.admin_name, state, cut, tally)
    write, written = files.write, files.written

    write("glaccounts", gl_account_records(job, result))
    write("accounts", relation_records(job, result))
    state["extras"] = line_extras(job.extras.get("lines"), job.mapping.table("journals"))
    write("gltransactions", iter_entries(job))
    tally.close()
    cut.report(result)
    if job.option("schema_dir"):
        used = {validate(layout, path, job, shown_as=name) for name, (path, layout) in written.items()}
        result.notes.append(f"validated against {', '.join(sorted(p.name for p in used if p is not None))}")
    result.files.extend(written)
    from .instructions import render_instructions

    result.files.append(render_instructions(out, job, TARGET, list(written), result))
    transactions = files.path("gltransactions")
    if transactions is not None:
        result.read_back = lambda: read_back_cents(transactions)
    return result


def read_back_cents(path: Path) -> dict[str, int]:
    from .exact_online_reader import cents_by_account

    return cents_by_account(path)
