"""Plain-text rendering of a check result for the terminal: verdict, then one row per finding group.

Dutch like the reports, English with ``--lang en`` (docs/style.md); the findings through
:func:`koppel.checks.english.finding_in`, so the terminal and the reports say the same.
"""

from __future__ import annotations

import shutil
import textwrap

from ..reports.words import DEFAULT_LANGUAGE, words
from .english import finding_in

VERDICT_TEXT = {
    "nl": {
        "ok": "IN ORDE — geen fouten of waarschuwingen",
        "warnings": "BRUIKBAAR MET WAARSCHUWINGEN",
        "errors": "FOUTEN — niet zonder meer bruikbaar",
        "unusable": "ONBRUIKBAAR — het bestand kan niet gelezen worden",
    },
    "en": {
        "ok": "IN ORDER — no errors or warnings",
        "warnings": "USABLE WITH WARNINGS",
        "errors": "ERRORS — not usable as it is",
        "unusable": "UNUSABLE — the file cannot be read",
    },
}
SEVERITY_TEXT = {
    "nl": {"error": "fout", "warning": "waarsch.", "info": "info"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}
COLUMNS = {
    "nl": ("code", "ernst", "aantal", "regel", "melding"),
    "en": ("code", "severity", "count", "line", "message"),
}


def _values(values: dict, lang: str) -> str:
    """A place's values as the reports show them: the reader's words, amounts as 1.234,56 (1,234.56 in English)."""
    from ..reports.view import place_value

    return ", ".join("=".join(place_value(str(k), str(v), lang)) for k, v in values.items())


def render(result: dict, *, width: int | None = None, lang: str = DEFAULT_LANGUAGE) -> str:
    w = words(lang)
    width = width or min(shutil.get_terminal_size((120, 20)).columns, 160)
    h = result.get("header") or {}
    s = result["summary"]
    software = " ".join(x for x in (h.get("software"), h.get("software_version")) if x) or w["unknown_package"]
    lines = [
        f"{result['file']}",
        f"  {w['c_version']} {result.get('version') or '?'} · {software} · {w['c_charset']} "
        f"{result.get('encoding') or '?'}"
        + (f" · {h.get('company_name')}" if h.get("company_name") else "")
        + (f" · {w['c_fiscal_year']} {h.get('start_date')}..{h.get('end_date')}" if h.get("start_date") else ""),
        f"  {w['c_verdict']}: {VERDICT_TEXT[lang][result['verdict']]}  "
        f"({w['c_tally'].format(error=s['error'], warning=s['warning'], info=s['info'])})",
    ]
    counts, totals = result.get("counts") or {}, result.get("totals") or {}
    if counts:
        from ..reports.view import fact_value

        lines.append("  " + w["c_counts"].format(
            journals=counts.get("journals", 0), transactions=counts.get("transactions", 0),
            lines=counts.get("lines", 0), debit=fact_value(totals.get("debit"), lang),
            credit=fact_value(totals.get("credit"), lang), opening=counts.get("opening_lines", 0)))  # fmt: skip
    if not result["findings"]:
        return "\n".join(lines)
    lines.append("")
    code, severity, count, line_, message = COLUMNS[lang]
    lines.append(f"  {code:<8} {severity:<8} {count:>6} {line_:>7}  {message}")
    indent = " " * 35
    for f in (finding_in(f, lang) for f in result["findings"]):
        line = "" if f["line"] is None else str(f["line"])
        head = f"  {f['code']:<8} {SEVERITY_TEXT[lang][f['severity']]:<8} {f['count']:>6} {line:>7}  "
        body = textwrap.wrap(f["message"], max(30, width - len(head))) or [""]
        lines.append(head + body[0])
        lines.extend(indent + b for b in body[1:])
        place = f["places"][0] if f["places"] else None
        if place and (place["path"] or place["values"]):
            detail = " ".join(x for x in (place["path"], _values(place["values"], lang)) if x)
            more = f" ({w['c_more'].format(n=f['count'] - 1)})" if f["count"] > 1 else ""
            for i, chunk in enumerate(textwrap.wrap(f"{w['c_example']} {detail}{more}", max(30, width - len(indent)))):
                lines.append(indent + chunk if i < 3 else indent + "…")
                if i >= 3:
                    break
        if f.get("hint"):
            lines.extend(indent + c for c in textwrap.wrap(f"{w['c_tip']}: {f['hint']}", max(30, width - len(indent))))
    return "\n".join(lines)
