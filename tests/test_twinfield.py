"""Twinfield XML: our XSD accepts the public examples, our output validates, money and round trip hold."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from lxml import etree

from koppel.cli import cli
from koppel.errors import KoppelError
from koppel.formats.twinfield_reader import read_twinfield
from koppel.pipeline import convert
from koppel.xaf import read_xaf
from tests.conftest import SAMPLES, SHARED
from tests.package_helpers import cents_by_account, convert_adm, rich_administration

XSD = Path(__file__).resolve().parents[1] / "schemas" / "twinfield" / "twinfield.xsd"
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


# -- a transaction read response names what it refers to (issue 19 item 3) -------------------------------
READ_RESPONSE = SAMPLES / "twinfield_transacties_lezen.xml"


def test_read_response_names_and_kinds_fill_the_master_tables() -> None:
    adm = read_twinfield(READ_RESPONSE)
    assert (adm.header.company_id, adm.header.company_name) == ("5035", "Voorbeeld Kantoorartikelen B.V.")
    accounts = adm.accounts.set_index("account_id")
    assert accounts.loc["45070", "name"] == "Overige kantoorkosten" and accounts.loc["45070", "kind"] == "P"
    assert accounts.loc["1600", "name"] == "Crediteuren" and accounts.loc["1600", "kind"] == "B"
    assert sorted(accounts.index) == ["1300", "1510", "1600", "45070", "80200"]
    relations = adm.relations.set_index("relation_id")
    assert relations.loc["2002", "name"] == "Bruna" and relations.loc["2002", "kind"] == "supplier"
    assert relations.loc["1001", "kind"] == "both"  # a debtor in one entry, a creditor in another
    journals = adm.journals.set_index("journal_id")["description"].to_dict()
    assert journals == {"INK": "Inkoopfactuur", "VRK": "Verkoopfactuur"}
    lines = adm.lines.frame().set_index(["journal_id", "entry_nr", "line_nr"])
    detail = lines.loc[("INK", "202500017", "2")]
    assert detail["cost_center"] == "KP10" and pd.isna(detail["relation_id"])  # KPL on dim2 is a cost centre
    assert lines.loc[("VRK", "202500031", "2"), "project"] == "P2025-01"
    # value is in the transaction's currency, basevalue in the company's: the books hold basevalue
    total = lines.loc[("VRK", "202500031", "1")]
    assert (total["amount"], total["currency"], total["currency_amount"]) == (10000, "USD", 11000)


def test_read_response_inspect_counts_and_lists_what_is_not_carried() -> None:
    out = CliRunner().invoke(cli, ["inspect", str(READ_RESPONSE), "--from", "twinfield", "--json"])
    summary = json.loads(out.output)
    assert summary["company"] == {"name": "Voorbeeld Kantoorartikelen B.V.", "id": "5035", "kvk": None,
                                  "vat_number": None}  # fmt: skip
    assert (summary["counts"]["accounts"], summary["counts"]["relations"], summary["counts"]["journals"]) == (5, 2, 2)
    nc = summary["not_carried"]
    assert nc["line/matchstatus"] == 4 and nc["line/vatvalue"] == 1 and nc["line/rate"] == 5
    assert nc["header/origin"] == 1 and nc["line/vatturnover"] == 1 and nc["line/openvalue"] == 1


def test_read_response_converts_with_names_and_kinds(tmp_path: Path) -> None:
    result = convert(READ_RESPONSE, "xaf32", tmp_path / "out.xaf", from_format="twinfield")
    assert result.equal
    back = read_xaf(tmp_path / "out.xaf")
    acc = back.accounts.set_index("account_id")
    assert (acc.loc["45070", "name"], acc.loc["45070", "kind"]) == ("Overige kantoorkosten", "P")
    assert back.relations.set_index("relation_id").loc["2002", "name"] == "Bruna"
    assert back.journals.set_index("journal_id").loc["INK", "description"] == "Inkoopfactuur"
    assert back.header.company_name == "Voorbeeld Kantoorartikelen B.V."


def test_read_response_unknown_dimension_type_is_kept_unknown(tmp_path: Path) -> None:
    text = READ_RESPONSE.read_text(encoding="utf-8").replace('dimensiontype="PNL" inuse="true">80200',
                                                             'dimensiontype="XYZ" inuse="true">80200')
    src = tmp_path / "r.xml"
    src.write_text(text, encoding="utf-8")
    adm = read_twinfield(src)
    assert adm.accounts.set_index("account_id").loc["80200", "kind"] == "?"
    assert adm.unknown_codes == {"line/dim1/@dimensiontype": {"XYZ": 1}}


def test_a_send_request_whose_vat_is_left_to_twinfield_names_that_cause(tmp_path: Path, capsys) -> None:
    """Was: 'entry SLS/1 does not balance … correct the entry in the source' on a valid Twinfield file: its
    detail line has a VAT code and Twinfield adds the VAT line on import; an export has it."""
    from koppel.cli import main

    sample = SHARED / "packages" / "twinfield" / "php-twinfield__salesTransactionSendRequest.xml"
    with pytest.raises(SystemExit) as done:
        main(["convert", str(sample), "--to", "xaf40", "-o", str(tmp_path / "out.xaf")])
    err = capsys.readouterr().err
    assert done.value.code == 2 and not (tmp_path / "out.xaf").exists()
    assert "entry SLS/1 does not balance: off by 21.00 (debit minus credit) — 1 transaction(s) of this Twinfield" in err
    assert 'export the transactions from Twinfield (an export has its type="vat" lines)' in err
