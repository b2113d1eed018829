"""One language per report: every sample's HTML, Excel and terminal report holds no word of the other language.

Dutch by default, English with ``--lang en`` (docs/style.md). What the file itself says (account names,
descriptions, codes, element paths) and what the XML validator says are quoted as they are and left out of the
scan; every word koppel writes around them is scanned.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from koppel.api import check
from koppel.checks.catalogue import all_rules
from koppel.checks.console import render
from koppel.checks.english import RULES_EN, VALUES_EN, VALUES_NL
from koppel.reports.html import render_html_report
from koppel.reports.words import WORDS
from koppel.reports.xlsx import build_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(
    [p for p in (ROOT / "samples").iterdir() if p.suffix in (".xaf", ".xml", ".adf")]
    + [p for p in (ROOT.parent / "shared" / "reference" / "xaf" / "samples").glob("*") if p.suffix != ".md"]
)
# A few words a reader of the other language would stumble on (whole words, any case).
OTHER_WORDS = {
    "nl": {"error", "errors", "warning", "warnings", "expected", "found", "missing", "balance", "file", "the",
           "not", "with", "journal", "account", "line", "lines", "offset", "read"},
    "en": {"fout", "fouten", "waarschuwing", "waarschuwingen", "verwacht", "gevonden", "ontbreekt", "niet", "het",
           "een", "bestand", "rekening", "dagboek", "boekjaar", "beginbalans", "regel", "regels", "geen", "van"},
}  # fmt: skip
QUOTED_KEYS = {"melding", "message"}  # the XML validator's own words (libxml2, xmlschema), quoted as they are


class _Text(HTMLParser):
    """The text a person sees: content outside <style>/<script>, and title/placeholder/aria-label attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("title", "placeholder", "aria-label") and v]

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _file_words(result: dict) -> list[str]:
    """Every text the file itself gave, longest first (removed before the scan)."""
    found: list[str] = [str(result.get("file") or "")]
    checker_values = set(VALUES_EN) | set(VALUES_NL)

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and value not in checker_values and key not in ("message", "hint", "severity",
                                                                                      "verdict", "code"):
            found.append(value)

    for section in ("header", "software", "company", "trial_balance", "journals", "periods", "input"):
        walk(result.get(section))
    for finding in result.get("findings") or []:
        for place in finding.get("places") or []:
            path = place.get("path") or ""
            if any(mark in path for mark in "/[@"):  # an XML element path: the file's own names
                found.append(path)
            for key, value in (place.get("values") or {}).items():
                if key in QUOTED_KEYS or (str(value) not in checker_values and key not in ("problem", "probleem")):
                    found.append(str(value))
    for finding in result.get("findings") or []:  # the element path of a finding's first place, as above
        path = finding.get("path") or ""
        if any(mark in path for mark in "/[@"):
            found.append(path)
    return sorted({w for w in found if w and len(w) > 1}, key=len, reverse=True)


def _strays(texts: list[str], result: dict, lang: str) -> set[str]:
    text = "\n".join(texts)
    for quoted in _file_words(result):
        text = text.replace(quoted, " ")
    return {w for w in re.findall(r"[A-Za-zÀ-ÿ_]+", text) if w.lower() in OTHER_WORDS[lang]}


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    return {path.name: check(path, max_places=5) for path in SAMPLES}


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", [p.name for p in SAMPLES])
def test_every_sample_report_speaks_one_language(results, name, lang):
    result = results[name]
    parser = _Text()
    parser.feed(render_html_report(result, generated="2026-01-01 00:00 UTC", lang=lang))
    workbook = build_workbook(result, lang)
    cells = [ws.title for ws in workbook.worksheets] + [
        str(cell) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for cell in row if cell
    ]
    console = render(result, width=100_000, lang=lang)  # unwrapped: a quoted text stays whole
    assert _strays(parser.parts, result, lang) == set(), "HTML"
    assert _strays(cells, result, lang) == set(), "Excel"
    assert _strays([console], result, lang) == set(), "terminal"


def test_the_scan_finds_a_word_of_the_other_language(results):
    result = dict(results["voorbeeld_xaf32.xaf"])
    result["findings"] = [{"code": "XAF-V03", "severity": "error", "message": "amount expected", "line": 1,
                           "path": "", "count": 1, "hint": "", "places": []}]  # fmt: skip
    parser = _Text()
    parser.feed(render_html_report(result, lang="nl"))
    assert _strays(parser.parts, result, "nl") == {"expected"}


def test_every_rule_code_has_its_english_title_and_tip():
    for rule in all_rules():
        assert rule.code in RULES_EN, rule.code
        title, hint = RULES_EN[rule.code]
        assert title and bool(hint) == bool(rule.hint), rule.code


def test_both_languages_have_the_same_words():
    assert set(WORDS["nl"]) == set(WORDS["en"])


def test_english_report_has_english_labels_and_amounts(results, tmp_path):
    result = results["voorbeeld_xaf32.xaf"]
    page = render_html_report(result, lang="en")
    assert '<html lang="en">' in page and "Trial balance" in page and "Saldibalans" not in page
    sheets = [ws.title for ws in load_workbook(_save(build_workbook(result, "en"), tmp_path)).worksheets]
    assert sheets[:5] == ["Overview", "Findings", "Trial balance", "Journals", "Periods"]
    dutch = [ws.title for ws in build_workbook(result).worksheets]
    assert dutch[:5] == ["Overzicht", "Bevindingen", "Saldibalans", "Dagboeken", "Perioden"]


def _save(workbook, tmp_path: Path) -> Path:
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    return path


# -- IMPORTEREN.md: Dutch for the person who imports -----------------------------------------------------------

def _import_targets() -> list[str]:
    """Every target that writes a folder with IMPORTEREN.md, learnt from the registry (a new folder is scanned too)."""
    from tests.format_params import formats

    return formats(lambda f: f.writes and f.output == "folder")


def _target_args(target: str, folder: Path) -> dict:
    """What the target needs beyond the sample: its spec's test options, renumbered entries where it takes numbers."""
    from koppel.mapping_init import target_limits
    from tests.format_params import example_options

    options = example_options(target, folder)
    if target_limits(target)["entry_nr"]["digits"]:
        options["entry_numbers"] = "renumber"
    return options


@pytest.mark.parametrize("target", _import_targets())
def test_importeren_md_is_dutch(target, tmp_path):
    from koppel.api import convert

    options = _target_args(target, tmp_path)
    result = convert(ROOT / "samples" / "voorbeeld_xaf32.xaf", to=target, out=tmp_path / "out", options=options)
    text = (tmp_path / "out" / "IMPORTEREN.md").read_text(encoding="utf-8")
    # one renderer: every IMPORTEREN.md names its source and lists what the writer could not carry (the XML and
    # template targets' did neither)
    assert "uit `voorbeeld_xaf32.xaf` (Voorbeeld Handel B.V.)" in text and "\n## Niet meegenomen\n" in text
    written_off = [i for i in result.control["not_carried"] if not str(i["what"]).startswith("source: ")]
    listed = re.findall(r"^- .+: (\d+) — ", text, re.M)
    assert sorted(int(n) for n in listed) == sorted(int(i["count"]) for i in written_off)
    prose = [re.sub(r"`[^`]*`|\*[^*]+\*", " ", line) for line in text.splitlines() if not line.startswith("|")]
    # the column tables name fields and XML elements, `code` and *a screen's name* are as the package spells
    # them; the sentences around them are Dutch
    assert {w for w in re.findall(r"[A-Za-z_]+", "\n".join(prose)) if w.lower() in OTHER_WORDS["nl"]} == set()


# -- what the samples do not show: last year's reconciliation and a damaged ADF --------------------------------


def _damaged_adf(folder: Path) -> Path:
    """An ADF with text beyond the last column, a debit that is no number, a date that is no date."""
    from koppel.adf.synthetic import write_synthetic_adf

    path = folder / "beschadigd.adf"
    write_synthetic_adf(path, lines=30, seed=3, year=2025)
    rows = path.read_bytes().split(b"\r\n")
    rows[2] = rows[2] + b"XYZ"
    rows[3] = rows[3][:285] + b"twaalf".ljust(16) + rows[3][301:]
    rows[4] = rows[4][:165] + b"31-31-2025" + rows[4][175:]
    path.write_bytes(b"\r\n".join(rows))
    return path


@pytest.fixture(scope="module")
def harder(tmp_path_factory) -> dict[str, dict]:
    from koppel.adf.synthetic import write_synthetic_adf
    from koppel.checks.previous_year import add_previous_year

    folder = tmp_path_factory.mktemp("harder")
    last, this = folder / "2024.adf", folder / "2025.adf"
    write_synthetic_adf(last, lines=100, seed=21, year=2024)
    write_synthetic_adf(this, lines=100, seed=22, year=2025)  # an opening that does not follow from 2024
    damaged = _damaged_adf(folder)
    return {"previous": add_previous_year(check(this), this, last), "damaged": check(damaged)}


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", ["previous", "damaged"])
def test_previous_year_and_adf_findings_speak_one_language(harder, name, lang):
    result = harder[name]
    codes = {f["code"] for f in result["findings"]}
    assert codes & ({"PY-A01", "PY-Y01"} if name == "previous" else {"ADF-F01"}), codes
    parser = _Text()
    parser.feed(render_html_report(result, lang=lang))
    workbook = build_workbook(result, lang)
    cells = [str(c) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert _strays(parser.parts, result, lang) == set(), "HTML"
    assert _strays(cells, result, lang) == set(), "Excel"
    assert _strays([render(result, width=100_000, lang=lang)], result, lang) == set(), "terminal"
