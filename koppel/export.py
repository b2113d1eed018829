"""``koppel export``: one file per canonical table, streamed for the lines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import AtomicDir
from .errors import KoppelError
from .model import DATE_COLUMNS, MASTER_TABLES, MONEY_COLUMNS, TABLES, Administration
from .money import format_cents_series
from .provenance import stamp
from .reports.safe_text import write_csv, xlsx_row
from .summary import summarize

EXPORT_FORMATS = ("csv", "xlsx", "parquet")
XLSX_MAX_ROWS = 1_048_575  # one row for the header


def to_text_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Render a canonical table as text: amounts '1234.50', dates 'YYYY-MM-DD', rates '21.00', ids as is.

    Built as one dict of columns (not column by column into a frame), and empty columns are not rendered:
    a batch job exports thousands of small tables, where pandas' per-operation cost dominates. Text is not
    neutralised here: :func:`koppel.reports.safe_text.write_csv` does that on the way out.
    """
    n = len(frame)
    out: dict[str, object] = {}
    for col in TABLES[name]:
        values = frame[col]
        if n and not values.notna().any():
            out[col] = np.full(n, "", dtype=object)
        elif col in MONEY_COLUMNS[name] or col == "vat_rate":
            out[col] = format_cents_series(values)
        elif col in DATE_COLUMNS[name]:
            out[col] = values.dt.strftime("%Y-%m-%d").fillna("")
        else:
            out[col] = values.astype("string").fillna("")
    return pd.DataFrame(out, index=frame.index)


def text_columns(name: str) -> list[str]:
    """The columns of table ``name`` that hold text from the file (not amounts, dates, rates or numbers)."""
    return [
        col
        for col, dtype in TABLES[name].items()
        if dtype == "string" and col not in MONEY_COLUMNS[name] and col not in DATE_COLUMNS[name] and col != "vat_rate"
    ]


def export_tables(
    adm: Administration, outdir: str | Path, fmt: str = "csv", *, input_path: str | Path | None = None
) -> list[Path]:
    """Write every canonical table (and summary.json) to ``outdir``; all files appear together or none.

    summary.json names koppel's version and, given ``input_path``, the input's name and SHA-256 — but no time: the
    same input gives the same bytes (a job re-run after a crash compares its outputs byte for byte)."""
    if fmt not in EXPORT_FORMATS:
        raise KoppelError(f"unknown export format {fmt!r}", hint="use csv, xlsx or parquet")
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise KoppelError("the output path exists and is not a folder", file=outdir)
    with AtomicDir(outdir) as out:
        for name in MASTER_TABLES:
            _write(out, name, [adm.table(name)], fmt)
        _write(out, "lines", adm.lines.batches(), fmt)
        summary = out.path("summary.json")
        document = stamp(summarize(adm), input_path, timed=False)  # the same input gives the same bytes
        summary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written = [out.folder / f"{name}.{fmt}" for name in (*MASTER_TABLES, "lines")]
    return [*written, outdir / "summary.json"]


def _write(out: AtomicDir, name: str, batches, fmt: str) -> None:
    tmp = out.path(f"{name}.{fmt}")
    if fmt == "csv":
        numbers = set(TABLES[name]) - set(text_columns(name))
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            header = True
            for batch in batches:
                write_csv(to_text_frame(name, batch), handle, keep=numbers, header=header)
                header = False
            if header:
                empty = pd.DataFrame({c: pd.Series(dtype=d) for c, d in TABLES[name].items()})
                write_csv(to_text_frame(name, empty), handle, keep=numbers)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        writer = None
        try:
            for batch in batches:
                table = pa.Table.from_pandas(batch, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(str(tmp), table.schema)
                writer.write_table(table.cast(writer.schema))
            if writer is None:
                from .model import empty_table

                pq.write_table(pa.Table.from_pandas(empty_table(name), preserve_index=False), str(tmp))
        finally:
            if writer is not None:
                writer.close()
    else:
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter

        book = Workbook(write_only=True)
        sheet = book.create_sheet(name)
        typed = _xlsx_sheet_head(sheet, name)
        rows = 0
        for batch in batches:
            rows += len(batch)
            if rows > XLSX_MAX_ROWS:
                raise KoppelError(
                    f"{name} has more than {XLSX_MAX_ROWS:,} rows, more than one Excel sheet can hold",
                    hint="export with --format csv or parquet",
                )
            text = batch.copy()
            for col in MONEY_COLUMNS[name]:  # amounts stay numbers in Excel: euros with two decimals
                text[col] = (batch[col].astype("Float64") / 100).astype(object).where(batch[col].notna(), None)
            for col in DATE_COLUMNS[name]:
                text[col] = batch[col].dt.date.astype(object).where(batch[col].notna(), None)
            for row in text.astype(object).where(text.notna(), None).itertuples(index=False, name=None):
                cells = xlsx_row(sheet, row)  # text cells (ids like 0100 too): no formulas, no illegal chars
                for index, number_format in typed:
                    if cells[index] is not None:
                        cells[index] = _formatted(sheet, cells[index], number_format)
                sheet.append(cells)
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(TABLES[name]))}{rows + 1}"
        book.save(str(tmp))


XLSX_AMOUNT_FORMAT = "#,##0.00"
XLSX_DATE_FORMAT = "dd-mm-yyyy"


def _xlsx_sheet_head(sheet, name: str) -> list[tuple[int, str]]:
    """Bold, frozen header row and column widths (before the rows: the sheet is written as it streams);
    returns (column index, number format) of the amount and date columns."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    typed: list[tuple[int, str]] = []
    header = []
    for index, col in enumerate(TABLES[name]):
        if col in MONEY_COLUMNS[name]:
            typed.append((index, XLSX_AMOUNT_FORMAT))
            width = 14
        elif col in DATE_COLUMNS[name]:
            typed.append((index, XLSX_DATE_FORMAT))
            width = 12
        else:
            width = min(max(len(col) + 4, 10), 40)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
        cell = WriteOnlyCell(sheet, col)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.freeze_panes = "A2"
    sheet.append(header)
    return typed


def _formatted(sheet, value, number_format: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.number_format = number_format
    return cell
