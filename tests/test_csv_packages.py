"""SnelStart, Multivers and Exact Globe: descriptor-driven CSV (issue-3 engine) plus Globe's FinEntries XML."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from lxml import etree

from koppel.errors import KoppelError
from koppel.layouts.descriptor import load_target
from koppel.pipeline import convert
from koppel.registry import read_input
from koppel.xaf import read_xaf
from tests.conftest import SAMPLES, SHARED
from tests.format_params import formats
from tests.package_helpers import cents_by_account, convert_adm, numeric_mapping, rich_administration

GLOBE_XSD = SHARED / "packages" / "exact-globe" / "tim-online-go-exactglobe__eExact-Schema.xsd"


def _rows(path: Path, encoding: str = "utf-8", delimiter: str = ";") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


@pytest.mark.parametrize("target", formats(lambda f: f.engine == "delimited"))
def test_descriptor_loads_with_evidence_on_every_column(target: str) -> None:
    layout = load_target(target)
    assert layout.files and all(c.evidence in ("V", "3P", "A") for f in layout.files for c in f.columns)


def test_snelstart_golden_rows(tmp_path: Path, monkeypatch) -> None:
    result = convert_adm(rich_administration(), "snelstart", tmp_path, monkeypatch)
    assert result.equal and result.control["money"]["read_back"]["equal"]
    raw = (tmp_path / "RICH_snelstart_boekingen.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = _rows(tmp_path / "RICH_snelstart_boekingen.csv")
    assert rows[0] == [
        "fldDagboek", "fldBoekingcode", "fldDatum", "fldGrootboeknummer", "fldDebet", "fldCredit",
        "fldOmschrijving", "fldRelatiecode", "fldFactuurnummer", "fldKostenplaatsnummer",
    ]  # fmt: skip
    vrk = result.control["mappings_applied"]["generated"]["journals"]["VRK"]  # fldDagboek takes digits only
    assert vrk.isdigit()
    assert rows[1] == [vrk, "1001", "03-02-2025", "1300", "121,00", "", "Factuur 1001", "101", "F1001", ""]
    assert rows[3][:6] == [vrk, "1001", "03-02-2025", "1510", "", "21,00"]  # VAT as its own line
    assert {r[1] for r in rows[1:4]} == {"1001"}  # one booking code for the whole entry
    klanten = _rows(tmp_path / "RICH_snelstart_klanten.csv")
    assert klanten[1][:2] == ["101", "Bakkerij de Eik"] and len(klanten) == 2
    assert _rows(tmp_path / "RICH_snelstart_leveranciers.csv")[1][:2] == ["201", "Groothandel Noord"]
    back = read_input(tmp_path, "snelstart")
    assert cents_by_account(back) == cents_by_account(rich_administration())


def test_snelstart_needs_numeric_relation_codes(tmp_path: Path) -> None:
    sample = SAMPLES / "voorbeeld_xaf32.xaf"
    with pytest.raises(KoppelError, match="fldDagboek must be a whole number, got 'BNK'"):
        convert(sample, "snelstart", tmp_path / "o", options={"strict": True})
    journals = '[defaults]\nopening_journal = "9"\n[journals]\nBNK = "1"\nIK = "2"\nMEM = "3"\nVK = "4"\n'
    (tmp_path / "j.toml").write_text(journals, encoding="utf-8")
    with pytest.raises(KoppelError, match="fldRelatiecode must be a whole number, got 'D1038'"):
        convert(sample, "snelstart", tmp_path / "o", mapping=tmp_path / "j.toml", options={"strict": True})
    numeric_mapping(read_xaf(sample), tmp_path / "m.toml", digit_journals=True)
    assert convert(sample, "snelstart", tmp_path / "o", mapping=tmp_path / "m.toml", options={"strict": True}).equal
    result = convert(sample, "snelstart", tmp_path / "p")  # by default: generated numbers, listed for review
    assert result.equal
    assert result.control["mappings_applied"]["generated"]["relations"]["D1038"] == "1038"
    assert result.control["mappings_applied"]["generated"]["journals"] == {"BNK": "1", "IK": "2", "MEM": "3", "VK": "4"}
    opening = (tmp_path / "p" / "VB001_snelstart_beginbalans.csv").read_text(encoding="utf-8").splitlines()
    assert {row.split(";")[0] for row in opening[1:]} == {"5"}  # the opening journal: the next free number
    assert any(a["what"] == "opening journal" for a in result.control["adaptations"])
    assert 'opening_journal = "5"  # generated' in (tmp_path / "p" / "mapping.generated.toml").read_text()


def test_multivers_column_definition_and_money(tmp_path: Path, monkeypatch) -> None:
    result = convert_adm(rich_administration(), "multivers", tmp_path, monkeypatch)
    assert result.equal
    rows = _rows(tmp_path / "RICH_multivers_journaalposten.csv", encoding="cp1252")
    assert rows[0][:5] == ["Transactie", "Boekjaar", "Boekingsdatum", "Dagboek code", "Grootboekrekening"]
    assert rows[1] == ["1001", "2025", "03-02-2025", "VRK", "1300", "", "", "2", "Factuur 1001", "121,00", "", ""]
    dropped = {d["what"]: d["count"] for d in result.control["not_carried"]}
    assert dropped["lines: relation_id"] == 3  # Multivers has no debtor/creditor rubric
    text = (tmp_path / "IMPORTEREN.md").read_text()
    assert "Debet bedrag" in text and "importdefinitie" in text.lower()


def test_exact_globe_csv_and_xml(tmp_path: Path, monkeypatch) -> None:
    options = {"schema_dir": str(GLOBE_XSD)}
    result = convert_adm(rich_administration(), "exact-globe", tmp_path, monkeypatch, options=options)
    assert result.equal and result.control["money"]["read_back"]["equal"]
    names = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("RICH"))
    assert names == [
        "RICH_exact-globe_FinEntries.xml",
        "RICH_exact-globe_beginbalans.csv",
        "RICH_exact-globe_boekingen.csv",
    ]
    schema = etree.XMLSchema(etree.parse(str(GLOBE_XSD)))
    doc = etree.parse(str(tmp_path / "RICH_exact-globe_FinEntries.xml"))
    assert schema.validate(doc), schema.error_log
    sale = doc.find(".//FinEntry[@entry='1001']")
    assert sale.find("Journal").get("type") == "V"
    first = sale.find("FinEntryLine")
    assert first.find("Debtor").get("code") == "101" and first.findtext("Amount/Debit") == "121.00"
    purchase = doc.find(".//FinEntry[@entry='3001']")
    last = purchase.findall("FinEntryLine")[-1]
    assert last.find("Creditor").get("code") == "201" and last.findtext("ForeignAmount/Credit") == "260.00"
    rows = _rows(tmp_path / "RICH_exact-globe_boekingen.csv", encoding="cp1252", delimiter=",")
    assert all(len(r) == 40 for r in rows)
    assert rows[0][:3] == ["0", "M", "VRK"] and rows[1][12] == "121.00"
    opening = _rows(tmp_path / "RICH_exact-globe_beginbalans.csv", encoding="cp1252", delimiter=",")
    assert opening[0][:3] == ["0", "M", "BEG"] and opening[1][12] == "500.00"
    dropped = {d["what"]: d["count"] for d in result.control["not_carried"]}
    assert dropped["relations"] == 2 and dropped["accounts"] == 9
    # each counted once (both the CSV writer and the Globe target counted them: 4 items for 2 things)
    assert len(dropped) == len(result.control["not_carried"])


def test_exact_globe_xml_only(tmp_path: Path) -> None:
    result = convert(
        SAMPLES / "voorbeeld_xaf32.xaf",
        "exact-globe",
        tmp_path / "o",
        options={"globe_files": "xml", "schema_dir": str(GLOBE_XSD)},
    )
    assert result.equal
    # the entry numbers were too long for Exact: renumbered (boekstuknummers.csv, mapping.generated.toml)
    assert sorted(p.suffix for p in (tmp_path / "o").iterdir()) == [".csv", ".json", ".md", ".toml", ".xml"]
    instructions = (tmp_path / "o" / "IMPORTEREN.md").read_text(encoding="utf-8")
    assert "- relaties: 40 — het doel Exact Globe schrijft alleen boekingen" in instructions
