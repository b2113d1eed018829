"""``koppel profile init``: look at a CSV/XLSX export and write a starter profile.

The starter says what was detected (encoding, delimiter, decimal mark, date formats, which column looks like
which field) and marks with ``# DECIDE`` what only the user can settle (accounts, an ambiguous date column,
cp1252 versus latin-1 when the sample cannot tell). It always loads, so the user can iterate on it.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from ..errors import KoppelError
from .bom import WIDE, file_bom
from .fields import DATE_CANDIDATES
from .table import sniff_delimiter, sniff_text

SYNONYMS = {
    "date": ["datum", "date", "boekdatum", "boekingsdatum", "transactiedatum", "transaction_date", "paid at",
             "booking date", "dag"],
    "doc": [
        "boekstuk",
        "boekstuknummer",
        "factuurnummer",
        "invoice",
        "order",
        "bonnummer",
        "receipt",
        "name",
        "entry",
        "entry number",
        "boekstuknr",
    ],
    "account": ["rekening", "grootboek", "grootboekrekening", "account", "gl account", "grbrek", "grootboeknummer",
                "grootboekrekeningnummer", "rekeningnummer", "grootboekrek.nr.", "gb-rekening", "ledger account"],
    "amount": ["bedrag", "amount", "total", "totaal", "gross", "bruto", "bedrag (eur)", "amount (eur)", "waarde"],
    "debit": ["debet", "debit", "debet bedrag", "debetbedrag", "debit amount"],
    "credit": ["credit", "credit bedrag", "creditbedrag", "credit amount"],
    "vat_rate": ["btw", "btw %", "btw-tarief", "vat", "vat rate", "tax rate", "tarief"],
    "vat": ["btw-bedrag", "btw bedrag", "vat amount", "taxes", "tax"],
    "payment_method": ["betaalwijze", "betaalmethode", "payment method", "payment_method", "betaling"],
    "category": ["categorie", "category", "productgroep", "omzetgroep", "product category"],
    "description": ["omschrijving", "description", "mededelingen", "naam / omschrijving", "memo"],
    "journal": ["dagboek", "journal"],
    "direction": ["af bij", "af/bij", "debit/credit", "d/c"],
}
_NUMBER_COMMA = re.compile(r"^[+-]?(?:€\s*)?\d{1,3}(?:\.\d{3})*,\d{1,2}-?$|^[+-]?\d+,\d{1,2}$")
_NUMBER_POINT = re.compile(r"^[+-]?(?:€\s*)?\d{1,3}(?:,\d{3})*\.\d{1,2}$|^[+-]?\d+\.\d{1,2}$")
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?$|^\d{8}$")


def _load_sample(path: Path, rows: int = 500) -> tuple[list[str], list[list[str]], dict]:
    detected: dict = {}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from .profile import ExportDialect
        from .table import read_xlsx

        table = read_xlsx(path, ExportDialect(format="xlsx"))
        frame = next(table.chunks).drop(columns="_row").head(rows).fillna("")
        detected |= {"format": "xlsx", "encoding": "utf-8", "delimiter": ","}
        return table.columns, frame.astype(str).to_numpy().tolist(), detected
    text, encoding = sniff_text(path)
    detected["format"] = "csv"
    detected["encoding"] = encoding
    detected["bom"] = file_bom(path) is not None
    lines = text.splitlines()
    if not lines:
        raise KoppelError("the file is empty", file=path)
    delimiter = sniff_delimiter(lines[:20])  # as the reader sniffs a profile without a delimiter
    detected["delimiter"] = delimiter
    reader = csv.reader(lines[: rows + 1], delimiter=delimiter)
    parsed = list(reader)
    return parsed[0], parsed[1:], detected


def _guess_field(header: str) -> str | None:
    key = header.strip().casefold()
    for field, names in SYNONYMS.items():
        if key in names:
            return field
    return None


def _date_formats(values: list[str]) -> list[str]:
    values = sorted({v.split(" ")[0].split("T")[0] for v in values if v})
    if not values:
        return []
    series = pd.Series(values, dtype="string")
    fits = []
    for fmt in DATE_CANDIDATES:
        parsed = pd.to_datetime(series, format=fmt, errors="coerce")
        if parsed.notna().all():
            fits.append((fmt, parsed))
    distinct = []
    for fmt, parsed in fits:
        if not any(parsed.equals(p) for _, p in distinct):
            distinct.append((fmt, parsed))
    return [fmt for fmt, _ in distinct]


def starter_profile(path: str | Path) -> str:
    """The text of a starter profile for ``path`` (TOML with comments)."""
    path = Path(path)
    if not path.is_file():
        raise KoppelError("file not found", file=path)
    header, rows, detected = _load_sample(path)
    columns = {name: [r[i] if i < len(r) else "" for r in rows] for i, name in enumerate(header)}
    decide: list[str] = []
    fields: dict[str, str] = {}
    dates: dict[str, str] = {}
    money: list[str] = []
    comma = point = 0
    for name, values in columns.items():
        filled = [v.strip() for v in values if v.strip()]
        field = _guess_field(name)
        if filled and all(_DATE_LIKE.match(v) for v in filled):
            field = field or ("date" if "date" not in fields else None)
            formats = _date_formats(filled)
            if field:
                if len(formats) == 1:
                    dates[field] = formats[0]
                elif len(formats) > 1:
                    dates[field] = formats[0]
                    decide.append(f"date column {name!r} is ambiguous: {' or '.join(formats)} — set [dates] {field}")
        decimals = [v for v in filled if _NUMBER_COMMA.match(v) or _NUMBER_POINT.match(v)]
        named_money = field in ("amount", "debit", "credit", "vat")  # whole euros are money too when the name says so
        if (decimals or named_money) and filled and all(
            _NUMBER_COMMA.match(v) or _NUMBER_POINT.match(v) or v.lstrip("+-").isdigit() for v in filled
        ):
            comma += sum(bool(_NUMBER_COMMA.match(v)) for v in filled)
            point += sum(bool(_NUMBER_POINT.match(v)) for v in filled)
            if field in (None, "amount", "debit", "credit", "vat"):
                field = field or re.sub(r"\W+", "_", name.strip().casefold()).strip("_") or "amount"
                if field not in ("doc", "account", "journal", "vat_rate", "date"):
                    money.append(field)
        if field and field not in fields:
            fields[field] = name
    decimal = "," if comma > point else "."
    thousands = "." if decimal == "," and any("." in v for f in money for v in columns[fields[f]]) else ""
    if detected["encoding"] not in ("utf-8", *WIDE):
        decide.append(
            f"encoding: bytes outside UTF-8; guessed {detected['encoding']} — choose cp1252 (Windows, has €) or "
            "latin-1 (ISO-8859-1)"
        )
    if "date" not in fields:
        decide.append("no date column recognised: set [columns] date")
        fields["date"] = header[0]
    if not money:
        decide.append(f"no amount column recognised: [columns] amount is set to {header[-1]!r} — check it")
        fields["amount"] = header[-1]
        money = ["amount"]
    if "account" not in fields:
        decide.append("no account column: the [[post]] sections book to placeholder accounts 9998/9999 — set them")
    decide.append("the journal id, the accounts and the aggregation (none, day, month) are yours to set")
    out = [
        f"# Starter profile for {path.name}, written by `koppel profile init`. Check every line marked DECIDE.",
        f"# Detected: format {detected['format']}, encoding {detected['encoding']}"
        + (" (with BOM)" if detected.get("bom") else "")
        + f", delimiter {detected['delimiter']!r}, decimal mark {decimal!r}"
        + (f", thousands {thousands!r}" if thousands else "")
        + f", {len(header)} columns, {len(rows)} sample rows.",
        "",
    ]
    out += [f"# DECIDE: {d}" for d in decide]
    out += [
        "",
        "[profile]",
        f'name = "{path.stem}"',
        f'title = "{path.stem} (starter)"',
        'evidence = "A"',
        "",
        "[dialect]",
        f'format = "{detected["format"]}"',
        f'encoding = "{detected["encoding"]}"',
        f"delimiter = {_q(detected['delimiter'])}",
        f'decimal_mark = "{decimal}"',
        f'thousands = "{thousands}"',
        'totals_rows = ["Totaal", "Total"]',
        "",
        "[columns]",
    ]
    out += [f"{field} = {_q(name)}" for field, name in fields.items()]
    out += ["", "[dates]"] + [f'{field} = "{fmt}"' for field, fmt in dates.items()]
    if "date" not in dates:
        out.append('date = "%Y-%m-%d"  # DECIDE')
    out += [
        "",
        "[money]",
        f"fields = [{', '.join(_q(m) for m in money)}]",
        "",
        "[journal]",
        'id = "MEM"  # DECIDE',
        'description = "Memoriaal"',
        "",
        "[entries]",
        'aggregate = "none"  # DECIDE: none (entry per document), day or month',
        'rounding_account = "8990"',
        'rounding_tolerance = "0.00"',
        "",
    ]
    amount = money[0] if money else None
    if "debit" in money and "credit" in money:
        amount = ["debit", "-credit"]
    if "direction" in fields:
        i = out.index("[money]") + 2
        out.insert(i, 'direction = { field = "direction", negative = ["Af", "D"], positive = ["Bij", "C"] }  # DECIDE')
    if "account" in fields:
        text = _q(amount) if isinstance(amount, str) else "[" + ", ".join(_q(a) for a in amount) + "]"
        out += ["[[post]]", f"amount = {text}", 'account = "field:account"', ""]
    else:
        desc = 'description = "field:description"\n' if "description" in fields else ""
        out += [
            "[[post]]",
            f'amount = "{amount}"',
            'account = "9998"  # DECIDE: e.g. the bank or cash account',
            desc,
            "[[post]]",
            f'amount = "-{amount}"',
            'account = "9999"  # DECIDE: e.g. revenue or a [map]',
            "",
        ]
    return "\n".join(out) + "\n"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'
