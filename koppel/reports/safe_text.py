"""The one writer of spreadsheets meant for people: no cell taken from a file may start a formula.

Excel, LibreOffice and every CSV importer treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a leading tab or carriage return) as a formula — "CSV/formula injection". Every CSV and XLSX that
koppel writes for people to open (``koppel export``, relation lists and their findings, open items and their
postings, the payment status, check reports, the lists of what a conversion dropped) goes through this module:
text cells that would start a formula get a leading ``'``; columns that hold numbers, amounts or dates (which
the caller names in ``keep``) stay as they are, so ``-21.00`` stays a number. In XLSX, text is never stored as
a formula or an error value, and characters the format cannot hold become U+FFFD.

Package import files (Minox, Asperion, … CSV) do not come here: the package reads them as data, and a ``'``
would be imported as part of the value (see the README).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Characters XML 1.0 and the xlsx format cannot hold (openpyxl refuses them with IllegalCharacterError).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def neutralise_formula(text: str) -> str:
    """Prefix a single quote when ``text`` would start a formula: '=HYPERLINK(..)' -> \"'=HYPERLINK(..)\"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def strip_illegal(text: str) -> str:
    """Replace control characters a spreadsheet cannot hold by U+FFFD, so nothing vanishes unseen."""
    return _ILLEGAL.sub("\ufffd", text)


def safe_cell_text(value: object) -> str:
    """Any value as spreadsheet-safe text: str(), illegal characters replaced, formulas neutralised."""
    return neutralise_formula(strip_illegal("" if value is None else str(value)))


def neutralise_series(text: pd.Series) -> pd.Series:
    """A column of text with :func:`neutralise_formula` applied to each cell (missing values stay missing)."""
    text = text.astype("string")
    risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
    if not risky.any():
        return text
    return text.where(~risky, "'" + text)


def neutralise_frame(frame: pd.DataFrame, keep: Iterable[str] = ()) -> pd.DataFrame:
    """Every column except ``keep`` (numbers, amounts, dates) as neutralised text; column names too."""
    keep = set(keep)
    out = {
        neutralise_formula(str(col)): (frame[col] if col in keep else neutralise_series(frame[col]))
        for col in frame.columns
    }
    return pd.DataFrame(out, index=frame.index)


def write_csv(frame: pd.DataFrame, target: str | Path | IO[str], *, keep: Iterable[str] = (),
              header: bool = True) -> None:
    """``frame`` as CSV for people (UTF-8, CRLF): text neutralised, ``keep`` columns as they are."""
    neutralise_frame(frame, keep).to_csv(target, index=False, header=header, encoding="utf-8", lineterminator="\r\n")


def csv_cells_arrow(text: Any, delimiter: str = ";") -> Any:
    """A pyarrow string array as ready-made CSV cells (for CSVs joined in Arrow): neutralised as
    :func:`neutralise_formula` does, and quoted as the csv module would when a cell holds the delimiter, a
    quote or a line break, so a hostile value can neither start a formula nor split a row."""
    import pyarrow.compute as pc

    risky = pc.fill_null(pc.match_substring_regex(text, r"^[=+\-@\t\r]"), False)
    text = pc.if_else(risky, pc.binary_join_element_wise("'", text, ""), text)
    special = pc.fill_null(pc.match_substring_regex(text, "[" + re.escape(delimiter) + '"\r\n]'), False)
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(special, quoted, text)


class CsvRows:
    """A ``csv.writer`` whose cells are neutralised, except those at the positions in ``keep``."""

    def __init__(self, handle: IO[str], keep: Iterable[int] = (), **fmtparams: Any) -> None:
        self._writer = csv.writer(handle, lineterminator=fmtparams.pop("lineterminator", "\r\n"), **fmtparams)
        self._keep = set(keep)

    def writerow(self, row: Sequence[object]) -> None:
        cells = ["" if v is None else str(v) for v in row]
        self._writer.writerow([c if i in self._keep else neutralise_formula(c) for i, c in enumerate(cells)])


def xlsx_cell(sheet: Any, value: Any, neutralise: bool = True) -> Any:
    """A value for an openpyxl sheet: text made safe and always stored as text, other values unchanged.

    openpyxl stores a str that starts with ``=`` as a formula and one of ``#N/A``, ``#REF!``, … as an error;
    neutralised text never starts with ``=``, and text that could still be read as something else is written
    as a cell with the string type set. ``neutralise=False`` (numbers rendered as text) only makes it safe.
    """
    if not isinstance(value, str):
        return value
    text = safe_cell_text(value) if neutralise else strip_illegal(value)
    if text.startswith(("#", "=")):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def xlsx_row(sheet: Any, values: Iterable[Any], keep: Iterable[int] = ()) -> list[Any]:
    """A row for ``sheet.append``: every text value through :func:`xlsx_cell` (positions in ``keep`` not
    neutralised: numbers or amounts rendered as text)."""
    keep = set(keep)
    return [xlsx_cell(sheet, v, i not in keep) for i, v in enumerate(values)]
