"""The check result dict, prepared for people: labels, verdict, amounts in cents, totals, chart geometry.

Both report writers read the same view, so the HTML page and the workbook never disagree. Every key of
the result may be missing or empty; the view then says so instead of failing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..checks.english import finding_in, value_en
from ..errors import KoppelError
from ..money import format_cents, parse_cents
from .words import DEFAULT_LANGUAGE, SEVERITY_WORDS, words

SEVERITIES = ("error", "warning", "info")

# The engine's keys for a place's values (JSON keeps them: a program reads them) -> the accountant's word.
VALUE_LABELS = {
    "expected": "verwacht", "found": "gevonden", "declared": "opgegeven", "debit": "debet", "credit": "credit",
    "amount": "bedrag", "balance": "saldo", "opening": "beginbalans", "difference": "verschil",
    "journal": "dagboek", "journal_id": "dagboek", "period": "periode", "account": "rekening",
    "accounts": "rekeningen", "transaction": "boekstuk", "transactions": "boekstukken", "entries": "boekingen",
    "line": "regel", "lines": "regels", "name": "naam", "description": "omschrijving", "kind": "soort",
    "relations": "relaties", "version": "versie", "source": "bron", "length": "lengte", "problem": "probleem",
    "error": "fout", "warning": "waarschuwing", "namespace": "naamruimte", "path": "pad", "read as": "gelezen als",
    "assumed": "aangenomen", "bom": "BOM",
}  # fmt: skip
# Keys whose values are amounts: a decimal there is shown as 1.234,56 (other decimals, e.g. a version, stay).
AMOUNT_KEYS = frozenset({"expected", "found", "declared", "debit", "credit", "amount", "balance", "opening",
                         "difference", "verwacht", "gevonden", "debet", "saldo", "bedrag", "verschil"})  # fmt: skip
_AMOUNT_TEXT = re.compile(r"-?\d+\.\d{1,2}\Z")


@dataclass(frozen=True)
class Verdict:
    key: str
    title: str  # what the reader reads first, in the report's language
    advice: str


VERDICTS = {
    "ok": Verdict("ok", "In orde", "Het bestand is volledig en consistent."),
    "warnings": Verdict("warnings", "Bruikbaar, met waarschuwingen",
                        "Geen fouten; beoordeel de waarschuwingen voordat u op het bestand steunt."),
    "errors": Verdict("errors", "Fouten gevonden",
                      "Het bestand bevat fouten; vraag de aanleverende partij om een gecorrigeerd bestand."),
    "unusable": Verdict("unusable", "Onbruikbaar",
                        "Het bestand kan niet worden gelezen; er zijn geen cijfers uit te halen."),
    "unknown": Verdict("unknown", "Onbekend", "Het resultaat bevat geen oordeel."),
}  # fmt: skip
VERDICTS_EN = {
    "ok": Verdict("ok", "In order", "The file is complete and consistent."),
    "warnings": Verdict("warnings", "Usable, with warnings",
                        "No errors; weigh the warnings before you rely on the file."),
    "errors": Verdict("errors", "Errors found",
                      "The file holds errors; ask whoever delivered it for a corrected file."),
    "unusable": Verdict("unusable", "Unusable", "The file cannot be read; no figures can be taken from it."),
    "unknown": Verdict("unknown", "Unknown", "The result gives no verdict."),
}  # fmt: skip
_VERDICTS = {"nl": VERDICTS, "en": VERDICTS_EN}

# header key -> (Dutch, English) label
HEADER_FACTS = (
    ("company_name", "Onderneming", "Company"),
    ("kvk", "KvK-nummer", "Chamber of Commerce number"),
    ("vat_number", "Btw-nummer", "VAT number"),
    ("fiscal_year", "Boekjaar", "Fiscal year"),
    ("start_date", "Begindatum", "Start date"),
    ("end_date", "Einddatum", "End date"),
    ("currency", "Valuta", "Currency"),
    ("software", "Software", "Software"),
    ("software_version", "Softwareversie", "Software version"),
    ("date_created", "Aangemaakt", "Created"),
)


# Dutch labels for the engine's counts/totals keys; an unknown key is shown as it is.
FACT_LABELS = {
    "accounts": "Grootboekrekeningen",
    "relations": "Relaties (debiteuren/crediteuren)",
    "vat_codes": "Btw-codes",
    "periods": "Perioden",
    "basics": "Basisgegevens (basics)",
    "journals": "Dagboeken",
    "transactions": "Boekstukken",
    "lines": "Boekingsregels",
    "opening_lines": "Regels beginbalans",
    "opening_balance_lines": "Regels beginbalans",
    "opening_transactions": "Beginbalans als boekstuk (periode 0 of dagboek type O)",
    "subledgers": "Subadministraties",
    "subledger_lines": "Regels subadministraties",
    "debit": "Debet (som regels)",
    "credit": "Credit (som regels)",
    "net": "Saldo debet − credit",
    "declared_debit": "Debet volgens kop (totalDebit)",
    "declared_credit": "Credit volgens kop (totalCredit)",
    "declared_lines": "Regels volgens kop (linesCount)",
    "opening_source": "Beginbalans uit (openingBalance of periode 0)",
    "opening_debit": "Beginbalans debet",
    "opening_credit": "Beginbalans credit",
    "opening_declared_debit": "Beginbalans debet volgens kop",
    "opening_declared_credit": "Beginbalans credit volgens kop",
}
FACT_LABELS_EN = {
    "accounts": "Ledger accounts",
    "relations": "Relations (customers/suppliers)",
    "vat_codes": "VAT codes",
    "periods": "Periods",
    "basics": "Basics",
    "journals": "Journals",
    "transactions": "Transactions",
    "lines": "Entry lines",
    "opening_lines": "Opening balance lines",
    "opening_balance_lines": "Opening balance lines",
    "opening_transactions": "Opening balance as a transaction (period 0 or journal type O)",
    "subledgers": "Subledgers",
    "subledger_lines": "Subledger lines",
    "debit": "Debit (sum of lines)",
    "credit": "Credit (sum of lines)",
    "net": "Balance debit − credit",
    "declared_debit": "Debit per header (totalDebit)",
    "declared_credit": "Credit per header (totalCredit)",
    "declared_lines": "Lines per header (linesCount)",
    "opening_source": "Opening balance from (openingBalance or period 0)",
    "opening_debit": "Opening balance debit",
    "opening_credit": "Opening balance credit",
    "opening_declared_debit": "Opening balance debit per header",
    "opening_declared_credit": "Opening balance credit per header",
}
_FACT_LABELS = {"nl": FACT_LABELS, "en": FACT_LABELS_EN}


def text(value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """A value as display text; None and empty containers become ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("ja" if value else "nee") if lang == "nl" else ("yes" if value else "no")
    return str(value)


def software_text(value: Any) -> str:
    """``software`` for people, in either shape (``{name, version}`` or a string): 'Exact Online 2016.1'."""
    if isinstance(value, Mapping):
        return " ".join(text(v) for v in (value.get("name"), value.get("version")) if text(v))
    return text(value)


def cents(value: Any) -> int | None:
    """A decimal amount string such as '1234.50' as int cents; None when absent or not an amount."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return parse_cents(str(value))
    except KoppelError:
        return None


def display(amount: int | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Cents as display text, Dutch 1.234,56 (English 1,234.56 with --lang en); '' when absent."""
    if amount is None:
        return ""
    if lang == "en":
        return format_cents(amount, decimal_mark=".", thousands=",")
    return format_cents(amount, decimal_mark=",", thousands=".")


def integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


@dataclass
class Amount:
    """One amount cell: exact cents (None when absent/unreadable) and what was given."""

    cents: int | None
    raw: str
    lang: str = DEFAULT_LANGUAGE

    @property
    def shown(self) -> str:
        return display(self.cents, self.lang) if self.cents is not None else self.raw

    @property
    def negative(self) -> bool:
        return self.cents is not None and self.cents < 0


def amount(value: Any, lang: str = DEFAULT_LANGUAGE) -> Amount:
    return Amount(cents(value), text(value), lang)


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, Iterable) else []


def _total(rows: list[dict[str, Any]], key: str, lang: str = DEFAULT_LANGUAGE) -> Amount:
    values = [row[key].cents for row in rows if row[key].cents is not None]
    return Amount(sum(values) if values else None, "", lang)


def place_value(key: str, value: str, lang: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """A place's (key, value) as the accountant reads it: Dutch word, Dutch amount (``expected 647768.10`` ->
    ``verwacht 647.768,10``); in English the engine's key and 647,768.10."""
    if key.lower() in AMOUNT_KEYS and _AMOUNT_TEXT.match(value.strip()):
        shown = cents(value.strip())
        if shown is not None:
            value = display(shown, lang)
    return (VALUE_LABELS.get(key.lower(), key) if lang == "nl" else key), value


@dataclass
class Place:
    line: str
    path: str
    values: list[tuple[str, str]]


@dataclass
class Finding:
    code: str
    severity: str  # error | warning | info | other
    severity_label: str  # one word in the report's language: Fout, Waarschuwing, Info (Error, Warning, Info)
    message: str
    line: str
    path: str
    count: int
    hint: str
    places: list[Place] = field(default_factory=list)

    @property
    def severity_word(self) -> str:
        """fout, waarschuwing or info (error, warning, info in English; the engine's word for anything else)."""
        return self.severity_label.lower() if self.severity in SEVERITIES else self.severity_label

    @property
    def search_text(self) -> str:
        parts = [self.code, self.severity, self.message, self.line, self.path, self.hint]
        for place in self.places:
            parts += [place.line, place.path, *(f"{k} {v}" for k, v in place.values)]
        return " ".join(parts).lower()


def _finding(raw: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> Finding:
    raw = finding_in(raw, lang)
    severity = text(raw.get("severity")).lower()
    if severity not in SEVERITIES:
        severity = "other"
    places = []
    for place in _rows(raw.get("places") or []):
        values = place.get("values")
        pairs = [place_value(text(k), text(v), lang) for k, v in values.items()] if isinstance(values, Mapping) else []
        places.append(Place(text(place.get("line")), text(place.get("path")), pairs))
    count = integer(raw.get("count"))
    return Finding(
        code=text(raw.get("code")),
        severity=severity,
        severity_label=SEVERITY_WORDS[lang][severity].capitalize()
        if severity in SEVERITIES
        else text(raw.get("severity")) or "?",
        message=text(raw.get("message")),
        line=text(raw.get("line")),
        path=text(raw.get("path")),
        count=count if count is not None else 1,
        hint=text(raw.get("hint")),
        places=places,
    )


def file_name(value: Any) -> str:
    """The last part of a path as given (either separator), for titles; the full path is shown elsewhere."""
    return re.split(r"[\\/]", text(value).rstrip("\\/"))[-1]


def occurrences(findings: list[Finding]) -> dict[str, int]:
    """How often each severity occurs, counting every place (a grouped finding counts ``count`` times)."""
    counts = {sev: 0 for sev in SEVERITIES}
    for finding in findings:
        if finding.severity in counts:
            counts[finding.severity] += finding.count
    return counts


def summary(result: Mapping[str, Any]) -> dict[str, int]:
    """Counts per severity; taken from ``summary`` or, when absent, counted from the findings."""
    given = result.get("summary")
    counts = {sev: 0 for sev in SEVERITIES}
    if isinstance(given, Mapping) and given:
        for sev in SEVERITIES:
            counts[sev] = integer(given.get(sev)) or 0
        return counts
    for finding in _rows(result.get("findings") or []):
        sev = text(finding.get("severity")).lower()
        if sev in counts:
            counts[sev] += integer(finding.get("count")) or 1
    return counts


def verdict(result: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> Verdict:
    """The verdict the engine gave, in ``lang``; derived from the summary when it gave none."""
    verdicts = _VERDICTS[lang]
    key = text(result.get("verdict")).lower()
    if key in verdicts:
        return verdicts[key]
    counts = summary(result)
    if counts["error"]:
        return verdicts["errors"]
    if counts["warning"]:
        return verdicts["warnings"]
    if result.get("findings") is not None or result.get("summary"):
        return verdicts["ok"]
    return verdicts["unknown"]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    tooltip: str


@dataclass
class Chart:
    """Geometry of the per-period bar chart (debit and credit side by side), in SVG user units."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    debit_bars: list[Bar]
    credit_bars: list[Bar]
    labels: list[tuple[float, str]]
    ticks: list[tuple[float, str]]
    baseline: float


def _nice_step(span: int) -> int:
    """A round step (1, 2, 2.5 or 5 × 10^n cents) giving about four grid lines."""
    raw = max(span / 4, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return int(factor * power) or 1
    return int(10 * power)


def _tick_label(value: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """Axis label in whole euros with thousands dots (commas in English; cents are noise on an axis)."""
    return f"{round(value / 100):,}".replace(",", "." if lang == "nl" else ",")


def period_chart(periods: list[dict[str, Any]], lang: str = DEFAULT_LANGUAGE) -> Chart | None:
    points = [(p["period"], p["debit"].cents or 0, p["credit"].cents or 0) for p in periods]
    if not points:
        return None
    width, height = 960, 300
    left, right, top, bottom = 90, width - 16, 16, height - 40
    high = max(0, *(max(d, c) for _, d, c in points))
    low = min(0, *(min(d, c) for _, d, c in points))
    step = _nice_step(high - low)
    high = math.ceil(high / step) * step if high else 0
    low = math.floor(low / step) * step if low else 0
    if high == low:
        high = step
    scale = (bottom - top) / (high - low)

    def y_of(value: int) -> float:
        return round(bottom - (value - low) * scale, 2)

    slot = (right - left) / len(points)
    bar = max(min(slot * 0.36, 40), 1)
    label_every = max(1, math.ceil(36 / slot))  # keep axis labels from overlapping when there are many periods
    debit_bars, credit_bars, labels = [], [], []
    base = y_of(0)
    for index, (name, debit, credit) in enumerate(points):
        centre = left + slot * (index + 0.5)
        for value, side, bars, x in (
            (debit, words(lang)["debit"].lower(), debit_bars, centre - bar),
            (credit, words(lang)["credit"].lower(), credit_bars, centre),
        ):
            y = y_of(value)
            bars.append(
                Bar(round(x, 2), min(y, base), round(bar, 2), abs(base - y), f"{name}: {side} {display(value, lang)}")
            )
        if index % label_every == 0:
            labels.append((round(centre, 2), name))
    ticks = [(y_of(v), _tick_label(v, lang)) for v in range(low, high + 1, step)]
    return Chart(width, height, left, right, top, bottom, debit_bars, credit_bars, labels, ticks, base)


def build_view(result: Mapping[str, Any], lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """Everything the report templates show, computed once, in one language (``w`` holds its words)."""
    w = words(lang)
    header = result.get("header") if isinstance(result.get("header"), Mapping) else {}
    facts = [
        (nl if lang == "nl" else en, text(header.get(key), lang))
        for key, nl, en in HEADER_FACTS
        if text(header.get(key))
    ]
    if text(result.get("schema")):
        facts.append(("Schema (XSD)", text(result.get("schema"))))
    findings = [_finding(raw, lang) for raw in _rows(result.get("findings") or [])]
    order = {sev: index for index, sev in enumerate((*SEVERITIES, "other"))}
    findings.sort(key=lambda f: order[f.severity])  # stable: the engine's order within a severity

    trial = [
        {
            "account": text(row.get("account")),
            "name": text(row.get("name")),
            **{key: amount(row.get(key), lang) for key in ("opening", "debit", "credit", "closing")},
        }
        for row in _rows(result.get("trial_balance") or [])
    ]
    trial_totals = {key: _total(trial, key, lang) for key in ("opening", "debit", "credit", "closing")}

    journals = [
        {
            "journal": text(row.get("journal")),
            "description": text(row.get("description")),
            "kind": text(row.get("kind")),
            "transactions": integer(row.get("transactions")),
            "lines": integer(row.get("lines")),
            "debit": amount(row.get("debit"), lang),
            "credit": amount(row.get("credit"), lang),
        }
        for row in _rows(result.get("journals") or [])
    ]
    journal_totals = {
        "transactions": sum(j["transactions"] or 0 for j in journals),
        "lines": sum(j["lines"] or 0 for j in journals),
        "debit": _total(journals, "debit", lang),
        "credit": _total(journals, "credit", lang),
    }

    periods = [
        {
            "period": text(row.get("period")),
            "debit": amount(row.get("debit"), lang),
            "credit": amount(row.get("credit"), lang),
            "lines": integer(row.get("lines")),
        }
        for row in _rows(result.get("periods") or [])
    ]
    period_totals = {
        "lines": sum(p["lines"] or 0 for p in periods),
        "debit": _total(periods, "debit", lang),
        "credit": _total(periods, "credit", lang),
    }

    return {
        "lang": lang,
        "w": w,
        "file": text(result.get("file")),
        "file_name": file_name(result.get("file")),
        "version": text(result.get("version")),
        "software": software_text(result.get("software")),
        "encoding": text(result.get("encoding")),
        "currency": text(header.get("currency")),
        "verdict": verdict(result, lang),
        "summary": summary(result),
        "occurrences": occurrences(findings),
        "facts": facts,
        "findings": findings,
        "trial_balance": trial,
        "trial_totals": trial_totals,
        "journals": journals,
        "journal_totals": journal_totals,
        "periods": periods,
        "period_totals": period_totals,
        "chart": period_chart(periods, lang),
        "counts": _pairs(result.get("counts"), lang),
        "totals": _pairs(result.get("totals"), lang),
        "count_values": _typed_pairs(result.get("counts"), lang),
        "total_values": _typed_pairs(result.get("totals"), lang),
        "previous_year": previous_year_view(result.get("previous_year"), lang),
        **provenance_view(result),
    }


def provenance_view(result: Mapping[str, Any]) -> dict[str, str]:
    """Which koppel made the result, from which bytes, when (``koppel.provenance.stamp``); '' when not given."""
    given = result.get("input") if isinstance(result.get("input"), Mapping) else {}
    return {
        "koppel_version": text(result.get("koppel_version")),
        "input_sha256": text(given.get("sha256")),
        "generated_at": text(result.get("generated_at")),
    }


def previous_year_view(section: Any, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any] | None:
    """The 'Aansluiting vorig jaar' section (check --previous): last year's closing vs this year's opening."""
    if not isinstance(section, Mapping):
        return None
    rows = [
        {
            "account": text(row.get("account")),
            "name": text(row.get("name")),
            "kind": text(row.get("kind")),
            **{key: amount(row.get(key), lang) for key in ("closing_last", "opening_this", "difference")},
            "note": value_en(text(row.get("note"))) if lang == "en" else text(row.get("note")),
        }
        for row in _rows(section.get("rows") or [])
    ]
    return {
        "file": file_name(section.get("file")),
        "fiscal_year": text(section.get("fiscal_year")),
        "clean": bool(section.get("clean")),
        "differences": integer(section.get("differences")) or 0,
        "result_last_year": amount(section.get("result_last_year"), lang),
        "carried_to": text(section.get("carried_to")),
        "rows": rows,
        "totals": {key: _total(rows, key, lang) for key in ("closing_last", "opening_this", "difference")},
    }


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A (nested) mapping as (dotted key, value) pairs; anything else gives nothing."""
    if not isinstance(value, Mapping):
        return []
    pairs: list[tuple[str, Any]] = []
    for key, item in value.items():
        name = f"{prefix}{text(key)}"
        if isinstance(item, Mapping):
            pairs += _flatten(item, f"{name}.")
        else:
            pairs.append((name, item))
    return pairs


_DECIMAL = re.compile(r"-?\d+\.\d{2}\Z")


def fact_value(value: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """A counts/totals value for display: decimal amount strings as 1.234,56, numbers with thousands dots
    (1,234.56 and commas in English)."""
    if isinstance(value, str) and _DECIMAL.match(value.strip()):
        return display(cents(value), lang)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", "." if lang == "nl" else ",")
    if isinstance(value, list | tuple):
        return ", ".join(text(v, lang) for v in value)
    return text(value, lang)


def _pairs(value: Any, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    labels = _FACT_LABELS[lang]
    return [(labels.get(key, key), fact_value(item, lang)) for key, item in _flatten(value)]


def typed_value(value: Any, lang: str = DEFAULT_LANGUAGE) -> int | Amount | str:
    """A counts/totals value for a program or Excel: a whole number, an exact amount, or text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _DECIMAL.match(value.strip()):
        return amount(value, lang)
    return fact_value(value, lang)


def _typed_pairs(value: Any, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, int | Amount | str]]:
    labels = _FACT_LABELS[lang]
    return [(labels.get(key, key), typed_value(item, lang)) for key, item in _flatten(value)]
