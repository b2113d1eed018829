"""Excel check report (openpyxl): Overzicht, Bevindingen, Saldibalans, Dagboeken, Perioden (in English with
--lang en: Overview, Findings, Trial balance, Journals, Periods).

Every sheet has a frozen, bold header row, an autofilter over its data, set column widths and amounts as
numbers with an amount format. Amounts come from exact cents (cents / 100 is the nearest double to the
decimal, so Excel shows the exact figure). Text from the file is neutralised so no cell starts a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..atomic import atomic_path
from .safe_text import safe_cell_text, xlsx_row
from .view import Amount, Finding, build_view
from .words import DEFAULT_LANGUAGE

AMOUNT_FORMAT = "#,##0.00;[Red]-#,##0.00"
COUNT_FORMAT = "#,##0"
MAX_CELL_TEXT = 32767  # Excel's limit for one cell
PLACES_IN_CELL = 20

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_TOTAL_FONT = Font(bold=True)
_TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
_SEVERITY_FONTS = {"error": Font(color="B42318", bold=True), "warning": Font(color="9A6700", bold=True)}


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | amount | count
    width: int | None = None  # fixed width; None = fit to content (bounded)
    wrap: bool = False


def _text(value: Any) -> str:
    text = safe_cell_text(value)
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 15] + " … (afgekapt)"


def _cell_value(value: Any, kind: str) -> Any:
    if kind == "amount":
        if isinstance(value, Amount):
            if value.cents is not None:
                return value.cents / 100  # exact cents → nearest double; shown with two decimals
            return _text(value.raw) if value.raw else None
        return None
    if kind == "count":
        return value if isinstance(value, int) and not isinstance(value, bool) else (_text(value) if value else None)
    return _text(value) if value not in (None, "") else None


def _sheet(
    wb: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    total: Sequence[Any] | None = None,
) -> Worksheet:
    """One table: header row frozen and filtered, typed cells, optional bold totals row under the filter."""
    ws = wb.create_sheet(title)
    ws.append([c.title for c in columns])
    for cell in ws[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    longest = [len(c.title) for c in columns]
    wrap = Alignment(wrap_text=True, vertical="top")

    def put(values: Sequence[Any]) -> list:
        cells = []
        for index, (value, col) in enumerate(zip(values, columns, strict=True)):
            cell = WriteOnlyCell(ws, _cell_value(value, col.kind))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula or an error value (its start is neutralised too)
            if col.kind == "amount" and isinstance(cell.value, float):
                cell.number_format = AMOUNT_FORMAT
                longest[index] = max(longest[index], len(f"{cell.value:,.2f}"))
            else:
                if col.kind == "count" and isinstance(cell.value, int):
                    cell.number_format = COUNT_FORMAT
                if cell.value is not None and not col.width:
                    longest[index] = max(longest[index], max(len(part) for part in str(cell.value).split("\n")))
            if col.wrap:
                cell.alignment = wrap
            cells.append(cell)
        return cells

    for row in rows:
        ws.append(put(row))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{ws.max_row}"
    if total is not None:
        cells = put(total)
        for cell in cells:
            cell.font, cell.border = _TOTAL_FONT, _TOTAL_BORDER
        ws.append(cells)
    for index, col in enumerate(columns):
        ws.column_dimensions[get_column_letter(index + 1)].width = col.width or min(max(longest[index] + 2, 8), 60)
    return ws


def _places(finding: Finding, w: Mapping[str, str]) -> str:
    parts = []
    for place in finding.places[:PLACES_IN_CELL]:
        where = " ".join(p for p in (f"{w['line_lower']} {place.line}" if place.line else "", place.path) if p)
        values = ", ".join(f"{k}={v}" for k, v in place.values)
        parts.append(" — ".join(p for p in (where, values) if p))
    if len(finding.places) > PLACES_IN_CELL:
        parts.append(w["more_places"].format(n=len(finding.places) - PLACES_IN_CELL))
    return "\n".join(parts)


def _overview_value(value: Any) -> Any:
    if isinstance(value, Amount):
        return _cell_value(value, "amount")
    return value if isinstance(value, int) and not isinstance(value, bool) else _text(value)


def _overview(wb: Workbook, view: dict[str, Any]) -> None:
    w = view["w"]
    ws = wb.active
    ws.title = w["sheet_overview"]
    verdict = view["verdict"]
    rows: list[tuple[str, Any]] = [
        (w["verdict"], verdict.title),
        (w["advice"], verdict.advice),
        (w["errors"], view["summary"]["error"]),
        (w["warnings"], view["summary"]["warning"]),
        (w["info"], view["summary"]["info"]),
        *(
            (f"{w['occurrences_of']} {w[key].lower()}", view["occurrences"][sev])
            for sev, key in (("error", "errors"), ("warning", "warnings"), ("info", "info"))
            if view["occurrences"][sev] > view["summary"][sev]
        ),
        (w["file"], view["file"]),
        (w["xaf_version"], view["version"]),
        (w["software"], view["software"]),
        (w["encoding"], view["encoding"]),
        (w["file_hash"], view["input_sha256"]),
        (w["checked_at"], view["generated_at"]),
        (w["koppel_version"], view["koppel_version"]),
        *view["facts"],
        *((f"{w['count_of']}: {key}", value) for key, value in view["count_values"]),
        *((f"{w['total_of']}: {key}", value) for key, value in view["total_values"]),
    ]
    ws.append([w["item"], w["value"]])
    for cell in ws[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for label, value in rows:  # counts and amounts as numbers Excel can add up, shown the Dutch way by Excel
        ws.append(xlsx_row(ws, [_text(label), _overview_value(value)]))
        cell = ws.cell(row=ws.max_row, column=2)
        if isinstance(value, Amount) and isinstance(cell.value, float):
            cell.number_format = AMOUNT_FORMAT
        elif isinstance(cell.value, int):
            cell.number_format = COUNT_FORMAT
    ws["B2"].font = Font(bold=True, color={"ok": "1E7B34", "warnings": "9A6700"}.get(verdict.key, "B42318"))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:B{ws.max_row}"
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 80


def build_workbook(result: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> Workbook:
    view = build_view(result, lang)
    w = view["w"]
    wb = Workbook()
    _overview(wb, view)

    findings = _sheet(
        wb,
        w["sheet_findings"],
        [
            Column(w["code"], width=10),
            Column(w["severity"], width=14),
            Column(w["count"], "count", width=10),
            Column(w["line"], "count", width=10),
            Column(w["path"]),
            Column(w["finding"], width=70, wrap=True),
            Column(w["tip"], width=50, wrap=True),
            Column(w["places"], width=60, wrap=True),
        ],
        [[f.code, f.severity_word, f.count, _line(f.line), f.path, f.message, f.hint, _places(f, w)]
         for f in view["findings"]],
    )  # fmt: skip
    for (cell,), finding in zip(findings.iter_rows(min_row=2, min_col=2, max_col=2), view["findings"], strict=True):
        if finding.severity in _SEVERITY_FONTS:
            cell.font = _SEVERITY_FONTS[finding.severity]

    t = view["trial_totals"]
    _sheet(
        wb,
        w["sheet_trial_balance"],
        [
            Column(w["account"]),
            Column(w["description"]),
            *(Column(w[key], "amount") for key in ("opening", "debit", "credit", "closing")),
        ],
        [[r["account"], r["name"], r["opening"], r["debit"], r["credit"], r["closing"]] for r in view["trial_balance"]],
        [w["total"], None, t["opening"], t["debit"], t["credit"], t["closing"]]
        if view["trial_balance"]
        else None,
    )

    t = view["journal_totals"]
    _sheet(
        wb,
        w["sheet_journals"],
        [
            Column(w["journal"]),
            Column(w["description"]),
            Column(w["kind"]),
            Column(w["transactions"], "count"),
            Column(w["lines"], "count"),
            Column(w["debit"], "amount"),
            Column(w["credit"], "amount"),
        ],
        [
            [j["journal"], j["description"], j["kind"], j["transactions"], j["lines"], j["debit"], j["credit"]]
            for j in view["journals"]
        ],
        [w["total"], None, None, t["transactions"], t["lines"], t["debit"], t["credit"]]
        if view["journals"]
        else None,
    )

    t = view["period_totals"]
    _sheet(
        wb,
        w["sheet_periods"],
        [
            Column(w["period"]),
            Column(w["lines"], "count"),
            Column(w["debit"], "amount"),
            Column(w["credit"], "amount"),
        ],
        [[p["period"], p["lines"], p["debit"], p["credit"]] for p in view["periods"]],
        [w["total"], t["lines"], t["debit"], t["credit"]] if view["periods"] else None,
    )
    if view["previous_year"] is not None:
        _previous_year(wb, view["previous_year"], w)
    return wb


def _previous_year(wb: Workbook, py: dict[str, Any], w: Mapping[str, str]) -> None:
    """Sheet 'Aansluiting vorig jaar': per balance account last year's closing, this year's opening, difference."""
    t = py["totals"]
    _sheet(
        wb,
        w["sheet_previous_year"],
        [
            Column(w["account"]),
            Column(w["description"]),
            Column(w["closing_last"], "amount"),
            Column(w["opening_this"], "amount"),
            Column(w["difference"], "amount"),
            Column(w["note"], width=30),
        ],
        [[r["account"], r["name"], r["closing_last"], r["opening_this"], r["difference"], r["note"]]
         for r in py["rows"]],
        [w["total"], None, t["closing_last"], t["opening_this"], t["difference"], None] if py["rows"] else None,
    )


def _line(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def write_xlsx_report(result: Mapping[str, Any], path: str | Path, *, lang: str = DEFAULT_LANGUAGE) -> Path:
    """Write the check result as an Excel workbook in ``lang`` (atomically); returns the path."""
    path = Path(path)
    wb = build_workbook(result, lang)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
