"""XAF 3.2 / 4.0 writer: every shared sample converts to XSD-valid output, read(write(adm)) keeps every
field the target carries, documented fixes are reported, defects of the source are refused."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from lxml import etree

from koppel.checks import check_file
from koppel.errors import KoppelError
from koppel.model import Administration, Header
from koppel.xaf import read_xaf
from koppel.xaf.schema import validate_file
from koppel.xaf.writer import write_xaf
from tests.conftest import XAF_SAMPLES, XSD_DIR, shared_sample

XSD = {"3.2": "XmlAuditfileFinancieel3.2.xsd", "4.0": "XmlAuditfileFinancieel4.0.xsd"}
BALANCED = [
    "rxaf__exact-online_xaf3.2_2016.xaf",
    "rxaf__unit4-multivers_xaf3.2_2017.xaf",
    "rxaf__twinfield_xaf3.1_2016.xaf",
    "rxaf__osfinancials_xaf3.1_2015.xaf",
    "mikel-dataloader__e-boekhouden_xaf3.2_2019.xaf.xml",
    "banana-nl__banana-accounting_xaf3.2_2018.xaf",
]
UNBALANCED = [
    "banana-nl__official-xaf3.2-testfile__XmlAuditfileFinancieel3.2_test.xml",
    "analyticslibrary__official-xaf3.2-testfile-2014-xmlspy__XmlAuditfileFinancieel3.2_test.xml",
]


@functools.lru_cache(maxsize=4)
def official_schema(version: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / XSD[version])))


def assert_official_valid(path, version: str) -> None:
    """Validate with the reference XSD (not the pyxaf copy the writer uses)."""
    schema = official_schema(version)
    doc = etree.parse(str(path))
    assert schema.validate(doc), schema.error_log.last_error


@functools.lru_cache(maxsize=16)
def _read(name: str):
    options = {"clair2_negative_credit": "abs"} if "clair2" in name else {}
    return read_xaf(shared_sample(name), **options)


def test_every_sample_is_covered():
    names = {p.name for p in XAF_SAMPLES.iterdir() if p.suffix != ".md" and "bad-encoding" not in p.name}
    assert names == {*BALANCED, *UNBALANCED, "banana-nl__banana-accounting_clair2_2015.xml"}


def _expected_lines(adm: Administration, version: str) -> pd.DataFrame:
    """The source lines as the target carries them (documented rules applied)."""
    lines = adm.lines.frame()
    if adm.header.opening_source == "period0":
        keys = pd.Series(list(zip(lines["journal_id"], lines["entry_nr"], strict=True)))
        lines = lines[~keys.isin(adm.opening_entries).to_numpy()].reset_index(drop=True)
    lines["effective_date"] = lines["effective_date"].fillna(lines["date"])
    ok = lines["period"].str.fullmatch(r"\d{1,3}").fillna(False)
    lines["period"] = lines["period"].where(ok, lines["date"].dt.month.astype("string"))
    no_code = lines["vat_code"].isna()
    lines.loc[no_code, "vat_rate"] = pd.NA
    lines.loc[no_code, "vat_amount"] = pd.NA
    no_cur = lines["currency"].isna() | lines["currency_amount"].isna()
    lines.loc[no_cur, "currency"] = pd.NA
    lines.loc[no_cur, "currency_amount"] = pd.NA
    lines["due_date"] = pd.NaT
    if version == "4.0":
        lines["quantity"] = pd.NA
    else:
        lines["quantity"] = lines["quantity"].where(lines["quantity"].str.fullmatch(r"\d{1,10}").fillna(False))
    return lines


CARRIED_LINE_COLUMNS = [
    "journal_id",
    "entry_nr",
    "date",
    "period",
    "entry_description",
    "account_id",
    "amount",
    "description",
    "relation_id",
    "doc_ref",
    "invoice_ref",
    "effective_date",
    "vat_code",
    "vat_amount",
    "currency",
    "currency_amount",
    "cost_center",
    "cost_unit",
    "project",
    "quantity",
    "bank_account",
]


def assert_lines_round_trip(src: Administration, back: Administration, version: str, renumbered: bool) -> None:
    expected = _expected_lines(src, version)
    got = back.lines.frame()
    assert len(got) == len(expected)
    for col in CARRIED_LINE_COLUMNS + ([] if renumbered else ["line_nr"]):
        left, right = got[col], expected[col]
        if col == "entry_description":  # transaction-level: the first line's text
            continue
        pd.testing.assert_series_equal(
            left.reset_index(drop=True), right.reset_index(drop=True), check_names=False, check_dtype=False, obj=col
        )
    rates = expected["vat_rate"].where(expected["vat_code"].notna())
    assert (
        got["vat_rate"].fillna(-1) == rates.fillna(-1).where(~(expected["vat_code"].notna() & rates.isna()), 0)
    ).all()


def assert_master_round_trip(src: Administration, back: Administration, version: str) -> None:
    assert back.header.company_name == src.header.company_name
    assert back.header.start_date == src.header.start_date and back.header.end_date == src.header.end_date
    cols = ["account_id", "name"]
    pd.testing.assert_frame_equal(
        back.accounts[cols],
        src.accounts[cols].drop_duplicates("account_id").reset_index(drop=True).iloc[: len(back.accounts)],
        check_dtype=False,
    )
    rel_cols = ["relation_id", "name", "email", "kvk", "vat_number", "postal_code", "city", "street"]
    if version == "3.2":
        rel_cols += ["contact", "phone", "website", "iban", "bic"]
    got = back.relations.set_index("relation_id")
    want = src.relations.drop_duplicates("relation_id").set_index("relation_id")
    for col in rel_cols[1:]:
        left = got.loc[want.index, col]
        right = want[col]
        limit = {"name": 50, "contact": 50, "phone": 30}.get(col)
        if limit:
            right = right.str.slice(0, limit)
        pd.testing.assert_series_equal(left, right, check_dtype=False, obj=col)
    ob_src, ob_back = src.opening_balance, back.opening_balance
    assert ob_back["amount"].tolist() == ob_src["amount"].tolist()
    assert ob_back["account_id"].tolist() == ob_src["account_id"].tolist()
    assert back.header.opening_source == ("openingBalance" if len(ob_src) else None)


@pytest.mark.parametrize("version", ["4.0", "3.2"])
@pytest.mark.parametrize("name", [*BALANCED, "banana-nl__banana-accounting_clair2_2015.xml"])
def test_sample_converts_valid_and_round_trips(tmp_path, name, version):
    src = _read(name)
    out = tmp_path / f"out-{version}.xaf"
    result = write_xaf(src, out, version)
    assert result.paths == [out] and out.is_file()
    assert list(tmp_path.iterdir()) == [out]  # no temp file left behind
    assert_official_valid(out, version)
    findings = check_file(out)["findings"]  # checker-clean: no error rule of formats.md §2.8 fires
    assert [f["code"] for f in findings if f["severity"] == "error"] == []
    if version == "3.2":
        assert "XAF-K09" not in {f["code"] for f in findings}  # line codes have their basics
    back = read_xaf(out)
    assert back.header.source_version == version
    renumbered = result.report.count("fixed", "trLine/nr") > 0
    assert_lines_round_trip(src, back, version, renumbered)
    assert_master_round_trip(src, back, version)
    # header totals as written equal the lines (XAF-T04/T05/T08 hold by construction)
    lines = back.lines.frame()
    amount = lines["amount"]
    assert back.stats.debit == int(amount[amount > 0].sum()) and back.stats.credit == -int(amount[amount < 0].sum())


def _header_totals(path) -> tuple[int, str, str]:
    root = etree.parse(str(path)).getroot()
    ns = {"x": root.nsmap[None]}
    tx = root.find("x:company/x:transactions", ns)
    return (
        int(tx.findtext("x:linesCount", namespaces=ns)),
        tx.findtext("x:totalDebit", namespaces=ns),
        tx.findtext("x:totalCredit", namespaces=ns),
    )


def test_twinfield_opening_entry_moves_into_opening_balance(tmp_path):
    src = _read("rxaf__twinfield_xaf3.1_2016.xaf")
    assert src.header.opening_source == "period0"
    result = write_xaf(src, tmp_path / "tw.xaf", "4.0")
    # EXPECTED.md: 181 trLines of which 87 in the period-0 entry JAAREIND-BAL (Σ D = Σ C = 2034985.42)
    assert _header_totals(tmp_path / "tw.xaf") == (94, "220814.00", "220814.00")
    assert result.opening_lines == 87 and result.lines == 94
    root = etree.parse(str(tmp_path / "tw.xaf")).getroot()
    ns = {"x": root.nsmap[None]}
    ob = root.find("x:company/x:openingBalance", ns)
    assert ob.findtext("x:totalDebit", namespaces=ns) == "2034985.42" == ob.findtext("x:totalCredit", namespaces=ns)
    assert len(ob.findall("x:obLine", ns)) == 87
    periods = {e.text for e in root.iterfind(".//x:transaction/x:periodNumber", ns)}
    assert "0" not in periods
    assert result.report.changes[("moved", "transaction (period 0)", "opening balance moved into openingBalance")]


@pytest.mark.parametrize("name", UNBALANCED)
def test_unbalanced_official_test_files_are_refused(tmp_path, name):
    with pytest.raises(KoppelError, match="1 entries do not balance"):
        write_xaf(_read(name), tmp_path / "x.xaf", "4.0")
    assert list(tmp_path.iterdir()) == []


def test_banana_clair2_read_literally_is_refused_with_a_hint(tmp_path):
    adm = read_xaf(shared_sample("banana-nl__banana-accounting_clair2_2015.xml"))
    with pytest.raises(KoppelError, match="4 entries do not balance") as err:
        write_xaf(adm, tmp_path / "x.xaf", "4.0")
    assert "clair2_negative_credit=abs" in err.value.hint
    assert list(tmp_path.iterdir()) == []


def test_validation_reports_an_invalid_file(tmp_path):
    bad = tmp_path / "bad.xaf"
    good = tmp_path / "good.xaf"
    write_xaf(_read("banana-nl__banana-accounting_xaf3.2_2018.xaf"), good, "4.0")
    bad.write_text(good.read_text().replace("<accTp>B</accTp>", "<accTp>M</accTp>", 1), encoding="utf-8")
    validate_file(good, "4.0")
    with pytest.raises(KoppelError, match=r"not valid against the XAF 4\.0 schema") as err:
        validate_file(bad, "4.0")
    assert err.value.line is not None


# -- documented fixes ------------------------------------------------------------------------------
def small_adm(**header) -> Administration:
    lines = pd.DataFrame(
        {
            "journal_id": ["V", "V", "B", "B"],
            "entry_nr": ["1", "1", "7", "7"],
            "line_nr": ["1", "2", "1", "2"],
            "date": pd.to_datetime(["2025-03-01"] * 4).astype("datetime64[s]"),
            "period": ["3"] * 4,
            "account_id": ["1300", "8000", "1100", "1300"],
            "amount": [12100, -12100, 5000, -5000],
            "relation_id": ["D1", None, None, "D1"],
        }
    )
    h = Header(
        company_name="Test B.V.",
        start_date="2025-01-01",
        end_date="2025-12-31",
        currency="EUR",
        software="Test",
        software_version="1",
        fiscal_year="2025",
    )
    for key, value in header.items():
        setattr(h, key, value)
    return Administration.from_frames(
        header=h,
        lines=lines,
        accounts=pd.DataFrame(
            {"account_id": ["1100", "1300", "8000"], "name": ["Bank", "Debiteuren", "Omzet"], "kind": ["B", "M", "P"]}
        ),
        relations=pd.DataFrame({"relation_id": ["D1"], "name": ["Klant"], "kind": ["other"], "country": ["Holland"]}),
    )


def test_rules_for_values_40_cannot_hold(tmp_path):
    adm = small_adm(fiscal_year="String", software=None, software_version=None)
    result = write_xaf(adm, tmp_path / "a.xaf", "4.0", date_created="2026-01-02")
    rep = result.report
    assert rep.count("fixed", "header/fiscalYear") == 1
    assert rep.count("fixed", "header/softwareDesc") == 1 and rep.count("fixed", "header/softwareVersion") == 1
    assert rep.count("fixed", "ledgerAccount/accTp") == 1  # M -> B
    assert rep.count("dropped", "customerSupplier/custSupTp") == 1  # O left out
    assert rep.count("dropped", "customerSupplier/streetAddress/country") == 1  # "Holland"
    back = read_xaf(tmp_path / "a.xaf")
    assert back.header.fiscal_year == "2025" and back.header.software == "koppel"
    assert back.header.date_created == "2026-01-02"
    assert back.accounts.set_index("account_id")["kind"].to_dict() == {"1100": "B", "1300": "B", "8000": "P"}
    assert back.relations["kind"].isna().all()


def test_mixed_accounts_can_be_refused_or_mapped(tmp_path):
    with pytest.raises(KoppelError, match="mixed"):
        write_xaf(small_adm(), tmp_path / "a.xaf", "4.0", mixed_account_kind=None)
    write_xaf(small_adm(), tmp_path / "a.xaf", "4.0", mixed_account_kind="P")
    assert read_xaf(tmp_path / "a.xaf").accounts.set_index("account_id").loc["1300", "kind"] == "P"
    write_xaf(small_adm(), tmp_path / "b.xaf", "3.2")
    assert read_xaf(tmp_path / "b.xaf").accounts.set_index("account_id").loc["1300", "kind"] == "M"


def test_interleaved_journals_are_regrouped(tmp_path):
    adm = small_adm()
    lines = adm.lines.frame()
    mixed = lines.iloc[[0, 2, 1, 3]].reset_index(drop=True)  # V1, B7, V1, B7: journals and entries interleaved
    adm2 = Administration.from_frames(header=adm.header, lines=mixed, accounts=adm.accounts, relations=adm.relations)
    result = write_xaf(adm2, tmp_path / "i.xaf", "4.0")
    assert result.report.count("fixed", "transaction") == 2
    back = read_xaf(tmp_path / "i.xaf").lines.frame()
    assert back["journal_id"].tolist() == ["V", "V", "B", "B"]
    assert back["amount"].tolist() == [12100, -12100, 5000, -5000]


def test_referenced_master_records_are_added(tmp_path):
    adm = small_adm()
    adm.accounts = adm.accounts.iloc[:1]
    adm.relations = adm.relations.iloc[:0]
    # an account only lines refer to has no kind: never "B assumed", the mapping file states it
    with pytest.raises(KoppelError, match=r"account '1300' has no kind.*\[account_kinds\] \"1300\""):
        write_xaf(adm, tmp_path / "refused.xaf", "3.2")
    assert not (tmp_path / "refused.xaf").exists()
    result = write_xaf(adm, tmp_path / "r.xaf", "3.2", account_kinds={"1300": "B", "8000": "P"})
    assert result.report.count("added", "ledgerAccount") == 2
    assert result.report.count("added", "customerSupplier") == 1
    assert result.report.count("added", "journal") == 2
    assert result.report.count("added", "period") == 1
    back = read_xaf(tmp_path / "r.xaf")
    assert set(back.accounts["account_id"]) == {"1100", "1300", "8000"}
    assert back.accounts.set_index("account_id")["kind"].to_dict() == {"1100": "B", "1300": "B", "8000": "P"}
    assert back.relations["relation_id"].tolist() == ["D1"]


def test_321_line_cap_is_an_error(tmp_path):
    adm = small_adm()
    write_xaf(adm, tmp_path / "ok.xaf", "3.2.1")
    big = pd.concat([adm.lines.frame()] * 2501, ignore_index=True)
    big["entry_nr"] = np.repeat(np.arange(len(big) // 2), 2).astype(str)
    adm2 = Administration.from_frames(header=adm.header, lines=big, accounts=adm.accounts)
    with pytest.raises(KoppelError, match=r"9999 lines XAF 3\.2\.1"):
        write_xaf(adm2, tmp_path / "big.xaf", "3.2.1")
