"""Relation master data: reading lists, exact findings per check, duplicates and conflicts, writing lists."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from koppel.cli import cli
from koppel.errors import KoppelError
from koppel.relations import read_relations, read_relations_result

SAMPLE = SAMPLES / "sources" / "relaties.xlsx"


def codes(read) -> list[tuple[str, str, str]]:
    f = read.extras["relation_findings"]
    return sorted(zip(f["code"], f["relation_id"].astype(str), f["field"], strict=True))


def test_sample_list_findings_are_exact():
    read = read_relations_result(SAMPLE)
    adm = read.adm
    assert codes(read) == sorted(
        [
            ("R03", "10002", "iban"),
            ("R05", "10002", "vat_number"),
            ("R06", "10002", "kvk"),
            ("R03", "20001", "iban"),
            ("R08", "20001", "email"),
            ("R07", "10003", "postal_code"),
            ("R09", "10003", "sepa_mandate"),
            ("R09", "10003", "sepa_mandate"),
            ("R01", "10001", "relation_id"),
            ("R11", "10001, 20001", "vat_number"),
            ("R12", "10001, 20001", "kvk"),
        ]
    )
    rel = adm.relations.set_index("relation_id")
    assert list(rel.index) == ["10001", "10002", "20001", "10003"]  # the exact duplicate kept once
    assert rel.loc["10001", "iban"] == "NL91ABNA0417164300"  # compacted, upper case
    assert rel.loc["10001", "postal_code"] == "1234 AB"
    assert rel.loc["10001", "payment_days"] == 14  # "14 dagen"
    assert rel.loc["20001", "kind"] == "supplier"
    extras = read.extras["relations"].set_index("relation_id")
    assert extras.loc["10001", "mandate_reference"] == "MDT-0001"
    assert extras.loc["10001", "mandate_date"] == "2023-05-01"
    assert extras.loc["10001", "credit_limit"] == 250000


def test_conflicting_duplicate_is_an_error_naming_the_fields(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "Relatienummer;Naam;Plaats;IBAN\n1;A BV;Delft;NL91ABNA0417164300\n1;A BV;Leiden;NL91ABNA0417164300\n",
        encoding="utf-8",
    )
    findings = read_relations_result(path).extras["relation_findings"]
    row = findings[findings["code"] == "R02"].iloc[0]
    assert (row["severity"], row["relation_id"], row["field"]) == ("error", "1", "city")


def test_list_without_id_column_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Naam;Plaats\nA;B\n", encoding="utf-8")
    with pytest.raises(KoppelError) as err:
        read_relations(path)
    assert err.value.field == "relation_id" and err.value.line == 1


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_relations_convert_writes_list_and_findings(tmp_path, fmt):
    out = tmp_path / f"relaties.{fmt}"
    result = CliRunner().invoke(cli, ["relations", "convert", str(SAMPLE), "--to", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 relations, 7 errors, 4 warnings" in result.output
    if fmt == "csv":
        table = pd.read_csv(out, dtype=str)
        findings = pd.read_csv(tmp_path / "relaties.findings.csv", dtype=str)
    else:
        table = pd.read_excel(out, sheet_name="Relaties", dtype=str, engine="openpyxl")
        findings = pd.read_excel(out, sheet_name="Bevindingen", dtype=str, engine="openpyxl")
    assert len(table) == 4 and len(findings) == 11
    assert table.set_index("relation_id").loc["10001", "credit_limit"] == "2500.00"


def test_package_target_refuses_errors_unless_accepted(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["relations", "convert", str(SAMPLE), "--to", "snelstart", "-o", str(tmp_path / "a")])
    assert result.exit_code != 0 and not (tmp_path / "a").exists()
    result = runner.invoke(
        cli, ["relations", "convert", str(SAMPLE), "--to", "snelstart", "-o", str(tmp_path / "b"), "--accept-errors"]
    )
    assert result.exit_code == 0, result.output
    assert "relations 4 -> 4" in result.output
    assert "mandate_reference" in result.output  # what the package file may not carry is said


def test_relations_export_of_an_auditfile(tmp_path):
    out = tmp_path / "relaties.xlsx"
    result = CliRunner().invoke(cli, ["relations", "export", str(SAMPLES / "voorbeeld_xaf32.xaf"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_excel(out, sheet_name="Relaties", dtype=str, engine="openpyxl")
    assert len(table) == int(result.output.split(" relations")[0])
    assert Path(out).stat().st_size > 0
