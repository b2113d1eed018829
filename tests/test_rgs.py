"""RGS: the release workbook read, one test per finding of check --rgs, proposals, codes written to XAF 4.0."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest
from lxml import etree

from koppel.checks import check_file
from koppel.checks.findings import Collector
from koppel.cli import main
from koppel.errors import KoppelError
from koppel.pipeline import convert
from koppel.registry import read_input
from koppel.rgs.accounts import Chart, LedgerAccount, read_chart
from koppel.rgs.check import add_rgs_findings, rgs_findings
from koppel.rgs.release import load_release, parse_version
from tests.conftest import SAMPLES, XSD_DIR
from tests.rgs_workbook import CODES, write_release

ADF = SAMPLES / "voorbeeld_adf.adf"
GOOD = {"0100": "BMvaBegVvp", "0200": "BMvaBeiVvp", "0500": "BEivGokGea", "1000": "BLimKasKas",
        "1100": "BLimBanRba", "1300": "BVorDebHad", "1500": "BSchBepBtw", "1510": "BVorBtwTvo",
        "1600": "BSchCreHac", "4000": "WKprInkInk", "4100": "WBedHuiHur", "4200": "WBedAutOak",
        "8000": "WOmzNopOlh", "8100": "WOmzNopOll"}  # fmt: skip


@pytest.fixture(scope="module")
def release_path(tmp_path_factory) -> Path:
    return write_release(tmp_path_factory.mktemp("rgs") / "RGS-test.xlsx")


def _xaf40(tmp_path: Path, codes: dict[str, str], version: str | None = "3.8") -> Path:
    """The ADF sample as XAF 4.0 with these RGS codes (through a mapping's [rgs], as convert writes them)."""
    mapping = tmp_path / "m.toml"
    body = "\n".join(f'"{a}" = "{c}"' for a, c in codes.items())
    mapping.write_text(f"[rgs]\n{body}\n" + (f'[rgs_release]\nversion = "{version}"\n' if version else ""))
    out = tmp_path / "rgs40.xaf"
    convert(ADF, "xaf40", out, mapping=mapping)
    return out


def _codes(result: dict) -> dict[str, dict]:
    return {f["code"]: f for f in result["findings"]}


def _check(path: Path, release: Path | None) -> dict:
    return add_rgs_findings(check_file(path, schema_dir=XSD_DIR), path, release)


# --- the release workbook --------------------------------------------------------------------------------


def test_release_read_with_levels_sides_and_version(release_path):
    release = load_release(release_path)
    assert release.version == "3.8"
    assert release.sheet == "RGS"  # the sheet with Referentiecode, not the first sheet
    assert len(release) == len(CODES)
    bank = release.codes["BLimBanRba"]
    assert (bank.level, bank.side, bank.number, bank.kind) == (4, "D", "1002010", "B")
    assert release.codes["WOmzNopOlh"].kind == "P"
    assert release.parent("BLimBanXyz").code == "BLimBan"
    assert [c.code for c in release.path("BLimBanRba")] == ["B", "BLim", "BLimBan"]


def test_release_version_from_the_file_name(tmp_path):
    path = write_release(tmp_path / "RGS 3.7-def.xlsx", title=False)
    assert load_release(path).version == "3.7"
    assert parse_version("Versie RGS 3.5.0") == "3.5"
    assert parse_version("rgs-3,6") == "3.6"


def test_not_a_release_is_one_error(tmp_path, capsys):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Code", "Naam"])
    bad = tmp_path / "geen-rgs.xlsx"
    book.save(bad)
    with pytest.raises(KoppelError, match="no sheet with a 'Referentiecode' column"):
        load_release(bad)
    text = tmp_path / "tekst.xlsx"
    text.write_text("geen werkmap")
    with pytest.raises(SystemExit) as code:
        main(["check", str(ADF), "--rgs", str(text)])
    assert code.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot open this workbook" in err


# --- one test per finding --------------------------------------------------------------------------------


def test_clean_codes_give_no_rgs_finding(tmp_path, release_path):
    result = _check(_xaf40(tmp_path, GOOD), release_path)
    assert not [f for f in result["findings"] if f["code"].startswith("RGS")]
    assert result["rgs"] == {"release": "3.8", "file": str(release_path), "codes": len(CODES)}


def test_rgs_c01_code_not_in_the_release(tmp_path, release_path):
    path = _xaf40(tmp_path, GOOD | {"1100": "BLimBanXyz"})
    found = _codes(_check(path, release_path))
    f = found["RGS-C01"]
    assert (f["severity"], f["count"]) == ("error", 1)
    assert f["places"][0]["values"]["rekening"] == "1100"
    assert f["places"][0]["values"]["dichtstbijzijnde"].startswith("BLimBan ")
    account = etree.parse(str(path)).xpath("//*[local-name()='accID'][text()='1100']")[0].getparent()
    assert f["line"] == account.sourceline


def test_rgs_c02_code_not_at_an_account_level(tmp_path, release_path):
    found = _codes(_check(_xaf40(tmp_path, GOOD | {"1100": "BLimBan"}), release_path))
    assert found["RGS-C02"]["places"][0]["values"] == {"rekening": "1100", "RGScode": "BLimBan", "niveau": "3"}


def test_rgs_c03_two_accounts_one_code(release_path):
    chart = Chart([LedgerAccount("1100", "Bank", "B", "BLimBanRba", 10),
                   LedgerAccount("1101", "Bank 2", "B", "BLimBanRba", 14)], "3.8", "4.0")  # fmt: skip
    out = Collector()
    rgs_findings(chart, load_release(release_path), out)
    assert out.groups["RGS-C03"].places[0] == {"line": 14, "path": "ledgerAccount[1101]/RGScode",
                                               "values": {"rekening": "1101", "RGScode": "BLimBanRba",
                                                          "ook bij": "1100"}}  # fmt: skip


def test_rgs_c03_is_not_reported_twice_beside_xaf_u03(tmp_path, release_path):
    found = _codes(_check(_xaf40(tmp_path, GOOD | {"1000": "BLimBanRba"}), release_path))
    assert "XAF-U03" in found  # the 4.0 content rule says it already
    assert "RGS-C03" not in found


def test_rgs_c04_kind_contradicts_the_account(tmp_path, release_path):
    found = _codes(_check(_xaf40(tmp_path, GOOD | {"8000": "BLimKasKas", "1000": "WOmzNopOlh"}), release_path))
    places = {p["values"]["rekening"]: p["values"] for p in found["RGS-C04"]["places"]}
    assert places == {"1000": {"rekening": "1000", "accTp": "B", "RGScode": "WOmzNopOlh"},
                      "8000": {"rekening": "8000", "accTp": "P", "RGScode": "BLimKasKas"}}  # fmt: skip


def test_rgs_c05_version_differs(tmp_path, release_path):
    found = _codes(_check(_xaf40(tmp_path, GOOD, version="RGS 3.6"), release_path))
    assert found["RGS-C05"]["places"][0]["values"] == {"bestand": "RGS 3.6", "release": "3.8"}


def test_rgs_c05_version_missing_in_40(tmp_path, release_path):
    found = _codes(_check(_xaf40(tmp_path, GOOD, version=None), release_path))
    assert found["RGS-C05"]["places"][0]["values"] == {"bestand": "(ontbreekt)", "release": "3.8"}


def test_rgs_i01_codes_but_no_release(tmp_path):
    result = _check(_xaf40(tmp_path, GOOD), None)
    found = _codes(result)
    assert found["RGS-I01"]["places"][0]["values"] == {"rekeningen met RGS-code": "14"}
    assert found["RGS-I01"]["severity"] == "info"
    assert result["summary"]["error"] == 0


def test_rgs_i02_release_but_no_codes(release_path):
    found = _codes(_check(ADF, release_path))
    assert found["RGS-I02"]["severity"] == "info"


def test_check_cli_with_rgs(tmp_path, release_path, capsys):
    path = _xaf40(tmp_path, GOOD | {"1100": "BLimBanXyz"})
    with pytest.raises(SystemExit) as code:
        main(["check", "-q", str(path), "--rgs", str(release_path), "--schema-dir", str(XSD_DIR)])
    assert code.value.code == 1  # RGS-C01 is an error


# --- chart and proposals ---------------------------------------------------------------------------------


def test_chart_stops_before_the_transactions(tmp_path):
    chart = read_chart(_xaf40(tmp_path, GOOD))
    assert chart.version == "4.0" and chart.rgs_version == "3.8"
    assert {a.account_id: a.rgs_code for a in chart.accounts} == GOOD
    assert all(a.line for a in chart.accounts)


def test_chart_lines_of_a_file_with_cr_only_line_ends(tmp_path):
    """The chart is read by the content pass, which turns CR-only line ends into LF: RGS findings name the
    account's own line (they all said line 1 when the chart had its own parse)."""
    lf = _xaf40(tmp_path, GOOD)
    cr = tmp_path / "cr.xaf"
    cr.write_bytes(lf.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    lines = [a.line for a in read_chart(lf).accounts]
    assert [a.line for a in read_chart(cr).accounts] == lines and len(set(lines)) == len(lines) > 1


def test_mapping_init_proposes_and_convert_writes_the_codes(tmp_path, release_path, capsys):
    mapping = tmp_path / "map.toml"
    with pytest.raises(SystemExit) as code:
        main(["mapping", "init", str(ADF), "--to", "xaf40", "--rgs", str(release_path), "-o", str(mapping)])
    assert code.value.code in (0, None)
    data = tomllib.loads(mapping.read_text(encoding="utf-8"))
    assert data["rgs_release"] == {"version": "3.8"}
    # every account gets its code as the first proposal, but 'Eigen vermogen', which fits both equity codes
    assert {a: c for a, c in data["rgs"].items() if a != "0500"} == {a: c for a, c in GOOD.items() if a != "0500"}
    assert data["rgs"]["0500"] in ("BEivGokGea", "BEivOreOvr")
    assert "# proposed" in mapping.read_text(encoding="utf-8")
    review = tmp_path / "map.rgs-review.csv"
    rows = list(csv.DictReader(review.open(encoding="utf-8-sig"), delimiter=";"))
    assert len(rows) == 3 * len(GOOD)
    bank = [r for r in rows if r["rekening"] == "1100"]
    assert [r["rang"] for r in bank] == ["1", "2", "3"]
    assert bank[0]["rgs_code"] == "BLimBanRba" and "bank" in bank[0]["reden"]
    assert float(bank[0]["score"]) >= float(bank[1]["score"]) >= float(bank[2]["score"])
    out = tmp_path / "met-rgs.xaf"
    main_args = ["convert", str(ADF), "--to", "xaf40", "--mapping", str(mapping), "-o", str(out)]
    with pytest.raises(SystemExit) as code:
        main(main_args)
    assert code.value.code in (0, None)
    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / "XmlAuditfileFinancieel4.0.xsd")))
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log.last_error
    ns = {"x": doc.getroot().nsmap[None]}
    assert doc.findtext("x:header/x:RGSVersion", namespaces=ns) == "3.8"
    written = {la.findtext("x:accID", namespaces=ns): la.findtext("x:RGScode", namespaces=ns)
               for la in doc.iterfind(".//x:ledgerAccount", ns)}  # fmt: skip
    assert written == data["rgs"]
    assert read_input(out).header.rgs_version == "3.8"


def test_mapping_init_rgs_needs_an_output_file(release_path, capsys):
    with pytest.raises(SystemExit) as code:
        main(["mapping", "init", str(ADF), "--to", "xaf40", "--rgs", str(release_path)])
    assert code.value.code == 2
    assert "-o" in capsys.readouterr().err


def test_proposal_respects_the_kind(release_path):
    from koppel.rgs.propose import AccountFacts, Proposer

    proposer = Proposer(load_release(release_path))
    as_balance = proposer.propose(AccountFacts("9999", "Omzet hoog tarief", "B"))
    assert all(c.code.code.startswith("B") for c in as_balance)
    as_result = proposer.propose(AccountFacts("9999", "Omzet hoog tarief", "P"))
    assert as_result[0].code.code == "WOmzNopOlh"
    assert "woorden" in as_result[0].reason and "winst-en-verlies" in as_result[0].reason


def test_proposal_benchmark_hides_the_codes_and_counts_hits(tmp_path, release_path):
    """bench/bench_rgs_proposal.py on a 4.0 file carrying GOOD: every code scored, hits counted, none lost."""
    import importlib.util

    script = Path(__file__).parents[1] / "bench" / "bench_rgs_proposal.py"
    spec = importlib.util.spec_from_file_location("bench_rgs", script)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = _xaf40(tmp_path, {**GOOD, "0500": "BEivGok"})  # a rubric, not an account: counted apart
    result = bench.measure(release_path, [path])
    total = result["total"]
    assert total["accounts"] == len(GOOD) and total["not_in_release"] == 1 and total["scored"] == len(GOOD) - 1
    assert 0 < total["top1"] <= total["top3"] <= total["scored"]
