"""Readable relation lists: XLSX (sheets Relaties and Bevindingen) or CSV (+ ``.findings.csv`` beside it)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..atomic import atomic_path
from ..errors import KoppelError
from ..money import format_cents_series
from ..provenance import provenance_lines
from ..reports.safe_text import write_csv, xlsx_row
from .validate import FINDING_COLUMNS

LIST_FORMATS = ("xlsx", "csv")
NUMBER_COLUMNS = ("payment_days", "credit_limit")  # numbers rendered as text: a '-' there is a sign


def relation_table(relations: pd.DataFrame, extras: pd.DataFrame | None) -> pd.DataFrame:
    """The canonical relations plus extra fields (SEPA mandate, credit limit, ...) as one text table."""
    table = relations.copy()
    table["payment_days"] = table["payment_days"].astype("string")
    if extras is not None and len(extras):
        extra = extras.drop(columns=[c for c in ("_row",) if c in extras]).drop_duplicates("relation_id")
        if "credit_limit" in extra and pd.api.types.is_integer_dtype(extra["credit_limit"]):
            extra["credit_limit"] = format_cents_series(extra["credit_limit"])
        table = table.merge(extra, on="relation_id", how="left")
    return table.astype("string").fillna("")


def write_relation_list(
    table: pd.DataFrame, findings: pd.DataFrame, output: str | Path, fmt: str, *, input_path: str | Path | None = None
) -> list[Path]:
    """Write the list (and its findings) atomically; returns the files written. The workbook's sheet Herkomst says
    which koppel made it from which input (``input_path``: name and SHA-256) and when; a CSV has no place for it."""
    output = Path(output)
    if fmt not in LIST_FORMATS:
        raise KoppelError(f"unknown list format {fmt!r}", hint="use xlsx or csv, or a package target")
    findings = findings.reindex(columns=FINDING_COLUMNS).astype("string").fillna("")
    if fmt == "csv":
        side = output.with_name(output.stem + ".findings.csv")
        with atomic_path(output) as tmp, atomic_path(side) as tmp_side:
            write_csv(table, tmp, keep=NUMBER_COLUMNS)
            write_csv(findings, tmp_side)
        return [output, side]
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, frame in (("Relaties", table), ("Bevindingen", findings)):
        sheet = book.create_sheet(title)
        sheet.append(xlsx_row(sheet, frame.columns))
        keep = [i for i, col in enumerate(frame.columns) if col in NUMBER_COLUMNS]
        for row in frame.itertuples(index=False, name=None):
            sheet.append(xlsx_row(sheet, row, keep))
    origin = book.create_sheet("Herkomst")
    origin.append(["gegeven", "waarde"])
    labels = {"koppel": "koppel-versie", "input": "bestand", "SHA-256": "SHA-256", "UTC": "gemaakt op (UTC)"}
    for label, value in provenance_lines(input_path):
        origin.append(xlsx_row(origin, [labels[label], value]))
    with atomic_path(output) as tmp:
        book.save(str(tmp))
    return [output]
