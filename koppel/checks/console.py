"""Plain-text rendering of a check result for the terminal: verdict, then one row per finding group."""

from __future__ import annotations

import shutil
import textwrap

VERDICT_TEXT = {
    "ok": "IN ORDE — geen fouten of waarschuwingen",
    "warnings": "BRUIKBAAR MET WAARSCHUWINGEN",
    "errors": "FOUTEN — niet zonder meer bruikbaar",
    "unusable": "ONBRUIKBAAR — het bestand kan niet gelezen worden",
}
SEVERITY_TEXT = {"error": "fout", "warning": "waarsch.", "info": "info"}


def _values(values: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def render(result: dict, *, width: int | None = None) -> str:
    width = width or min(shutil.get_terminal_size((120, 20)).columns, 160)
    h = result.get("header") or {}
    s = result["summary"]
    software = " ".join(x for x in (h.get("software"), h.get("software_version")) if x) or "onbekend pakket"
    lines = [
        f"{result['file']}",
        f"  versie {result.get('version') or '?'} · {software} · tekenset {result.get('encoding') or '?'}"
        + (f" · {h.get('company_name')}" if h.get("company_name") else "")
        + (f" · boekjaar {h.get('start_date')}..{h.get('end_date')}" if h.get("start_date") else ""),
        f"  Oordeel: {VERDICT_TEXT[result['verdict']]}  "
        f"({s['error']} fout, {s['warning']} waarschuwing, {s['info']} info; geteld per regelcode)",
    ]
    counts, totals = result.get("counts") or {}, result.get("totals") or {}
    if counts:
        lines.append(
            f"  {counts.get('journals', 0)} dagboeken, {counts.get('transactions', 0)} boekstukken, "
            f"{counts.get('lines', 0)} regels; debet {totals.get('debit')}, credit {totals.get('credit')}; "
            f"beginbalans {counts.get('opening_lines', 0)} regels"
        )
    if not result["findings"]:
        return "\n".join(lines)
    lines.append("")
    lines.append(f"  {'code':<8} {'ernst':<8} {'aantal':>6} {'regel':>7}  melding")
    indent = " " * 35
    for f in result["findings"]:
        line = "" if f["line"] is None else str(f["line"])
        head = f"  {f['code']:<8} {SEVERITY_TEXT[f['severity']]:<8} {f['count']:>6} {line:>7}  "
        body = textwrap.wrap(f["message"], max(30, width - len(head))) or [""]
        lines.append(head + body[0])
        lines.extend(indent + b for b in body[1:])
        place = f["places"][0] if f["places"] else None
        if place and (place["path"] or place["values"]):
            detail = " ".join(x for x in (place["path"], _values(place["values"])) if x)
            more = f" (en {f['count'] - 1} meer)" if f["count"] > 1 else ""
            for i, chunk in enumerate(textwrap.wrap(f"bv. {detail}{more}", max(30, width - len(indent)))):
                lines.append(indent + chunk if i < 3 else indent + "…")
                if i >= 3:
                    break
        if f.get("hint"):
            lines.extend(indent + c for c in textwrap.wrap(f"tip: {f['hint']}", max(30, width - len(indent))))
    return "\n".join(lines)
