"""Reports of a check result: a self-contained HTML page per file, an index page, and an Excel workbook.

Loaded on first use: ``koppel.reports.safe_text`` (every spreadsheet writer needs it) must not pull in
Jinja and openpyxl for a conversion that writes neither.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "neutralise_formula": "safe_text",
    "safe_cell_text": "safe_text",
    "render_html_report": "html",
    "write_html_report": "html",
    "write_report_index": "html",
    "write_xlsx_report": "xlsx",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
