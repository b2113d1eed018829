"""Account kinds are read as producers write them; an unknown one stays unknown, is reported, and a target
that needs it refuses until the mapping file states it (never "B assumed")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from koppel.checks import check_file
from koppel.cli import cli
from koppel.errors import KoppelError
from koppel.kinds import UNKNOWN, account_kind
from koppel.mapping_init import starter_mapping
from koppel.pipeline import convert
from koppel.xaf import read_xaf
from tests.conftest import XSD_DIR
from tests.shapes.clair2 import eekboek_clair2

NS40 = "{http://www.odb.belastingdienst.nl/Belastingdienst/BCPP/1.1/structures/XmlauditfileXAF_4.0}"


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("P", "P"), ("p", "P"), ("W", "P"), ("WV", "P"), ("VW", "P"), ("V", "P"), ("PL", "P"), ("P&L", "P"),
        ("Winst en verlies", "P"), ("winst- en  verlies", "P"), ("Resultaat", "P"), ("Kosten", "P"),
        ("B", "B"), ("b", "B"), ("BAL", "B"), ("Balans", "B"), ("Activa", "B"), ("Passiva", "B"),
        ("M", "M"), ("Gemengd", "M"), ("Z", UNKNOWN), ("Overig", UNKNOWN), ("", None), (None, None),
    ],
)  # fmt: skip
def test_account_kind_words(written, kind) -> None:
    assert account_kind(written) == kind


def test_eekboek_p_is_profit_and_loss_everywhere(tmp_path: Path) -> None:
    src = eekboek_clair2(tmp_path / "eekboek.xml")
    adm = read_xaf(src)
    assert adm.accounts.set_index("account_id")["kind"].to_dict() == {
        "1000": "B", "1100": "B", "0500": "B", "1600": "B", "4500": "P", "8000": "P",
    }  # fmt: skip
    assert adm.unknown_codes == {}
    assert "XAF-V05" not in {f["code"] for f in check_file(src, xsd=False)["findings"]}
    result = convert(src, "xaf40", tmp_path / "out.xaf")
    assert result.equal
    written = {
        a.findtext(f"{NS40}accID"): a.findtext(f"{NS40}accTp")
        for a in etree.parse(str(tmp_path / "out.xaf")).iter(f"{NS40}ledgerAccount")
    }
    assert written["4500"] == written["8000"] == "P" and written["1100"] == "B"
    assert not [n for n in result.control["notes"] if "assumed" in n]
    convert(src, "exact-online", tmp_path / "eo")
    gl = etree.parse(str(next((tmp_path / "eo").glob("*_GLAccounts.xml"))))
    types = {g.get("code"): g.get("balanceType") for g in gl.iter("GLAccount")}
    assert types["8000"] == "W" and types["1100"] == "B"


def test_unknown_kind_is_kept_reported_and_refused(tmp_path: Path) -> None:
    src = eekboek_clair2(tmp_path / "odd.xml", kinds={"4500": "Overig", "8000": "X"})
    adm = read_xaf(src)
    kinds = adm.accounts.set_index("account_id")["kind"]
    assert kinds["4500"] == kinds["8000"] == UNKNOWN  # never B
    assert adm.unknown_codes == {"ledgerAccount/accountType": {"Overig": 1, "X": 1}}
    # inspect
    out = CliRunner().invoke(cli, ["inspect", str(src), "--json"])
    summary = json.loads(out.output)
    assert summary["accounts_of_unknown_kind"] == ["4500", "8000"]
    assert summary["unknown_codes"] == {"ledgerAccount/accountType": {"Overig": 1, "X": 1}}
    text = CliRunner().invoke(cli, ["inspect", str(src)]).output
    assert "unknown kind" in text and "[account_kinds]" in text
    # check
    v05 = next(f for f in check_file(src, xsd=False)["findings"] if f["code"] == "XAF-V05")
    assert v05["count"] == 2 and "[account_kinds]" in v05["hint"]
    # targets that need the kind refuse with one line naming the fix; nothing is written
    for target, out_path in (("xaf40", tmp_path / "o.xaf"), ("exact-online", tmp_path / "eo"),
                             ("minox", tmp_path / "minox"), ("king", tmp_path / "king")):  # fmt: skip
        with pytest.raises(KoppelError) as info:
            convert(src, target, out_path)
        assert '[account_kinds] "4500"' in info.value.hint, target
        assert "\n" not in str(info.value)
        assert not out_path.exists() or not any(out_path.iterdir())
    # a target that does not use the kind converts, and control.json reports the unknown values
    result = convert(src, "asperion", tmp_path / "asperion")
    assert result.control["unknown_codes"] == {"ledgerAccount/accountType": {"Overig": 1, "X": 1}}


def test_mapping_init_lists_unknown_kinds_and_the_mapping_resolves_them(tmp_path: Path) -> None:
    src = eekboek_clair2(tmp_path / "odd.xml", kinds={"4500": "Overig", "8000": "X"})
    adm = read_xaf(src)
    text = starter_mapping(adm, "xaf40")
    section = text.split("[account_kinds]")[1].split("\n[")[0]
    assert '# "4500" = "B"' in section and '# "8000" = "B"' in section and "xaf40 heeft de soort nodig" in section
    assert '"1000"' not in section  # known kinds are not listed
    stated = text.replace('# "4500" = "B"', '"4500" = "P"').replace('# "8000" = "B"', '"8000" = "P"')
    mapping = tmp_path / "m.toml"
    mapping.write_text(stated, encoding="utf-8")
    result = convert(src, "xaf40", tmp_path / "out.xaf", mapping=mapping)
    assert result.equal and result.control["mappings_applied"]["account_kinds"] == {"4500": "P", "8000": "P"}
    back = read_xaf(tmp_path / "out.xaf")
    assert back.accounts.set_index("account_id")["kind"].to_dict()["8000"] == "P"


def test_mapping_refuses_a_kind_that_is_not_one(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('[account_kinds]\n"4500" = "W&V"\n', encoding="utf-8")
    src = eekboek_clair2(tmp_path / "e.xml")
    with pytest.raises(KoppelError, match=r"\[account_kinds\] '4500' = 'W&V': not a kind") as info:
        convert(src, "xaf40", tmp_path / "o.xaf", mapping=mapping)
    assert 'write "B"' in info.value.hint


XAF32_ACCOUNTS = """<?xml version="1.0" encoding="UTF-8"?>
<auditfile xmlns="http://www.auditfiles.nl/XAF/3.2"><header><fiscalYear>2024</fiscalYear><startDate>2024-01-01</startDate>
<endDate>2024-12-31</endDate><curCode>EUR</curCode><dateCreated>2025-01-01</dateCreated><softwareDesc>x</softwareDesc>
<softwareVersion>1</softwareVersion></header><company><companyIdent>1</companyIdent><companyName>X</companyName>
<taxRegistrationCountry>NL</taxRegistrationCountry><taxRegIdent>NL1</taxRegIdent>
<customersSuppliers><customerSupplier><custSupID>R1</custSupID><custSupTp>Z</custSupTp></customerSupplier></customersSuppliers>
<generalLedger>
<ledgerAccount><accID>1000</accID><accDesc>Kas</accDesc><accTp>B</accTp></ledgerAccount>
<ledgerAccount><accID>8000</accID><accDesc>Omzet</accDesc><accTp>p</accTp></ledgerAccount>
<ledgerAccount><accID>9000</accID><accDesc>Vreemd</accDesc><accTp>Q</accTp></ledgerAccount>
</generalLedger>
<transactions><linesCount>2</linesCount><totalDebit>10.00</totalDebit><totalCredit>10.00</totalCredit>
<journal><jrnID>M</jrnID><desc>Memo</desc><jrnTp>M</jrnTp><transaction><nr>1</nr><periodNumber>1</periodNumber>
<trDt>2024-01-02</trDt><trLine><nr>1</nr><accID>1000</accID><docRef>1</docRef><amnt>10.00</amnt><amntTp>D</amntTp></trLine>
<trLine><nr>2</nr><accID>8000</accID><docRef>1</docRef><amnt>10.00</amnt><amntTp>C</amntTp></trLine></transaction></journal>
</transactions></company></auditfile>
"""


def test_xaf3_account_and_relation_types_outside_the_list(tmp_path: Path) -> None:
    src = tmp_path / "a.xaf"
    src.write_text(XAF32_ACCOUNTS, encoding="utf-8")
    adm = read_xaf(src)
    assert adm.accounts.set_index("account_id")["kind"].to_dict() == {"1000": "B", "8000": "P", "9000": UNKNOWN}
    assert adm.relations["kind"].isna().all()  # custSupTp Z: not "other", not customer — unknown
    assert adm.unknown_codes == {"customerSupplier/custSupTp": {"Z": 1}, "ledgerAccount/accTp": {"Q": 1}}
    v05 = next(f for f in check_file(src, xsd=False, max_places=10)["findings"] if f["code"] == "XAF-V05")
    places = {p["path"]: p["values"] for p in v05["places"]}
    assert places["ledgerAccount[8000]/accTp"]["gelezen als"] == "winst en verlies (P)"
    assert places["ledgerAccount[9000]/accTp"]["gelezen als"] == "onbekend"


def test_check_schema_still_validates_the_shape(tmp_path: Path) -> None:
    """The EekBoek-shaped file is a valid CLAIR2 file: the findings are about content only."""
    src = eekboek_clair2(tmp_path / "eekboek.xml")
    result = check_file(src, schema_dir=XSD_DIR)
    assert not {f["code"] for f in result["findings"]} & {"XAF-S01", "XAF-S03"}
