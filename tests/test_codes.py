"""`koppel codes` lists the checker's catalogue whole, and docs/codes.md is that list."""

from __future__ import annotations

import json
import re
from pathlib import Path

from koppel.checks.catalogue import all_rules, codes_markdown
from koppel.cli import run

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r'"((?:XAF|ADF|PY|RGS)-[A-Z]\d{2})"')


def test_every_code_the_source_names_is_listed(capsys):
    """A code the checker can report but `koppel codes` does not list would be a finding nobody can look up."""
    named = {m for path in (ROOT / "koppel").rglob("*.py") for m in CODE.findall(path.read_text(encoding="utf-8"))}
    assert run(["codes", "--json"]) == 0
    listed = {row["code"] for row in json.loads(capsys.readouterr().out)}
    assert named <= listed, sorted(named - listed)
    assert {"XAF-F01", "XAF-T01", "PY-A01", "RGS-C01", "ADF-F01"} <= listed


def test_the_text_list_has_one_line_per_code_with_a_dutch_severity(capsys):
    assert run(["codes"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if not line.startswith(" ")]
    assert len(lines) == len(all_rules())
    assert "XAF-F01  fout         het bestand is geen geldige XML" in out
    assert re.search(r"^XAF-F03  info\s+geen XML-declaratie", out, re.M)


def test_docs_codes_md_is_the_catalogue():
    """Regenerate with: .venv/bin/koppel codes --markdown > docs/codes.md"""
    assert (ROOT / "docs" / "codes.md").read_text(encoding="utf-8") == codes_markdown()


def test_the_readme_links_the_list():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/codes.md" in readme and "koppel codes" in readme


def test_codes_in_english_list_every_code_in_english(capsys):
    """The catalogue a reader of an English report looks codes up in (koppel check --lang en)."""
    assert run(["codes", "--json", "--lang", "en"]) == 0
    english = json.loads(capsys.readouterr().out)
    assert run(["codes", "--json"]) == 0
    dutch = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in english] == [r["code"] for r in dutch]
    words = {w.lower() for r in english for w in re.findall(r"[A-Za-z]+", r["title"] + " " + r["hint"])}
    assert not words & {"de", "het", "een", "niet", "van", "komt", "rekening", "boekstuk", "beginbalans", "regel"}
    assert run(["codes", "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("ADF-D01  warning      entry date outside the fiscal year")
