"""Exact Online XML (eExact): GLAccounts, Accounts and GLTransactions topics, in schema element order.

Layout: formats.md §3.5 — element names, order and types from the Exact Online XSD [V EO-XSD];
choices marked [A] there (line type from journal type, Debit/Credit by sign, FinYear) are ours.
One topic per file, uploaded in the order GLAccounts → Accounts → GLTransactions.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..atomic import AtomicDir
from ..kinds import require_account_kinds
from ..model import Administration
from ..money import format_cents
from ..writejob import WriteJob, WriteResult
from .entry_rows import Entry, Tally, iter_entries, journal_names, out_name, records
from .exact_online_extras import INTRASTAT, NUMERIC, REFERENCES, is_number, line_extras, relation_extras
from .xml_writing import Truncator, find_schema, opt, peek, sub, validate_file, write_xml

TARGET = "exact-online"
TITLE = "Exact Online"
# journal type (XAF jrnTp) -> GLTransactionLine/@type [A]
LINE_TYPE = {"O": "10", "S": "20", "P": "30", "B": "40", "C": "40"}
TOPICS = ("GLAccounts", "Accounts", "GLTransactions")  # import order
CARRIED = (
    "entry_description", "description", "relation_id", "doc_ref", "invoice_ref", "effective_date", "due_date",
    "vat_code", "vat_rate", "currency_amount", "cost_center", "cost_unit", "quantity",
)  # fmt: skip


def rate_fraction(bp: int | None) -> str | None:
    """Basis points as the schema's fraction (typePercentage, -1..1): 2100 -> '0.21'."""
    if bp is None:
        return None
    whole, frac = divmod(abs(bp), 10000)
    digits = f"{whole}.{frac:04d}".rstrip("0").rstrip(".")
    return ("-" if bp < 0 else "") + digits


def gl_accounts_xml(job: WriteJob, cut: Truncator, result: WriteResult) -> etree._Element:
    """<GLAccounts>: code, balance type (P→W, B→B) and description."""
    root = etree.Element("GLAccounts")
    mixed = 0
    accounts = job.accounts()
    require_account_kinds(accounts.assign(source_account_id=job.adm.accounts["account_id"].to_numpy()), "Exact Online")
    for r in records(accounts):
        kind = r["kind"]
        if kind not in ("B", "P"):
            mixed += 1
            kind = "B"
        acc = sub(root, "GLAccount", code=r["account_id"], balanceType="W" if kind == "P" else "B")
        sub(acc, "Description", cut(r["name"] or r["account_id"], 255, "GLAccount/Description", r["account_id"]))
    if mixed:
        result.notes.append(f"{mixed} account(s) of kind M (mixed) written as balance sheet (B); check them")
    result.count("accounts", len(root))
    return root


def _iban(text: str) -> str | None:
    t = text.replace(" ", "")
    return t if len(t) >= 15 and t[:2].isalpha() and t[2:4].isdigit() else None


def accounts_xml(job: WriteJob, cut: Truncator, result: WriteResult) -> etree._Element:
    """<Accounts>: relations with contact, address, bank account (and SEPA mandate), VAT and KvK numbers,
    control accounts."""
    root = etree.Element("Accounts")
    relation_map = job.mapping.table("relations")
    mandates = {relation_map.get(k, k): v for k, v in relation_extras(job.extras.get("relations")).items()}
    skipped = 0
    for r in records(job.relations()):
        kind = r["kind"] or "other"
        customer = kind in ("customer", "both")
        supplier = kind in ("supplier", "both")
        acc = sub(root, "Account", code=r["relation_id"], status="C" if customer else "A")
        sub(acc, "Name", cut(r["name"] or r["relation_id"], 255, "Account/Name", r["relation_id"]))
        opt(acc, "Phone", r["phone"])
        opt(acc, "Email", r["email"])
        opt(acc, "HomePage", r["website"])
        if supplier:
            sub(acc, "IsSupplier", "true")
        if r["contact"]:
            sub(sub(acc, "Contact", default="1"), "FullName", r["contact"])
        if r["street"] or r["city"] or r["postal_code"] or r["country"]:
            addr = sub(acc, "Address", type="INV", default="1")
            if r["house_nr"]:
                sub(addr, "AddressStreet", r["street"] or "")
                sub(addr, "AddressStreetNumber", r["house_nr"])
                opt(addr, "AddressStreetNumberSuffix", r["house_nr_addition"])
            else:
                sub(addr, "AddressLine1", r["street"] or "")
            opt(addr, "PostalCode", r["postal_code"])
            opt(addr, "City", r["city"])
            if r["country"]:
                sub(addr, "Country", code=r["country"])
        if r["iban"]:
            bank = sub(acc, "BankAccount", code=r["iban"].replace(" ", ""), default="1")
            opt(bank, "BICCode", r["bic"])
            opt(bank, "IBAN", _iban(r["iban"]))
        mandate = mandates.get(r["relation_id"])
        if mandate and r["iban"] and mandate.get("mandate_date"):
            _mandate(acc, r, mandate)
        elif mandate:
            skipped += 1
        opt(acc, "VATNumber", r["vat_number"])
        opt(acc, "ChamberOfCommerce", r["kvk"])
        if r["control_account"]:
            if supplier:
                sub(acc, "GLAP", code=r["control_account"])
            if customer or not supplier:
                sub(acc, "GLAR", code=r["control_account"])
        if r["payment_days"]:
            tag = "PurchasePaymentCondition" if supplier and not customer else "SalesPaymentCondition"
            sub(sub(acc, tag, code=r["payment_days"]), "Description", f"{r['payment_days']} dagen")
    result.count("relations", len(root))
    result.drop("relations: SEPA mandate", skipped, "a mandate needs the relation's IBAN and the signature date")
    return root


def _mandate(acc: etree._Element, r: dict, mandate: dict) -> None:
    """DDMandates/DDMandate: reference, account, bank account, type, payment type, signature date, first send."""
    dd = sub(sub(acc, "DDMandates"), "DDMandate", reference=mandate["mandate_reference"][:35], default="1")
    sub(dd, "Account", code=r["relation_id"])
    sub(dd, "BankAccount", code=r["iban"].replace(" ", ""))
    sub(dd, "Type", mandate.get("mandate_type") or "Core")
    sub(dd, "PaymentType", mandate.get("mandate_payment_type") or "Recurrent")
    sub(dd, "SignatureDate", mandate["mandate_date"])
    first = (mandate.get("mandate_first_send") or "true").lower()
    sub(dd, "FirstSend", "true" if first in ("true", "1", "yes", "ja") else "false")


def _fin_year(fiscal_year: str | None, date: str | None) -> str | None:
    if fiscal_year and len(fiscal_year) == 4 and fiscal_year.isdigit():
        return fiscal_year
    return date[:4] if date else None


def transaction_xml(
    entry: Entry,
    adm: Administration,
    currency: str,
    cut: Truncator,
    tally: Tally,
    jnames: dict[str, str],
    ctx_extras: dict | None = None,
) -> etree._Element:
    """One <GLTransaction>: journal, date, description, then its lines with Debit or Credit by sign."""
    ctx_extras = ctx_extras or {}
    first = entry.first
    attrs = {"entry": entry.entry_nr} if entry.entry_nr.isdigit() and not entry.opening else {}
    tx = etree.Element("GLTransaction", attrs)
    journal = sub(tx, "Journal", code=entry.journal_id)
    if jnames.get(entry.journal_id):
        sub(journal, "Description", cut(jnames[entry.journal_id], 255, "Journal/Description", entry.journal_id))
    opt(tx, "Date", first.date)
    opt(
        tx,
        "Description",
        cut(first.entry_description, 255, "GLTransaction/Description", f"entry {entry.journal_id}/{entry.entry_nr}"),
    )
    line_type = "10" if entry.opening else LINE_TYPE.get(entry.kind or "", "90")
    for i, row in enumerate(entry.rows, start=1):
        line = sub(tx, "GLTransactionLine", type=line_type, line=str(i))
        sub(line, "Date", row.date or first.date)
        year = _fin_year(adm.header.fiscal_year, row.date)
        if year:
            sub(line, "FinYear", number=year)
        if not entry.opening and row.period and row.period.isdigit() and 1 <= int(row.period) <= 99:
            sub(line, "FinPeriod", number=str(int(row.period)))
        sub(line, "GLAccount", code=row.account_id)
        opt(
            line,
            "Description",
            cut(row.description, 255, "GLTransactionLine/Description", f"entry {entry.journal_id}/{entry.entry_nr}"),
        )
        opt(line, "DueDate", row.due_date)
        opt(line, "InvoiceDate", row.effective_date)
        if row.relation_id:
            sub(line, "Account", code=row.relation_id)
        if row.cost_center:
            sub(line, "Costcenter", code=row.cost_center)
        if row.cost_unit:
            sub(line, "Costunit", code=row.cost_unit)
        if row.quantity and _is_number(row.quantity):
            sub(line, "Quantity", row.quantity)
        amount = sub(line, "Amount")
        sub(amount, "Currency", code=currency)
        written = format_cents(abs(row.amount))
        sub(amount, "Debit" if row.amount >= 0 else "Credit", written)
        if row.vat_code:
            sub(amount, "VAT", code=row.vat_code)
        opt(amount, "VATPercentage", rate_fraction(row.vat_rate))
        if row.currency and row.currency != currency and row.currency_amount is not None:
            foreign = sub(line, "ForeignAmount")
            sub(foreign, "Currency", code=row.currency)
            sub(foreign, "Debit" if row.currency_amount >= 0 else "Credit", format_cents(abs(row.currency_amount)))
        extra = ctx_extras.get((row.journal_id, row.entry_nr, row.line_nr or ""), {})
        if row.invoice_ref or row.doc_ref or any(k in extra for k, _ in REFERENCES):
            refs = sub(line, "References")
            opt(refs, "InvoiceNumber", row.invoice_ref)
            for key, tag in REFERENCES:
                opt(refs, tag, extra.get(key))
            opt(refs, "YourRef", row.doc_ref)
        if any(k in extra for k, _ in INTRASTAT):
            intra = sub(line, "IntraStat")
            for key, tag in INTRASTAT:
                value = extra.get(key)
                if value is not None and (tag not in NUMERIC or is_number(value)):
                    sub(intra, tag, value)
        tally.add(row, written, row.amount >= 0)
    tally.entries += 1
    return tx


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def write_exact_online(adm: Administration, out: AtomicDir, job: WriteJob) -> WriteResult:
    """Write the three topics; validate them against the Exact Online XSD when ``schema_dir`` is given."""
    result = WriteResult()
    cut = Truncator(job.flag("truncate"), TITLE)
    tally = Tally(result, TITLE, CARRIED)
    currency = adm.header.currency or "EUR"
    jnames = journal_names(job)
    written: dict[str, Path] = {}

    def topic_file(topic: str) -> Path:
        name = out_name(job, "exact", topic, "xml")
        written[name] = out.path(name)
        return written[name]

    write_xml(topic_file("GLAccounts"), "eExact", [gl_accounts_xml(job, cut, result)])
    relations = accounts_xml(job, cut, result)
    if len(relations):
        write_xml(topic_file("Accounts"), "eExact", [relations])
    extras = line_extras(job.extras.get("lines"), job.mapping.table("journals"))
    entries = peek(transaction_xml(e, adm, currency, cut, tally, jnames, extras) for e in iter_entries(job))
    if entries is not None:
        write_xml(topic_file("GLTransactions"), "eExact", entries, wrapper="GLTransactions")
    tally.close()
    cut.report(result)
    schema_dir = job.option("schema_dir")
    if schema_dir:
        xsd = find_schema(schema_dir, "eExact", prefer="online")
        for name, path in written.items():
            validate_file(path, xsd, shown_as=name)
        result.notes.append(f"validated against {xsd.name}")
    result.files.extend(written)
    from .instructions import render_instructions

    result.files.append(render_instructions(out, job, TARGET, list(written), result))
    transactions = written.get(out_name(job, "exact", "GLTransactions", "xml"))
    if transactions is not None:
        result.read_back = lambda: read_back_cents(transactions)
    return result


def read_back_cents(path: Path) -> dict[str, int]:
    from .exact_online_reader import cents_by_account

    return cents_by_account(path)
