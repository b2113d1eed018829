"""Reports of a check result: a self-contained HTML page per file, an index page, and an Excel workbook."""

from .html import render_html_report, write_html_report, write_report_index
from .safe_text import neutralise_formula, safe_cell_text
from .xlsx import write_xlsx_report

__all__ = [
    "neutralise_formula",
    "render_html_report",
    "safe_cell_text",
    "write_html_report",
    "write_report_index",
    "write_xlsx_report",
]
