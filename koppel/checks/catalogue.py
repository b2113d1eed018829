"""The one catalogue of rule codes, whole: what `koppel codes` lists and docs/codes.md shows.

``findings.RULES`` holds the auditfile rules; the year-to-year, RGS and ADF checks add theirs when their module
is imported. :func:`all_rules` imports them all, so the list is the one the checker reports from.
"""

from __future__ import annotations

import importlib

from .findings import RULES, Rule

# Modules that add their rules to RULES on import (a new one belongs here, or `koppel codes` misses its codes).
EXTENSIONS = ("koppel.checks.previous_year", "koppel.rgs.check", "koppel.adf.rules")
SEVERITY_NL = {"error": "fout", "warning": "waarschuwing", "info": "info"}


def all_rules() -> list[Rule]:
    """Every rule code the checker can report, sorted by code."""
    for module in EXTENSIONS:
        importlib.import_module(module)
    return sorted(RULES.values(), key=lambda r: r.code)


def rule_rows() -> list[dict[str, str]]:
    """The catalogue as data (``koppel codes --json``)."""
    return [{"code": r.code, "severity": r.severity, "title": r.title, "hint": r.hint} for r in all_rules()]


def codes_text() -> str:
    """One line per code for a terminal: code, severity, title; the hint indented below."""
    lines = []
    for r in all_rules():
        lines.append(f"{r.code:<8} {SEVERITY_NL[r.severity]:<12} {r.title}")
        if r.hint:
            lines.append(f"{'':<21} tip: {r.hint}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def codes_markdown() -> str:
    """docs/codes.md: the same list as a table (a test keeps the file equal to this)."""
    out = [
        "# Rule codes of `koppel check`",
        "",
        "Generated from the checker's catalogue by `koppel codes --markdown > docs/codes.md`; "
        "`tests/test_codes.py` fails when this file differs from the catalogue.",
        "",
        "| code | ernst | wat er mis is | tip |",
        "|---|---|---|---|",
    ]
    out += [f"| {r.code} | {SEVERITY_NL[r.severity]} | {_cell(r.title)} | {_cell(r.hint)} |" for r in all_rules()]
    return "\n".join(out) + "\n"
