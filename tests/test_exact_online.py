"""Exact Online XML: schema-valid topics, money in = money out, and a round trip through our reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from koppel.errors import KoppelError
from koppel.formats.exact_online import rate_fraction
from koppel.formats.exact_online_reader import read_exact_online, read_exact_online_result
from koppel.pipeline import convert
from tests.conftest import SAMPLES, SHARED
from tests.package_helpers import cents_by_account, convert_adm, rich_administration

EO_DIR = SHARED / "packages" / "exact-online"
EO_XSD = EO_DIR / "Kah0ona-exactonline4j__eExact-XML.xsd"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(EO_XSD)))


def _valid(schema: etree.XMLSchema, path: Path) -> None:
    doc = etree.parse(str(path))
    assert schema.validate(doc), f"{path.name}: {schema.error_log}"


def test_rich_administration_validates_and_round_trips(tmp_path: Path, monkeypatch, schema) -> None:
    adm = rich_administration()
    result = convert_adm(adm, "exact-online", tmp_path, monkeypatch, options={"schema_dir": str(EO_DIR)})
    names = sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".xml", ".md", ".json"))
    assert names == [
        "IMPORTEREN.md",
        "RICH_exact_Accounts.xml",
        "RICH_exact_GLAccounts.xml",
        "RICH_exact_GLTransactions.xml",
        "control.json",
    ]
    for name in names:
        if name.endswith(".xml"):
            _valid(schema, tmp_path / name)
    assert result.equal and result.control["money"]["read_back"]["equal"]
    assert result.control["counts"]["entries"] == [4, 4]
    back = read_exact_online(tmp_path)
    assert cents_by_account(back) == cents_by_account(rich_administration())
    assert back.stats.transactions == 3 and len(back.opening_balance) == 2
    lines = back.lines.frame()
    sale = lines[lines["entry_nr"] == "1001"].reset_index(drop=True)
    assert list(sale["amount"]) == [12100, -10000, -2100]
    assert sale.loc[0, "relation_id"] == "101" and sale.loc[0, "invoice_ref"] == "F1001"
    assert str(sale.loc[0, "due_date"].date()) == "2025-03-05"
    assert sale.loc[1, "vat_code"] == "VH" and sale.loc[1, "vat_rate"] == 2100 and sale.loc[1, "cost_center"] == "KP1"
    usd = lines[lines["currency"] == "USD"]
    assert list(usd["currency_amount"]) == [-26000]
    rel = back.relations.set_index("relation_id")
    assert rel.loc["101", "kind"] == "customer" and rel.loc["201", "kind"] == "supplier"
    assert rel.loc["101", "iban"] == "NL91ABNA0417164300" and rel.loc["101", "house_nr"] == "12"
    assert rel.loc["101", "payment_days"] == 30 and rel.loc["201", "control_account"] == "1600"
    acc = back.accounts.set_index("account_id")
    assert acc.loc["8000", "kind"] == "P" and acc.loc["1100", "kind"] == "B"


def test_element_order_and_debit_credit(tmp_path: Path, monkeypatch) -> None:
    convert_adm(rich_administration(), "exact-online", tmp_path, monkeypatch)
    doc = etree.parse(str(tmp_path / "RICH_exact_GLTransactions.xml"))
    tx = doc.find(".//GLTransaction[@entry='1001']")
    assert [c.tag for c in tx][:3] == ["Journal", "Date", "Description"]
    line = tx.find("GLTransactionLine")
    assert line.get("type") == "20"
    assert [c.tag for c in line] == [
        "Date", "FinYear", "FinPeriod", "GLAccount", "Description", "DueDate", "Account", "Amount", "References",
    ]  # fmt: skip
    assert line.findtext("Amount/Debit") == "121.00"
    vat_line = tx.findall("GLTransactionLine")[1]
    assert vat_line.findtext("Amount/Credit") == "100.00"
    assert vat_line.find("Amount/VAT").get("code") == "VH" and vat_line.findtext("Amount/VATPercentage") == "0.21"
    opening = doc.find(".//GLTransaction")
    assert opening.get("entry") is None and {ln.get("type") for ln in opening.iter("GLTransactionLine")} == {"10"}


def test_sample_converts_with_schema_check(tmp_path: Path, schema) -> None:
    result = convert(
        SAMPLES / "voorbeeld_xaf32.xaf", "exact-online", tmp_path / "out", options={"schema_dir": str(EO_XSD)}
    )
    assert result.equal
    control = json.loads((tmp_path / "out" / "control.json").read_text())
    assert control["counts"]["lines"] == [604, 604] and control["counts"]["relations"] == [40, 40]
    for xml in (tmp_path / "out").glob("*.xml"):
        _valid(schema, xml)


def test_rate_fraction() -> None:
    assert rate_fraction(2100) == "0.21" and rate_fraction(900) == "0.09" and rate_fraction(0) == "0"
    assert rate_fraction(-550) == "-0.055" and rate_fraction(None) is None


def test_reader_names_bad_amount(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(
        "<eExact><GLTransactions><GLTransaction><Journal code='M'/>\n"
        "<GLTransactionLine line='1'><Date>2025-01-01</Date><GLAccount code='1'/>\n"
        "<Amount><Currency code='EUR'/><Debit>12,50</Debit></Amount></GLTransactionLine>"
        "</GLTransaction></GLTransactions></eExact>"
    )
    with pytest.raises(KoppelError) as err:
        read_exact_online(bad)
    assert err.value.file == bad and err.value.field == "Amount/Debit" and "12,50" in err.value.message


def test_reader_refuses_other_xml(tmp_path: Path) -> None:
    other = tmp_path / "x.xml"
    other.write_text("<transactions/>")
    with pytest.raises(KoppelError, match="root element is not eExact"):
        read_exact_online(other)


def test_schema_dir_without_xsd_is_an_error(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(KoppelError, match="no XSD declaring <eExact>"):
        convert_adm(
            rich_administration(), "exact-online", tmp_path / "o", monkeypatch, options={"schema_dir": str(tmp_path)}
        )
    assert not (tmp_path / "o" / "control.json").exists()


def test_invoice_extras_and_sepa_mandate_round_trip(tmp_path: Path, monkeypatch, schema) -> None:
    import pandas as pd

    adm = rich_administration()
    lines_kept = pd.DataFrame(
        {
            "journal_id": ["VRK", "VRK"],
            "entry_nr": ["1001", "1001"],
            "line_nr": ["1", "2"],
            "payment_reference": ["1234 5678 9012 3456", None],
            "order_number": ["SO-77", None],
            "intrastat_statistical_number": [None, "84713000"],
            "intrastat_statistical_value": [None, "100.00"],
            "intrastat_area": [None, "DE"],
        }
    ).astype("string")
    mandates = pd.DataFrame(
        {
            "relation_id": ["101"],
            "mandate_reference": ["MDT-101"],
            "mandate_date": ["2024-06-01"],
            "mandate_type": ["B2B"],
        }
    ).astype("string")
    extras = {"lines": lines_kept, "relations": mandates}
    result = convert_adm(adm, "exact-online", tmp_path, monkeypatch, extras, options={"schema_dir": str(EO_DIR)})
    assert result.equal
    for xml in tmp_path.glob("*.xml"):
        _valid(schema, xml)
    doc = etree.parse(str(tmp_path / "RICH_exact_GLTransactions.xml"))
    first, second = doc.find(".//GLTransaction[@entry='1001']").findall("GLTransactionLine")[:2]
    assert [c.tag for c in first.find("References")] == ["InvoiceNumber", "OrderNumber", "PaymentReference", "YourRef"]
    assert first.findtext("References/PaymentReference") == "1234 5678 9012 3456"
    assert [c.tag for c in second.find("IntraStat")] == ["StatisticalNumber", "StatisticalValue", "Area"]
    mandate = etree.parse(str(tmp_path / "RICH_exact_Accounts.xml")).find(".//DDMandate")
    assert mandate.get("reference") == "MDT-101" and mandate.findtext("Type") == "B2B"
    assert (
        mandate.findtext("SignatureDate") == "2024-06-01"
        and mandate.find("BankAccount").get("code") == "NL91ABNA0417164300"
    )
    back = read_exact_online_result(tmp_path)
    lines = back.extras["lines"].set_index("line_nr")
    assert lines.loc["1", "payment_reference"] == "1234 5678 9012 3456" and lines.loc["2", "intrastat_area"] == "DE"
    assert back.extras["relations"].iloc[0]["mandate_reference"] == "MDT-101"


def test_package_files_convert_into_other_packages(tmp_path: Path, monkeypatch) -> None:
    """Exact Online XML read back converts to Twinfield and King with money in = money out."""
    convert_adm(rich_administration(), "exact-online", tmp_path / "eo", monkeypatch)
    monkeypatch.undo()
    to_tw = convert(tmp_path / "eo", "twinfield", tmp_path / "tw", from_format="exact-online", options={"office": "1"})
    assert to_tw.equal and to_tw.control["counts"]["lines"] == [10, 10]
    to_king = convert(tmp_path / "tw", "king", tmp_path / "king", from_format="twinfield")
    assert to_king.equal and to_king.control["money"]["read_back"]["equal"]
    from koppel.formats.king_reader import read_king

    assert cents_by_account(read_king(tmp_path / "king")) == {
        str(int(k)): v for k, v in cents_by_account(rich_administration()).items()
    }
