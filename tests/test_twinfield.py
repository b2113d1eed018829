"""Twinfield XML: our XSD accepts the public examples, our output validates, money and round trip hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from koppel.convert import convert
from koppel.errors import KoppelError
from koppel.formats.twinfield_reader import read_twinfield
from tests.conftest import SAMPLES, SHARED
from tests.package_helpers import cents_by_account, convert_adm, rich_administration

XSD = Path(__file__).resolve().parents[1] / "schemas" / "twinfield.xsd"
EXAMPLES = sorted((SHARED / "packages" / "twinfield").glob("*.xml"))


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def test_there_are_examples() -> None:
    assert len(EXAMPLES) == 9


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_public_examples_validate_against_our_xsd(example: Path, schema) -> None:
    assert schema.validate(etree.parse(str(example))), schema.error_log


def test_our_xsd_rejects_what_twinfield_would_reject(schema) -> None:
    bad = etree.fromstring(
        b"<transactions><transaction destiny='temporary'><header><office>1</office><code>MEMO</code>"
        b"<date>2025-01-01</date></header><lines><line type='detail'><dim1>1</dim1>"
        b"<debitcredit>debit</debitcredit><value>-1.00</value></line></lines></transaction></transactions>"
    )
    assert not schema.validate(bad)
    messages = " ".join(e.message for e in schema.error_log)
    assert "date" in messages and "value" in messages


def test_reader_reads_public_examples() -> None:
    sales = read_twinfield(SHARED / "packages" / "twinfield" / "php-twinfield__salesTransactionSendRequest.xml")
    frame = sales.lines.frame()
    assert list(frame["amount"]) == [12100, -10000]  # the example itself does not balance (VAT left to Twinfield)
    assert frame.loc[0, "relation_id"] == "1000" and frame.loc[0, "invoice_ref"] == "20130-6000"
    customer = read_twinfield(SHARED / "packages" / "twinfield" / "php-twinfield__customerGetResponse.xml")
    rel = customer.relations.iloc[0]
    assert (rel["relation_id"], rel["kind"], rel["iban"], rel["payment_days"]) == (
        "1097",
        "customer",
        "NL02ABNA0123456789",
        30,
    )


def test_rich_administration(tmp_path: Path, monkeypatch, schema) -> None:
    result = convert_adm(rich_administration(), "twinfield", tmp_path, monkeypatch, options={"office": "NLA001"})
    assert result.equal and result.control["money"]["read_back"]["equal"]
    doc = etree.parse(str(tmp_path / "RICH_twinfield_boekingen.xml"))
    assert schema.validate(doc)
    txs = doc.findall("transaction")
    assert txs[0].findtext("header/period") == "2025/00" and txs[0].findtext("header/code") == "BEG"
    sale = txs[1]
    assert sale.get("destiny") == "temporary" and sale.findtext("header/office") == "NLA001"
    assert sale.findtext("header/date") == "20250203" and sale.findtext("header/period") == "2025/02"
    assert sale.findtext("header/invoicenumber") == "F1001" and sale.findtext("header/duedate") == "20250305"
    types = [
        (ln.get("type"), ln.findtext("dim1"), ln.findtext("debitcredit"), ln.findtext("value"))
        for ln in sale.iter("line")
    ]
    assert types == [
        ("total", "1300", "debit", "121.00"),
        ("detail", "8000", "credit", "100.00"),
        ("detail", "1510", "credit", "21.00"),
    ]
    back = read_twinfield(tmp_path)
    assert cents_by_account(back) == cents_by_account(rich_administration())
    assert back.stats.transactions == 3 and len(back.opening_balance) == 2
    assert sorted(back.relations["relation_id"]) == ["101", "201"]
    assert dict(zip(back.accounts["account_id"], back.accounts["kind"], strict=True))["8000"] == "P"


def test_vat_lines_when_vat_accounts_are_known(tmp_path: Path, monkeypatch) -> None:
    import pandas as pd

    from koppel.model import conform

    adm = rich_administration()
    adm.vat_codes = conform("vat_codes", pd.DataFrame({"vat_code": ["VH"], "pay_account": ["1510"]}))
    convert_adm(adm, "twinfield", tmp_path, monkeypatch, options={"office": "1"})
    doc = etree.parse(str(tmp_path / "RICH_twinfield_boekingen.xml"))
    assert [ln.get("type") for ln in doc.findall("transaction")[1].iter("line")] == ["total", "detail", "vat"]


def test_office_is_required(tmp_path: Path, monkeypatch) -> None:
    adm = rich_administration()
    adm.header.company_id = None
    with pytest.raises(KoppelError, match="office code"):
        convert_adm(adm, "twinfield", tmp_path / "o", monkeypatch)


def test_sample_converts(tmp_path: Path) -> None:
    result = convert(SAMPLES / "voorbeeld_xaf32.xaf", "twinfield", tmp_path / "out")
    assert result.equal
    assert result.control["counts"]["relations"] == [40, 40]
    back = read_twinfield(tmp_path / "out")
    assert back.stats.lines == 600 and len(back.opening_balance) == 4
