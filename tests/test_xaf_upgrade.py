"""Upgrade to XAF 4.0 through ``koppel convert``: the upgrade report counts exactly the elements with data
that 4.0 drops (counted here independently with XPath on the source), and --keep-dropped keeps them."""

from __future__ import annotations

import csv
import json

import pytest
from lxml import etree

from koppel.cli import main
from koppel.pipeline import convert
from tests.conftest import SAMPLES, shared_sample

CS = "x:company/x:customersSuppliers/x:customerSupplier"
GL = "x:company/x:generalLedger/x:ledgerAccount"
TX = "x:company/x:transactions/x:journal/x:transaction"
# report label -> absolute XPath (from the root) of the elements 4.0 drops, for XAF 3.x sources
DROPPED_3X = {
    **{f"customerSupplier/{n}": f"{CS}/x:{n}" for n in (
        "postalAddress", "bankAccount", "contact", "telephone", "fax", "website", "relationshipID",
        "custSupGrpID", "custCreditLimit", "supplierLimit", "changeInfo", "customerSupplierHistory",
    )},
    **{f"ledgerAccount/{n}": f"{GL}/x:{n}" for n in (
        "leadCode", "leadDescription", "leadReference", "leadCrossRef", "taxonomy", "changeInfo", "glAccountHistory",
    )},
    **{f"period/{n}": f"x:company/x:periods/x:period/x:{n}"
       for n in ("periodDesc", "startTimePeriod", "endTimePeriod")},
    **{f"openingBalance/{n}": f"x:company/x:openingBalance/x:{n}" for n in ("opBalDate", "opBalDesc", "obSubledgers")},
    "generalLedger/basics": "x:company/x:generalLedger/x:basics",
    "transactions/subledgers": "x:company/x:transactions/x:subledgers",
    "journal/bankAccNr": "x:company/x:transactions/x:journal/x:bankAccNr",
    "company/companyIdent": "x:company/x:companyIdent",
    "company/postalAddress": "x:company/x:postalAddress",
    **{f"transaction/{n}": f"{TX}/x:{n}" for n in ("amnt", "amntTp", "sourceID", "userID")},
    **{f"trLine/{n}": f"{TX}/x:trLine/x:{n}" for n in (
        "recRef", "matchKeyID", "orderRef", "receivingDocRef", "shipDocRef", "artGrpID", "workCostArrRef",
        "qntityID", "qntity", "bankIdCd",
    )},
    "customerSupplier/streetAddress/property": f"{CS}/x:streetAddress/x:property",
    "customerSupplier/streetAddress/region": f"{CS}/x:streetAddress/x:region",
    "trLine (opening, period 0)/desc": f"{TX}[x:periodNumber='0']/x:trLine/x:desc",
    "trLine (opening, period 0)/custSupID": f"{TX}[x:periodNumber='0']/x:trLine/x:custSupID",
}  # fmt: skip
DROPPED_C2 = {
    **{f"customerSupplier/{n}": f"*/customerSupplier/{n}" for n in (
        "contact", "telephone", "fax", "website", "postalAddress", "taxVerificationDate",
    )},
    **{f"header/{n}": f"header/{n}" for n in ("companyID", "companyAddress", "companyCity", "companyPostalCode")},
    "ledgerAccount/leadCode": "generalLedger/ledgerAccount/leadCode",
    "ledgerAccount/leadDescription": "generalLedger/ledgerAccount/leadDescription",
    "generalLedger/taxonomy": "generalLedger/taxonomy",
    "transaction/sourceID": "transactions/journal/transaction/sourceID",
    "customerSupplier/streetAddress/property": "*/customerSupplier/streetAddress/property",
    "customerSupplier/streetAddress/region": "*/customerSupplier/streetAddress/region",
}  # fmt: skip
SOURCES_3X = [
    "rxaf__exact-online_xaf3.2_2016.xaf",
    "rxaf__unit4-multivers_xaf3.2_2017.xaf",
    "rxaf__twinfield_xaf3.1_2016.xaf",
    "rxaf__osfinancials_xaf3.1_2015.xaf",
    "mikel-dataloader__e-boekhouden_xaf3.2_2019.xaf.xml",
    "banana-nl__banana-accounting_xaf3.2_2018.xaf",
]


def independent_counts(path, paths: dict[str, str]) -> dict[str, int]:
    """Elements that hold text somewhere below them, per report label, counted with XPath."""
    root = etree.parse(str(path)).getroot()
    ns = {"x": root.nsmap[None]} if None in root.nsmap else {}
    out = {}
    for label, xpath in paths.items():
        n = int(root.xpath(f"count({xpath}[normalize-space(string(.)) != ''])", namespaces=ns))
        if n:
            out[label] = n
    return out


def _upgrade(tmp_path, name: str, **options):
    reader_options = {"clair2_negative_credit": "abs"} if "clair2" in name else {}
    out = tmp_path / "out.xaf"
    result = convert(shared_sample(name), "xaf40", out, options=options, reader_options=reader_options)
    report = json.loads((tmp_path / "out.upgrade-report.json").read_text(encoding="utf-8"))
    return result, report


def _dropped_by_label(report: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in report["dropped"]:
        out[item["element"]] = out.get(item["element"], 0) + item["count"]
    return out


@pytest.mark.parametrize("name", [*SOURCES_3X, "banana-nl__banana-accounting_clair2_2015.xml"])
def test_upgrade_report_counts_exactly(tmp_path, name):
    paths = DROPPED_C2 if "clair2" in name else DROPPED_3X
    expected = independent_counts(shared_sample(name), paths)
    result, report = _upgrade(tmp_path, name, keep_dropped=str(tmp_path / "kept"))
    assert result.equal  # money in = money out, read back from the written file
    got = _dropped_by_label(report)
    assert {k: got.get(k, 0) for k in paths} == {k: expected.get(k, 0) for k in paths}
    assert report["target"] == "xaf 4.0" and report["dropped_total"] == sum(i["count"] for i in report["dropped"])
    with (tmp_path / "kept" / "dropped-elements.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    scanned = sum(i["count"] for i in report["dropped"] if i["element"] in {r["element"] for r in rows})
    assert len(rows) == scanned
    for label, n in expected.items():
        assert sum(r["element"] == label for r in rows) == n


def test_known_figures_of_the_twinfield_upgrade(tmp_path):
    _result, report = _upgrade(tmp_path, "rxaf__twinfield_xaf3.1_2016.xaf")
    got = _dropped_by_label(report)
    # EXPECTED.md: 77 subledgers in one container, 43 transactions with sourceID, 87 opening lines moved
    assert got["transactions/subledgers"] == 1
    assert got["transaction/sourceID"] == 43 and got["transaction/amnt"] == 43
    assert got["trLine (opening, period 0)/desc"] == 87
    moved = [m for m in report["moved"] if m["element"] == "transaction (period 0)"]
    rule = "opening balance moved into openingBalance"
    assert moved == [{"element": "transaction (period 0)", "count": 1, "rule": rule}]


def test_kept_values_name_their_context(tmp_path):
    _upgrade(tmp_path, "rxaf__unit4-multivers_xaf3.2_2017.xaf", keep_dropped=str(tmp_path / "kept"))
    with (tmp_path / "kept" / "dropped-elements.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    periods = [r for r in rows if r["element"] == "period/startTimePeriod"]
    assert len(periods) == 12 and all(r["value"].endswith("+00:00") for r in periods)
    subledger = next(r for r in rows if r["element"] == "transactions/subledgers")
    assert "sbLine/jrnID=" in subledger["value"]


def test_cli_upgrades_the_own_clair2_sample(tmp_path, capsys):
    out = tmp_path / "voorbeeld40.xaf"
    with pytest.raises(SystemExit) as done:
        main(["convert", str(SAMPLES / "voorbeeld_clair2.xml"), "--to", "xaf40", "-o", str(out)])
    assert done.value.code == 0
    printed = capsys.readouterr().out
    report = json.loads((tmp_path / "voorbeeld40.upgrade-report.json").read_text(encoding="utf-8"))
    assert report["source"] == "xaf 2.0"
    for item in report["dropped"]:
        assert f"not carried: {item['element']} ({item['count']})" in printed
    assert (tmp_path / "voorbeeld40.control.json").is_file()


def test_two_upgrades_into_one_folder_keep_their_own_reports(tmp_path, capsys):
    for name in ("a.xaf", "b.xaf"):
        with pytest.raises(SystemExit) as done:
            main(["convert", str(SAMPLES / "voorbeeld_clair2.xml"), "--to", "xaf40", "-o", str(tmp_path / name)])
        assert done.value.code == 0, capsys.readouterr().err
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["a.control.json", "a.upgrade-report.json", "a.xaf",
                       "b.control.json", "b.upgrade-report.json", "b.xaf"]  # fmt: skip
    assert json.loads((tmp_path / "a.control.json").read_text(encoding="utf-8"))["files"] == [
        "a.xaf", "a.upgrade-report.json"
    ]
