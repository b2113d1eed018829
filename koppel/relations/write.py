"""Readable relation lists: XLSX (sheets Relaties and Bevindingen) or CSV (+ ``.findings.csv`` beside it)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..atomic import atomic_path
from ..errors import KoppelError
from ..money import format_cents_series
from .validate import FINDING_COLUMNS

LIST_FORMATS = ("xlsx", "csv")


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


def write_relation_list(table: pd.DataFrame, findings: pd.DataFrame, output: str | Path, fmt: str) -> list[Path]:
    """Write the list (and its findings) atomically; returns the files written."""
    output = Path(output)
    if fmt not in LIST_FORMATS:
        raise KoppelError(f"unknown list format {fmt!r}", hint="use xlsx or csv, or a package target")
    findings = findings.reindex(columns=FINDING_COLUMNS).astype("string").fillna("")
    if fmt == "csv":
        side = output.with_name(output.stem + ".findings.csv")
        with atomic_path(output) as tmp, atomic_path(side) as tmp_side:
            table.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\r\n")
            findings.to_csv(tmp_side, index=False, encoding="utf-8", lineterminator="\r\n")
        return [output, side]
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, frame in (("Relaties", table), ("Bevindingen", findings)):
        sheet = book.create_sheet(title)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            sheet.append(list(row))
    with atomic_path(output) as tmp:
        book.save(str(tmp))
    return [output]
