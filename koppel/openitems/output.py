"""Writing open items (csv, xlsx, json) and the payment-status read-back for invoicing systems."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import date
from json.encoder import encode_basestring
from pathlib import Path

import pandas as pd

from ..atomic import AtomicDir, atomic_open
from ..errors import KoppelError
from ..money import format_cents, format_cents_series
from ..provenance import provenance_lines, stamp
from ..reports.safe_text import CsvRows, write_csv, xlsx_row
from . import tables as columns
from .engine import OpenItemsResult

OUTPUT_FORMATS = ("csv", "xlsx", "json")
MONEY = {
    "original_amount",
    "paid_amount",
    "open_amount",
    "amount",
    "opening_balance",
    "movements",
    "closing_balance",
    "open_items_total",
    "unallocated_total",
    "difference",
    "opening_without_relation",
    "lines_without_relation",
    "unexplained",
    "subledger_total",
}
NUMBERS = {"days_overdue", "postings"}  # with MONEY, the columns written as numbers, not neutralised
STATUS_COLUMNS = ("invoice", "relation_id", "status", "open_amount", "last_payment_date", "note")
# rows of a table made Python values at once while writing (a row is ~15 objects). On the 1.2M-line synthetic file
# 20k keeps the write below the computation's peak; 5k took ~3% more wall time for no lower peak
CHUNK_ROWS = 20_000


def _text(value, column: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if column in MONEY:
        return format_cents(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (date, pd.Timestamp)):
        return value.isoformat()[:10]
    return str(value)


def _json_value(value, column: str):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if column in MONEY:
        return format_cents(int(value))
    if isinstance(value, (date, pd.Timestamp)):
        return value.isoformat()[:10]
    if hasattr(value, "item"):
        return value.item()
    return value


def sheets(result: OpenItemsResult) -> dict[str, pd.DataFrame]:
    """The three tables of a report: open items, the postings and how they matched, the reconciliation."""
    return {
        "open_items": result.open_items(),
        "postings": result.postings,
        "reconciliation": result.reconciliation,
    }


def _streamed(result: OpenItemsResult) -> dict[str, Callable[[int], Iterator[pd.DataFrame]]]:
    """:func:`sheets` as DataFrames of at most n rows each, made one at a time from the result's columns: the
    whole tables as DataFrames were most of the peak (a Python object per cell)."""
    recon = result.reconciliation

    def reconciliation(size: int) -> Iterator[pd.DataFrame]:
        for start in range(0, max(len(recon), 1), size):
            yield recon.iloc[start : start + size]

    return {
        "open_items": lambda size: columns.chunks(result.item_table, size, rows=result.open_rows()),
        "postings": lambda size: columns.chunks(result.posting_table, size),
        "reconciliation": reconciliation,
    }


def write_report(result: OpenItemsResult, out: str | Path, *, input_path: str | Path | None = None) -> list[Path]:
    """Write ``out`` (.csv, .xlsx or .json). CSV writes two companions: ``<stem>.postings.csv`` and
    ``<stem>.reconciliation.csv``. All files appear together or not at all. JSON and Excel say which koppel made
    them from which input (``input_path``: name and SHA-256) and when; a CSV has no place for it."""
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in OUTPUT_FORMATS:
        raise KoppelError(
            f"unknown output type {out.suffix or '(none)'!r}", file=out, hint="name it .csv, .xlsx or .json"
        )
    tables = _streamed(result)
    with AtomicDir(out.parent if str(out.parent) else Path(".")) as folder:
        if fmt == "csv":
            names = {
                "open_items": out.name,
                "postings": f"{out.stem}.postings.csv",
                "reconciliation": f"{out.stem}.reconciliation.csv",
            }
            for key, parts in tables.items():
                _csv(parts, folder.path(names[key]))
            written = [out.parent / n for n in names.values()]
        elif fmt == "json":
            payload = {
                "at": result.at.isoformat(),
                "amounts": "decimal strings, debit positive (a supplier invoice is negative)",
                "control_accounts": [vars(c) for c in result.control],
                "notes": result.notes,
                **tables,
            }
            _write_json(stamp(payload, input_path), folder.path(out.name))
            written = [out]
        else:
            _xlsx(tables, result, folder.path(out.name), input_path)
            written = [out]
    return written


def _write_json(payload: dict, path: Path) -> None:
    """``payload`` as ``json.dumps(..., indent=2)`` writes it, its tables (callables giving DataFrames of n rows)
    a row at a time: the whole document as Python objects and one string was 2.2 times the memory of the
    computation (1 GB on 300k lines). A row is laid out here as the indenting encoder lays out a flat object, its
    cells encoded as that encoder encodes them (:func:`_json_text`): the encoder itself, pure Python when it
    indents, took most of the command's time."""

    def dump(value) -> str:
        return json.dumps(value, indent=2, ensure_ascii=False)

    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("{")
        for n, (key, value) in enumerate(payload.items()):
            handle.write(("," if n else "") + f"\n  {dump(key)}: ")
            if not callable(value):
                handle.write(dump(value).replace("\n", "\n  "))
                continue
            first = True
            for part in value(CHUNK_ROWS):
                names = list(part.columns)
                keys = [f"\n      {dump(c)}: " for c in names]
                for row in part.itertuples(index=False, name=None):
                    cells = ",".join(
                        k + _json_text(_json_value(v, c)) for k, v, c in zip(keys, row, names, strict=True)
                    )
                    handle.write(("[\n    {" if first else ",\n    {") + cells + "\n    }")
                    first = False
            handle.write("[]" if first else "\n  ]")
        handle.write("\n}\n" if payload else "}\n")


def _json_text(value) -> str:
    """A cell of a table as json.dumps writes it: text through the encoder's own escaping (non-ASCII kept)."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return encode_basestring(value)
    return json.dumps(value)


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, column by column: amounts '1234.50', dates ISO, flags yes/no, missing ''."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        values = frame[col]
        if col in MONEY:
            out[col] = format_cents_series(values.astype("Int64"))
        elif values.dtype == bool:
            out[col] = values.map({True: "yes", False: "no"})
        elif str(values.dtype) in ("string", "str") or str(values.dtype).startswith("Int"):
            out[col] = values.astype("string").fillna("")
        else:
            out[col] = [_text(v, col) for v in values.astype(object).tolist()]
    return out


def _number_columns(frame: pd.DataFrame) -> set[str]:
    """Columns holding amounts, counts, numbers or yes/no: every other column is text to neutralise."""
    typed = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) or frame[c].dtype == bool}
    return typed | (MONEY | NUMBERS) & set(frame.columns)


def _csv(parts: Callable[[int], Iterator[pd.DataFrame]], path: Path, chunk: int | None = None) -> None:
    """Write the table ``parts`` gives as text a chunk at a time, so the text copy never holds more than ``chunk``
    rows."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        for n, frame in enumerate(parts(chunk or CHUNK_ROWS)):
            write_csv(_text_frame(frame), handle, keep=_number_columns(frame), header=n == 0)


def _xlsx(tables: dict, result: OpenItemsResult, path: Path, input_path=None) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, parts in tables.items():
        sheet = book.create_sheet(name)
        for n, frame in enumerate(parts(CHUNK_ROWS)):
            if n == 0:
                sheet.append(xlsx_row(sheet, frame.columns))
            _xlsx_rows(sheet, frame)
    notes = book.create_sheet("notes")
    notes.append([f"open items at {result.at.isoformat()}"])
    for note in result.notes:
        notes.append(xlsx_row(notes, [note]))
    labels = {"koppel": "koppel", "input": "input", "SHA-256": "SHA-256", "UTC": "made at (UTC)"}
    for label, value in provenance_lines(input_path):  # which koppel, from which bytes, when
        notes.append(xlsx_row(notes, [f"{labels[label]} {value}"]))
    book.save(str(path))


def _xlsx_rows(sheet, frame: pd.DataFrame) -> None:
    for row in frame.itertuples(index=False):
        cells = []
        for value, col in zip(row, frame.columns, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                cells.append(None)
            elif col in MONEY:
                cells.append(int(value) / 100)  # euros for Excel display only; the cents are exact
            elif hasattr(value, "item"):
                cells.append(value.item())
            else:
                cells.append(value)
        sheet.append(xlsx_row(sheet, cells))  # text from the file never becomes a formula


def read_invoice_list(path: str | Path) -> pd.DataFrame:
    """A CSV of invoice numbers (column ``invoice``; optional ``relation``), ``;`` or ``,`` separated."""
    path = Path(path)
    if not path.is_file():
        raise KoppelError("file not found", file=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KoppelError("not UTF-8 text", file=path, hint="save the list as UTF-8 CSV") from exc
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        raise KoppelError(
            "the invoice list is empty", file=path, hint="write a header row 'invoice' and one row per invoice"
        )
    header = [h.strip().lower() for h in rows[0]]
    aliases = {"invoice": ("invoice", "factuur", "factuurnummer", "invoice_ref", "invoice_number")}
    col = next((header.index(a) for a in aliases["invoice"] if a in header), None)
    if col is None:
        raise KoppelError(
            "no column 'invoice'",
            file=path,
            line=1,
            field="invoice",
            hint="the first row must name the columns, one of them 'invoice' (or 'factuurnummer')",
        )
    rel_col = next((header.index(a) for a in ("relation", "relation_id", "debiteur", "klant") if a in header), None)
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if col >= len(row) or not row[col].strip():
            raise KoppelError(
                "invoice number missing", file=path, line=n, field="invoice", hint="fill in or remove the row"
            )
        relation = row[rel_col].strip() if rel_col is not None and rel_col < len(row) else ""
        out.append({"invoice": row[col].strip(), "relation_id": relation or None, "row": n})
    return pd.DataFrame(out, columns=["invoice", "relation_id", "row"])


def payment_status(result: OpenItemsResult, invoices: pd.DataFrame) -> pd.DataFrame:
    """For each listed sales invoice: paid, partly paid, open (or overpaid, not found) at ``result.at``."""
    items = result.items[(result.items["side"] != "supplier") & (result.items["kind"] != "payment")]
    rows = []
    for inv in invoices.itertuples(index=False):
        found = items[items["invoice"] == inv.invoice]
        relation = inv.relation_id if isinstance(inv.relation_id, str) and inv.relation_id else None
        if relation:
            found = found[found["relation_id"] == relation]
        if found.empty:
            rows.append(
                {
                    "invoice": inv.invoice,
                    "relation_id": relation,
                    "status": "not found",
                    "open_amount": None,
                    "last_payment_date": None,
                    "note": "no sales invoice with this number on a debtors control account",
                }
            )
            continue
        if found["relation_id"].nunique() > 1:
            rows.append(
                {
                    "invoice": inv.invoice,
                    "relation_id": None,
                    "status": "ambiguous",
                    "open_amount": None,
                    "last_payment_date": None,
                    "note": "several relations have this invoice number; add a relation column",
                }
            )
            continue
        open_ = int(found["open_amount"].sum())
        original = int(found["original_amount"].sum())
        paid = int(found["paid_amount"].sum())
        if open_ == 0:
            status = "paid"
        elif original and open_ * original < 0:
            status = "overpaid"
        elif paid:
            status = "partly paid"
        else:
            status = "open"
        last = found["last_payment_date"].dropna()
        rows.append(
            {
                "invoice": inv.invoice,
                "relation_id": found["relation_id"].iloc[0],
                "status": status,
                "open_amount": open_,
                "last_payment_date": max(last) if len(last) else None,
                "note": "",
            }
        )
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def write_status(frame: pd.DataFrame, out: str | Path) -> Path:
    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise KoppelError("the payment status is written as CSV", file=out, hint="name the output .csv")
    with atomic_open(out, "w", encoding="utf-8", newline="") as handle:
        writer = CsvRows(handle, keep=[i for i, c in enumerate(frame.columns) if c in MONEY])
        writer.writerow(list(frame.columns))
        for row in frame.itertuples(index=False):
            writer.writerow([_text(v, c) for v, c in zip(row, frame.columns, strict=True)])
    return out
