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
SEVERITY_WORD = {"nl": SEVERITY_NL, "en": {"error": "error", "warning": "warning", "info": "info"}}


def all_rules() -> list[Rule]:
    """Every rule code the checker can report, sorted by code."""
    for module in EXTENSIONS:
        importlib.import_module(module)
    return sorted(RULES.values(), key=lambda r: r.code)


def _words(rule: Rule, lang: str) -> tuple[str, str]:
    """A rule's title and tip in ``lang`` (Dutch as the checker writes them, or English)."""
    if lang == "en":
        from .english import RULES_EN

        return RULES_EN[rule.code]
    return rule.title, rule.hint


def rule_rows(lang: str = "nl") -> list[dict[str, str]]:
    """The catalogue as data (``koppel codes --json``)."""
    return [
        {"code": r.code, "severity": r.severity, "title": title, "hint": hint}
        for r in all_rules()
        for title, hint in [_words(r, lang)]
    ]


def codes_text(lang: str = "nl") -> str:
    """One line per code for a terminal: code, severity, title; the hint indented below."""
    lines = []
    for r in all_rules():
        title, hint = _words(r, lang)
        lines.append(f"{r.code:<8} {SEVERITY_WORD[lang][r.severity]:<12} {title}")
        if hint:
            lines.append(f"{'':<21} tip: {hint}")
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
