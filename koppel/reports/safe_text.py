"""Text from untrusted files, made safe for spreadsheets: no cell may start a formula.

Excel, LibreOffice and every CSV importer treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a leading tab or carriage return) as a formula — "CSV/formula injection". Text taken from an
auditfile goes through :func:`neutralise_formula` before it lands in a TEXT cell; amounts stay numbers.
"""

from __future__ import annotations

import re

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
