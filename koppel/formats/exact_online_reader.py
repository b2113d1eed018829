"""Read Exact Online XML (eExact topics GLTransactions, Accounts, GLAccounts) into the canonical model.

Accepts one file or a folder of topic files (e.g. koppel's own output folder). Streams GLTransaction
records; a transaction whose lines are all of type 10 (opening balance) becomes the opening balance.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from ..errors import KoppelError
from ..kinds import UNKNOWN, record_unknown
from ..model import Administration, Header
from ..read_result import ReadResult
from .exact_online_extras import INTRASTAT, REFERENCES
from .xml_reading import LineSink, cents, child_attr, child_text, iso_date, iter_records, master, xml_inputs

# GLTransactionLine/@type -> XAF journal type letter
JOURNAL_KIND = {"10": "O", "20": "S", "21": "S", "30": "P", "31": "P", "40": "B", "90": "M"}


RECORDS = {"GLTransaction", "Account", "GLAccount"}
TOPICS = {"GLTransactions", "Accounts", "GLAccounts"}


NO_AMOUNT = "GLTransactionLine without an amount (booked as 0)"
NO_AMOUNT_WHY = "the line has no Amount/Debit, Credit or Value: it moves no money; check the export if it should"


def _has_amount(line) -> bool:
    amount = line.find("Amount")
    return amount is not None and any(child_text(amount, t) is not None for t in ("Debit", "Credit", "Value"))


def _line_amount(line, path: Path) -> int:
    where = line.sourceline
    amount = line.find("Amount")
    if amount is None:
        return 0
    debit, credit, value = (child_text(amount, t) for t in ("Debit", "Credit", "Value"))
    if debit is None and credit is None and value is None:
        return 0
    total = 0
    if debit is not None:
        total += cents(debit, path, where, "Amount/Debit")
    if credit is not None:
        total -= cents(credit, path, where, "Amount/Credit")
    if value is not None and debit is None and credit is None:
        total = cents(value, path, where, "Amount/Value")
    return total


def _foreign(line, path: Path) -> tuple[str | None, int | None]:
    foreign = line.find("ForeignAmount")
    if foreign is None:
        return None, None
    code = child_attr(foreign, "Currency", "code")
    debit, credit = child_text(foreign, "Debit"), child_text(foreign, "Credit")
    where = line.sourceline
    value = 0
    if debit is not None:
        value += cents(debit, path, where, "ForeignAmount/Debit")
    if credit is not None:
        value -= cents(credit, path, where, "ForeignAmount/Credit")
    return code, value


def _rate(text: str | None, path: Path, line: int | None) -> int | None:
    """VATPercentage is a fraction in the schema (0.21); basis points = fraction × 10000."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip()) * 10000
    except InvalidOperation:
        raise KoppelError(f"not a percentage: {text.strip()!r}", file=path, line=line, field="VATPercentage") from None
    if value != value.to_integral_value():
        raise KoppelError(
            f"VAT percentage {text.strip()!r} is too precise", file=path, line=line, field="VATPercentage"
        )
    return int(value)


def _transaction(tx, path: Path, sink: LineSink, journals: dict, opening: list, state: dict) -> None:
    journal = tx.find("Journal")
    journal_id = journal.get("code") if journal is not None else "?"
    if journal is not None and journal_id not in journals:
        journals[journal_id] = {"journal_id": journal_id, "description": child_text(journal, "Description")}
    nr = tx.get("entry")
    if not nr:
        state[journal_id] = state.get(journal_id, 0) + 1
        nr = str(state[journal_id])
    tx_date = iso_date(child_text(tx, "Date"), path, tx.sourceline, "GLTransaction/Date")
    tx_desc = child_text(tx, "Description")
    lines = tx.findall("GLTransactionLine")
    state["no_amount"] = state.get("no_amount", 0) + sum(not _has_amount(ln) for ln in lines)
    types = {ln.get("type") for ln in lines}
    if types == {"10"}:
        for i, ln in enumerate(lines, start=1):
            opening.append(
                {
                    "line_nr": ln.get("line") or str(i),
                    "account_id": child_attr(ln, "GLAccount", "code"),
                    "amount": _line_amount(ln, path),
                    "description": child_text(ln, "Description"),
                    "relation_id": child_attr(ln, "Account", "code"),
                }
            )
            state["opening_date"] = state.get("opening_date") or iso_date(
                child_text(ln, "Date"), path, ln.sourceline, "GLTransactionLine/Date"
            )
        state["opening_description"] = tx_desc
        return
    line_type = next(iter(types)) if len(types) == 1 else "90"  # mixed types: other
    kind = JOURNAL_KIND.get(line_type)
    if kind is None and line_type:  # kept unknown, not read as a memorial journal
        record_unknown(state.setdefault("unknown", {}), "GLTransactionLine/@type", line_type)
    if journal_id in journals:
        journals[journal_id].setdefault("kind", kind)
    for i, ln in enumerate(lines, start=1):
        where = ln.sourceline
        currency, currency_amount = _foreign(ln, path)
        amount = ln.find("Amount")
        year = child_attr(ln, "FinYear", "number")
        if year:
            state.setdefault("years", set()).add(year)
        if amount is not None and state.get("currency") is None:
            state["currency"] = child_attr(amount, "Currency", "code")
        extra = {key: child_text(ln, f"References/{tag}") for key, tag in REFERENCES}
        extra |= {key: child_text(ln, f"IntraStat/{tag}") for key, tag in INTRASTAT}
        extra = {k: v for k, v in extra.items() if v is not None}
        if extra:
            state.setdefault("line_extras", []).append(
                {"journal_id": journal_id, "entry_nr": nr, "line_nr": ln.get("line") or str(i), **extra}
            )
        sink.add(
            {
                "journal_id": journal_id,
                "entry_nr": nr,
                "line_nr": ln.get("line") or str(i),
                "date": iso_date(child_text(ln, "Date"), path, where, "GLTransactionLine/Date") or tx_date,
                "period": child_attr(ln, "FinPeriod", "number"),
                "entry_description": tx_desc,
                "account_id": child_attr(ln, "GLAccount", "code"),
                "amount": _line_amount(ln, path),
                "description": child_text(ln, "Description"),
                "relation_id": child_attr(ln, "Account", "code"),
                "doc_ref": child_text(ln, "References/YourRef"),
                "invoice_ref": child_text(ln, "References/InvoiceNumber"),
                "effective_date": iso_date(child_text(ln, "InvoiceDate"), path, where, "InvoiceDate"),
                "due_date": iso_date(child_text(ln, "DueDate"), path, where, "DueDate"),
                "vat_code": child_attr(ln, "Amount/VAT", "code"),
                "vat_rate": _rate(child_text(ln, "Amount/VATPercentage"), path, where),
                "currency": currency,
                "currency_amount": currency_amount,
                "cost_center": child_attr(ln, "Costcenter", "code"),
                "cost_unit": child_attr(ln, "Costunit", "code"),
                "quantity": child_text(ln, "Quantity"),
            }
        )


def _relation(acc, out: list[dict], mandates: list[dict]) -> None:
    dd = acc.find("DDMandates/DDMandate")
    if dd is not None:
        mandates.append(
            {
                "relation_id": acc.get("code"),
                "mandate_reference": dd.get("reference"),
                "mandate_date": child_text(dd, "SignatureDate"),
                "mandate_type": child_text(dd, "Type"),
                "mandate_payment_type": child_text(dd, "PaymentType"),
                "mandate_first_send": child_text(dd, "FirstSend"),
            }
        )
    supplier = (child_text(acc, "IsSupplier") or "").lower() in ("true", "1")
    customer = acc.get("status") == "C"
    kind = "both" if supplier and customer else "supplier" if supplier else "customer" if customer else "other"
    street = child_text(acc, "Address/AddressStreet") or child_text(acc, "Address/AddressLine1")
    terms = child_attr(acc, "SalesPaymentCondition", "code") or child_attr(acc, "PurchasePaymentCondition", "code")
    out.append(
        {
            "relation_id": acc.get("code"),
            "kind": kind,
            "name": child_text(acc, "Name"),
            "contact": child_text(acc, "Contact/FullName"),
            "street": street,
            "house_nr": child_text(acc, "Address/AddressStreetNumber"),
            "house_nr_addition": child_text(acc, "Address/AddressStreetNumberSuffix"),
            "postal_code": child_text(acc, "Address/PostalCode"),
            "city": child_text(acc, "Address/City"),
            "country": child_attr(acc, "Address/Country", "code"),
            "phone": child_text(acc, "Phone"),
            "email": child_text(acc, "Email"),
            "website": child_text(acc, "HomePage"),
            "vat_number": child_text(acc, "VATNumber"),
            "kvk": child_text(acc, "ChamberOfCommerce"),
            "iban": child_text(acc, "BankAccount/IBAN") or child_attr(acc, "BankAccount", "code"),
            "bic": child_text(acc, "BankAccount/BICCode"),
            "payment_days": terms if terms and terms.isdigit() else None,
            "control_account": child_attr(acc, "GLAR", "code") or child_attr(acc, "GLAP", "code"),
        }
    )


def _gl_account(acc, out: list[dict], unknown: dict[str, dict[str, int]]) -> None:
    side = (acc.get("balanceType") or "").strip()
    kind = {"W": "P", "B": "B"}.get(side.upper()) if side else None
    if side and kind is None:  # kept unknown, never read as a balance account
        kind = UNKNOWN
        record_unknown(unknown, "GLAccount/@balanceType", side)
    out.append({"account_id": acc.get("code"), "name": child_text(acc, "Description"), "kind": kind})


def read_exact_online(path: str | Path, **options) -> Administration:
    """Read an eExact file, or a folder of them, into an :class:`Administration`."""
    return read_exact_online_result(path, **options).adm


def read_exact_online_result(path: str | Path, **_options) -> ReadResult:
    """:func:`read_exact_online`, with what the model does not hold but an Exact Online target writes back
    (``extras``: payment references, order numbers, IntraStat per line; SEPA mandates per relation)."""
    path = Path(path)
    header = Header(source_format="exact-online", software="Exact Online XML", encoding="utf-8")
    result = ReadResult(Administration(header=header), path)
    adm = result.adm
    sink = LineSink(adm)
    journals: dict[str, dict] = {}
    opening: list[dict] = []
    relations: list[dict] = []
    accounts: list[dict] = []
    state: dict = {}
    mandates: list[dict] = []
    for file in xml_inputs(path, {"eExact"}):
        for rec in iter_records(file, RECORDS, TOPICS):
            if rec.tag == "GLTransaction":
                _transaction(rec, file, sink, journals, opening, state)
            elif rec.tag == "Account":
                _relation(rec, relations, mandates)
            else:
                _gl_account(rec, accounts, adm.unknown_codes)
    sink.flush()
    adm.accounts = master("accounts", accounts)
    adm.relations = master("relations", relations)
    adm.journals = master("journals", list(journals.values()))
    if opening:
        adm.opening_balance = master("opening_balance", opening)
        adm.header.opening_source = "openingBalance"
        adm.header.opening_date = state.get("opening_date")
        adm.header.opening_description = state.get("opening_description")
    if state.get("line_extras"):
        result.extras["lines"] = pd.DataFrame(state["line_extras"]).astype("string")
    if mandates:
        result.extras["relations"] = pd.DataFrame(mandates).astype("string")
    if state.get("no_amount"):
        adm.not_carried[NO_AMOUNT] = state["no_amount"]
        adm.not_carried_why[NO_AMOUNT] = NO_AMOUNT_WHY
    years = sorted(state.get("years", ()))
    adm.header.fiscal_year = years[0] if len(years) == 1 else None
    adm.header.currency = state.get("currency")
    for field, values in state.get("unknown", {}).items():
        for value, n in values.items():
            adm.unknown_codes.setdefault(field, {})[value] = n
    return result


def cents_by_account(path: Path) -> dict[str, int]:
    """Money per account in a GLTransactions file (read-back check of control.json): one light pass over
    the lines, reading only the account and the amount."""
    out: dict[str, int] = {}
    for tx in iter_records(path, {"GLTransaction"}, {"GLTransactions"}):
        for line in tx.iterfind("GLTransactionLine"):
            account = child_attr(line, "GLAccount", "code") or ""
            out[account] = out.get(account, 0) + _line_amount(line, path)
    return out
