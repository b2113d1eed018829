"""The layouts follow the vendors' own documentation (format-evidence.md): SnelStart's grootboek function column,
fldLandID and fldWebsiteUrl, KvK digits; AccountView's field list (ACCT_TYPE a digit of unknown values, SRC_CODE
and HDR_DESC mandatory, VAT code 2, no due date but CRED_DAYS); Cash's rubric 0174; Minox assumed, with lists
for manual entry; Asperion's single-amount sign. Assumed layouts never show as verified."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from koppel.cli import cli
from koppel.errors import KoppelError
from koppel.layouts.descriptor import load_target
from koppel.mapping_init import starter_mapping
from tests.package_helpers import convert_adm, numeric_mapping, rich_administration


def _rows(path: Path, delimiter: str, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding=encoding)), delimiter=delimiter))


def _dropped(result) -> dict[str, dict]:
    return {d["what"]: d for d in result.control["not_carried"]}


# -- SnelStart ------------------------------------------------------------------------------------


def test_snelstart_grootboek_has_the_function_column_filled_from_the_mapping(tmp_path: Path, monkeypatch) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('[account_functions]\n"B" = "50"\n"P" = "60"\n', encoding="utf-8")
    result = convert_adm(rich_administration(), "snelstart", tmp_path / "o", monkeypatch, mapping=mapping)
    rows = _rows(tmp_path / "o" / "RICH_snelstart_grootboek.csv", ";")
    assert list(rows[0]) == ["FldNummer", "FldOmschrijving", "FldGrootboekfunctieID"]
    assert {r["FldNummer"]: r["FldGrootboekfunctieID"] for r in rows}["8000"] == "60"
    assert {r["FldGrootboekfunctieID"] for r in rows} == {"50", "60"}
    assert "accounts: kind" not in _dropped(result)


def test_snelstart_function_left_empty_and_said_so_without_a_mapping(tmp_path: Path, monkeypatch) -> None:
    result = convert_adm(rich_administration(), "snelstart", tmp_path / "o", monkeypatch)
    assert result.equal
    rows = _rows(tmp_path / "o" / "RICH_snelstart_grootboek.csv", ";")
    assert {r["FldGrootboekfunctieID"] for r in rows} == {""}
    kind = _dropped(result)["accounts: kind"]
    assert kind["count"] == 9 and "[account_functions]" in kind["why"]


def test_mapping_init_proposes_the_account_functions() -> None:
    text = starter_mapping(rich_administration(), "snelstart")
    assert "[account_functions]" in text
    assert '"B" = ""  # balans: 7 rekeningen' in text and '"P" = ""  # winst en verlies: 2 rekeningen' in text
    assert "[account_functions]" not in starter_mapping(rich_administration(), "minox")


def test_snelstart_relation_columns_per_the_vendor(tmp_path: Path, monkeypatch) -> None:
    adm = rich_administration()
    adm.relations.loc[0, "kvk"] = "12.34.56.78"
    adm.relations.loc[0, "country"] = "Nederland"
    adm.relations.loc[0, "website"] = "www.eik.nl"
    convert_adm(adm, "snelstart", tmp_path / "o", monkeypatch)
    row = _rows(tmp_path / "o" / "RICH_snelstart_klanten.csv", ";")[0]
    assert "fldLand" not in row and "fldWebsite" not in row
    assert (row["fldLandID"], row["fldWebsiteUrl"], row["fldKvkNummer"]) == ("NL", "www.eik.nl", "12345678")
    layout = load_target("snelstart")
    assert layout.file("klanten").column("fldLandID").evidence == "V"
    assert layout.file("klanten").column("fldWebsiteUrl").width == 50


def test_snelstart_importeren_starts_at_relaties_importeren(tmp_path: Path, monkeypatch) -> None:
    convert_adm(rich_administration(), "snelstart", tmp_path / "o", monkeypatch)
    text = (tmp_path / "o" / "IMPORTEREN.md").read_text(encoding="utf-8")
    steps = text[text.index("1. ") :]
    assert steps.startswith("1. Ga naar Relaties → Importeren → Nieuw importprofiel maken")
    assert "alleen in SnelStart 12" in text and "SnelStart Web importeert geen leveranciers" in text


def test_snelstart_grootboek_needs_a_description(tmp_path: Path, monkeypatch) -> None:
    adm = rich_administration()
    adm.accounts.loc[0, "name"] = None
    numeric_mapping(adm, tmp_path / "m.toml", digit_journals=True)
    with pytest.raises(KoppelError, match="FldOmschrijving is required but empty") as err:
        strict = {"strict": True}
        convert_adm(adm, "snelstart", tmp_path / "o", monkeypatch, mapping=tmp_path / "m.toml", options=strict)
    assert "--option missing_names=code" in err.value.hint
    result = convert_adm(adm, "snelstart", tmp_path / "p", monkeypatch)  # by default: the number as the name
    assert any(a["what"] == "accounts: name" for a in result.control["adaptations"])


# -- AccountView ----------------------------------------------------------------------------------


def test_accountview_fields_per_its_data_dictionary(tmp_path: Path, monkeypatch) -> None:
    result = convert_adm(rich_administration(), "accountview", tmp_path / "o", monkeypatch)
    assert result.equal
    ledger = _rows(tmp_path / "o" / "RICH_accountview_grootboek.csv", ",", "cp1252")
    assert {r["ACCT_TYPE"] for r in ledger} == {""}  # a digit whose values are unknown: left empty, and said so
    assert "values are known" in _dropped(result)["accounts: kind"]["why"]
    debtor = _rows(tmp_path / "o" / "RICH_accountview_debiteuren.csv", ",", "cp1252")[0]
    assert (debtor["SRC_CODE"], debtor["CRED_DAYS"], debtor["CNT_CODE"]) == ("BAKKERIJDE", "30", "NL")
    lines = _rows(tmp_path / "o" / "RICH_accountview_boekingen.csv", ",", "cp1252")
    assert "Vervaldatum" not in lines[0]
    assert lines[0]["Omschrijving bladzijde"] == "Factuur 1001"
    assert {r["BTW-code"] for r in lines} == {"", "VH", "VI"}
    layout = load_target("accountview")
    widths = {c.name: c.width for f in layout.files for c in f.columns if f.id in ("debiteuren", "boekingen")}
    assert (widths["CITY"], widths["COC_CODE"], widths["VAT_NR"], widths["MAIL_BUS"], widths["DEB_NR"]) == (
        35, 15, 14, 50, 10)  # fmt: skip
    assert (widths["BTW-code"], widths["Boekstuknummer"], widths["CRED_DAYS"]) == (2, 10, 3)
    assert layout.file("boekingen").column("Omschrijving bladzijde").target_field == "HDR_DESC"


def test_accountview_vat_code_longer_than_two_gets_a_generated_code(tmp_path: Path, monkeypatch) -> None:
    adm = rich_administration()
    lines = adm.lines.frame()
    lines["vat_code"] = lines["vat_code"].replace({"VH": "V21"})
    adm2 = type(adm).from_frames(adm.header, lines=lines, accounts=adm.accounts, relations=adm.relations,
                                 journals=adm.journals, opening_balance=adm.opening_balance)  # fmt: skip
    with pytest.raises(KoppelError, match=r"BTW-code 'V21' is longer than 2 characters") as err:
        convert_adm(adm2, "accountview", tmp_path / "o", monkeypatch, options={"strict": True})
    assert '[vat_codes] "V21" = "…"' in err.value.hint
    result = convert_adm(adm2, "accountview", tmp_path / "p", monkeypatch)
    assert result.control["mappings_applied"]["generated"]["vat_codes"] == {"V21": "V2"}


def test_accountview_codes_differing_only_in_case_would_merge(tmp_path: Path, monkeypatch) -> None:
    adm = rich_administration()
    adm.relations.loc[1, "relation_id"] = "abc"
    adm.relations.loc[1, "kind"] = "customer"
    adm.relations.loc[0, "relation_id"] = "ABC"
    with pytest.raises(KoppelError, match=r"relations 'ABC' and 'abc' would both be 'ABC' in the AccountView files"):
        convert_adm(adm, "accountview", tmp_path / "o", monkeypatch)


# -- Cash, Minox, Asperion ------------------------------------------------------------------------


def test_cash_rubric_0174_is_not_the_control_account(tmp_path: Path, monkeypatch) -> None:
    result = convert_adm(rich_administration(), "cash", tmp_path / "o", monkeypatch)
    rows = _rows(tmp_path / "o" / "RICH_cash_relaties.csv", ";", "cp1252")
    assert {r["0174"] for r in rows} == {""}
    assert _dropped(result)["relations: control_account"]["count"] == 2
    note = load_target("cash").file("relaties").column("0174").note
    assert "niet de centrale" in note


def test_minox_is_assumed_and_its_relations_and_ledger_are_lists(tmp_path: Path, monkeypatch) -> None:
    layout = load_target("minox")
    assert layout.evidence == "A"
    assert all(layout.file(f).manual for f in ("debiteuren", "crediteuren", "grootboek"))
    convert_adm(rich_administration(), "minox", tmp_path / "o", monkeypatch)
    text = (tmp_path / "o" / "IMPORTEREN.md").read_text(encoding="utf-8")
    assert "lijsten om handmatig in te voeren" in text and "**aanname** [A]" in text


def test_asperion_single_amount_sign_is_third_party() -> None:
    note = load_target("asperion").file("journaalposten").column("Debet bedrag").note
    assert "positief = debet [3P" in note


def test_koppel_formats_shows_the_marks() -> None:
    out = CliRunner().invoke(cli, ["formats"]).output
    minox = out[out.index("\nminox") + 1 :].splitlines()[0]
    assert minox.split()[3] == "A"
    assert "relations rw (list), accounts rw (list)" in out[out.index("\nminox") :]
    snelstart = out[out.index("\nsnelstart") :]
    assert "columns: 11 verified (V), 26 third-party (3P), 16 assumed (A)" in snelstart.split("\ntemplate")[0]
    accountview = out[out.index("\naccountview") :].split("\nafas")[0]
    assert "columns: 0 verified (V), 63 third-party (3P), 2 assumed (A)" in accountview
