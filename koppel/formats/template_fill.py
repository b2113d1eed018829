"""Template-driven CSV: fill the header of a file the user exported from the package (``--template FILE``).

For packages whose import layout is a user-defined import definition (Visma eAccounting's customer and
supplier registers, and any other package through the generic ``template`` target), the only trustworthy
layout is the package's own export: koppel reads its header row, delimiter, encoding and BOM, recognises the
columns it can fill (built-in Dutch/English synonyms, plus ``--option map="Header:field;..."``), leaves the
others empty and says which, and writes the data in exactly that shape [A: the synonyms are ours].
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path

import pandas as pd

from ..atomic import AtomicDir
from ..errors import KoppelError
from ..model import house_number
from ..money import format_cents, parse_cents
from ..writejob import WriteJob, WriteResult

# canonical field -> header names (compared lower-case, without spaces, dots, dashes and underscores)
RELATION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "relation_id": ("klantnummer", "leveranciersnummer", "relatienummer", "relatiecode", "nummer", "customernumber",
                    "customerno", "suppliernumber", "supplierno", "number", "code", "id"),
    "name": ("naam", "bedrijfsnaam", "klantnaam", "leveranciersnaam", "name", "companyname", "customername",
             "suppliername"),
    "contact": ("contactpersoon", "contact", "contactperson", "attention", "tav"),
    "address": ("adres", "straatenhuisnummer", "address", "address1", "adresregel1", "addressline1", "street",
                "straat"),
    "postal_code": ("postcode", "postalcode", "zipcode", "zip"),
    "city": ("plaats", "woonplaats", "stad", "city", "town"),
    "country": ("land", "landcode", "country", "countrycode"),
    "phone": ("telefoon", "telefoonnummer", "telefoon1", "phone", "phonenumber", "telephone"),
    "email": ("email", "emailadres", "mail", "emailaddress", "factuuremail", "invoiceemail"),
    "website": ("website", "www", "homepage", "url"),
    "vat_number": ("btwnummer", "btwnr", "btwidentificatienummer", "vatnumber", "vatno", "vatid"),
    "kvk": ("kvk", "kvknummer", "kvknr", "kamervankoophandel", "cocnumber", "chamberofcommerce",
            "organisationnumber", "organizationnumber"),
    "iban": ("iban", "bankrekening", "bankrekeningnummer", "bankaccount", "rekeningnummer"),
    "bic": ("bic", "swift", "biccode", "swiftbic"),
    "payment_days": ("betalingstermijn", "betaaltermijn", "krediettermijn", "termsofpayment", "paymentterms",
                     "paymentdays"),
}  # fmt: skip
LINE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "journal_id": ("dagboek", "dagboekcode", "journal", "journalcode"),
    "entry_nr": ("boekstuk", "boekstuknummer", "boekingcode", "transactie", "entry", "entrynumber", "voucher"),
    "date": ("datum", "boekdatum", "boekingsdatum", "date"),
    "account_id": ("grootboek", "grootboekrekening", "rekening", "rekeningnummer", "account", "glaccount"),
    "debit": ("debet", "debetbedrag", "debit"),
    "credit": ("credit", "creditbedrag"),
    "amount": ("bedrag", "amount"),
    "description": ("omschrijving", "toelichting", "description", "text"),
    "relation_id": ("relatie", "relatiecode", "debiteur", "crediteur", "relation"),
    "invoice_ref": ("factuurnummer", "factuur", "invoice", "invoicenumber"),
    "vat_code": ("btwcode", "btw", "vatcode"),
    "cost_center": ("kostenplaats", "costcenter"),
    "period": ("periode", "period"),
}  # fmt: skip


def _norm(text: str) -> str:
    return re.sub(r"[\s._\-/]+", "", text.strip().lower())


class Template:
    """The user's exported header: columns, delimiter, encoding (with or without BOM)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise KoppelError("template file not found", file=self.path, hint="export the register from the package")
        raw = self.path.read_bytes()
        self.bom = raw.startswith(b"\xef\xbb\xbf")
        try:
            text = raw.decode("utf-8-sig")
            self.encoding = "utf-8"
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="strict")
            self.encoding = "cp1252"
        first = text.splitlines()[0] if text.strip() else ""
        if not first.strip():
            raise KoppelError("the template has no header row", file=self.path, line=1)
        self.delimiter = max((";", ",", "\t"), key=first.count)
        self.columns = next(csv.reader([first], delimiter=self.delimiter))
        if len(self.columns) < 2:
            raise KoppelError(
                "the template header has fewer than two columns", file=self.path, line=1,
                hint="use the CSV the package exports, with its header row",
            )  # fmt: skip
        self.line_end = "\r\n" if "\r\n" in text[:4096] else "\n"

    def assign(self, synonyms: dict[str, tuple[str, ...]], extra: str | None) -> dict[str, str]:
        """Template column → canonical field; ``extra`` is 'Header:field;Header:field' from --option map=."""
        lookup = {syn: field for field, names in synonyms.items() for syn in names}
        out: dict[str, str] = {}
        used: set[str] = set()
        for col in self.columns:
            field = lookup.get(_norm(col))
            if field and field not in used:
                out[col] = field
                used.add(field)
        for pair in filter(None, (extra or "").split(";")):
            header, sep, field = pair.partition(":")
            if not sep or header.strip() not in self.columns:
                raise KoppelError(
                    f"map={pair!r}: {header.strip()!r} is not a column of the template",
                    file=self.path, field="map", hint=f"columns: {', '.join(self.columns)}",
                )  # fmt: skip
            if field.strip() and field.strip() not in synonyms:
                raise KoppelError(
                    f"map={pair!r}: unknown field {field.strip()!r}", field="map", hint=f"fields: {', '.join(synonyms)}"
                )
            out[header.strip()] = field.strip()
        return {k: v for k, v in out.items() if v}

    def write(self, path: Path, rows: list[list[str]]) -> None:
        with self.open(path) as put:
            put(rows)

    @contextlib.contextmanager
    def open(self, path: Path):
        """Write the header, then yield a function that appends rows (streamed, encoded as the template)."""
        with path.open("wb") as handle:
            if self.bom:
                handle.write(b"\xef\xbb\xbf")

            def put(rows: list[list[str]]) -> None:
                buffer = io.StringIO()
                writer = csv.writer(buffer, delimiter=self.delimiter, lineterminator=self.line_end)
                writer.writerows(rows)
                data = buffer.getvalue()
                try:
                    handle.write(data.encode(self.encoding))
                except UnicodeEncodeError as exc:
                    raise KoppelError(
                        f"{data[exc.start : exc.end]!r} cannot be written in {self.encoding}, the template's encoding",
                        file=path.name,
                        hint="replace the character in the source, or export the template as UTF-8",
                    ) from None

            put([self.columns])
            yield put


def relation_value(field: str, r: pd.Series) -> str:
    if field == "address":
        parts = [r.get("street"), house_number(r.get("house_nr"), r.get("house_nr_addition"))]
        return " ".join(str(p) for p in parts if isinstance(p, str) and p)
    value = r.get(field)
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def write_relations(out: AtomicDir, job: WriteJob, template: Template, kinds: tuple[str, ...], name: str,
                    result: WriteResult) -> tuple[str, dict[str, str], int]:  # fmt: skip
    assigned = template.assign(RELATION_SYNONYMS, job.option("map"))
    if "relation_id" not in assigned.values() or "name" not in assigned.values():
        raise KoppelError(
            "the template has no column koppel recognises as the relation number and the name",
            file=template.path,
            hint='name them with --option map="Klantnummer:relation_id;Naam:name"',
        )
    rel = job.relations()
    rel = rel[rel["kind"].isin(kinds) | (rel["kind"].isna() & ("customer" in kinds))]
    rows = [
        [relation_value(assigned[c], r) if c in assigned else "" for c in template.columns] for _, r in rel.iterrows()
    ]
    if rows:  # no relations of these kinds: no header-only file to import
        template.write(out.path(name), rows)
    return name, assigned, len(rows)


def write_entries(
    out: AtomicDir, job: WriteJob, template: Template, name: str, result: WriteResult
) -> tuple[str, dict[str, str], int]:
    """Entry lines in the template's shape; amounts with ``--option decimal`` (default ','), dates ``date_format``."""
    assigned = template.assign(LINE_SYNONYMS, job.option("map"))
    fields = set(assigned.values())
    if not ({"amount"} <= fields or {"debit", "credit"} <= fields) or "account_id" not in fields:
        raise KoppelError(
            "the template needs an account column and an amount (or debit and credit) column",
            file=template.path,
            hint='name them with --option map="Rekening:account_id;Bedrag:amount"',
        )
    mark = str(job.option("decimal", ","))
    date_format = str(job.option("date_format", "%d-%m-%Y"))
    total = 0
    tmp = out.path(name)
    with template.open(tmp) as put:
        for batch in _batches(job):
            total += _entry_rows(batch, template, assigned, fields, mark, date_format, put, result)
    if not total:  # no entries in the source: no header-only file to import
        out.discard(tmp)
    else:
        result.read_back = lambda: cents_by_account(tmp, template, assigned, mark)
    result.count("lines", total)
    return name, assigned, total


def cents_by_account(path: Path, template: Template, assigned: dict[str, str], mark: str) -> dict[str, int]:
    """Money per account in the written entries file, read back with the template's own dialect."""
    column = {field: header for header, field in assigned.items()}
    out: dict[str, int] = {}
    with path.open(encoding=template.encoding, newline="") as handle:
        if template.bom:
            handle.read(1)
        rows = csv.DictReader(handle, delimiter=template.delimiter)
        for row in rows:
            if "amount" in column:
                cents = parse_cents(row[column["amount"]] or "0", decimal_mark=mark)
            else:
                cents = parse_cents(row[column["debit"]] or "0", decimal_mark=mark) - parse_cents(
                    row[column["credit"]] or "0", decimal_mark=mark
                )
            account = row[column["account_id"]]
            out[account] = out.get(account, 0) + cents
    return out


def _batches(job: WriteJob):
    opening = job.opening()
    if not opening.empty:
        yield opening
    yield from job.lines()


def _entry_rows(batch, template: Template, assigned, fields, mark, date_format, put, result: WriteResult) -> int:
    rows: list[list[str]] = []
    src, tgt, cents = [], [], []
    for r in batch.itertuples(index=False):
        amount = int(r.amount)
        values = {
            "amount": format_cents(amount, decimal_mark=mark),
            "debit": format_cents(amount, decimal_mark=mark) if amount > 0 else "",
            "credit": format_cents(-amount, decimal_mark=mark) if amount < 0 else "",
            "date": r.date.strftime(date_format) if not pd.isna(r.date) else "",
        }
        row = []
        for c in template.columns:
            field = assigned.get(c)
            if field is None:
                row.append("")
            elif field in values:
                row.append(values[field])
            else:
                v = getattr(r, field)
                row.append("" if v is None or v is pd.NA or (not isinstance(v, str) and pd.isna(v)) else str(v))
        rows.append(row)
        if "amount" in fields:
            written = parse_cents(values["amount"], decimal_mark=mark)
        else:
            written = parse_cents(values["debit"] or "0", decimal_mark=mark) - parse_cents(
                values["credit"] or "0", decimal_mark=mark
            )
        src.append(r.source_account_id)
        tgt.append(r.account_id)
        cents.append(written)
    result.count("entries", int(batch[["journal_id", "entry_nr"]].drop_duplicates().shape[0]))
    result.tally(pd.Series(src, dtype=object), pd.Series(tgt, dtype=object), pd.Series(cents, dtype="int64"))
    put(rows)
    return len(rows)
