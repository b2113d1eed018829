"""ADF (CLAIR1.00.00): reading with the generator's totals, pyxaf's figures, bad input, check, conversion."""

from __future__ import annotations

import json
import resource
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from koppel.adf.parse import parse_number_text
from koppel.adf.synthetic import write_synthetic_adf
from koppel.checks import check_file
from koppel.cli import cli, main
from koppel.errors import KoppelError
from koppel.pipeline import convert
from koppel.registry import all_formats, detect_format, read_input
from tests.conftest import SAMPLES, XSD_DIR
from tests.format_params import fills_a_template

SAMPLE = SAMPLES / "voorbeeld_adf.adf"
SAMPLE_SPEC = {"lines": 60, "seed": 5, "relations": 8}  # how samples/voorbeeld_adf.adf was made
BIG_LINES = 100_000


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A 100,004-line ADF file (100,000 mutations + a 4-line opening balance) and its generator's totals."""
    path = tmp_path_factory.mktemp("adf") / "groot.adf"
    return path, write_synthetic_adf(path, lines=BIG_LINES, seed=11)


def _bad(tmp_path: Path, line_no: int, start: int, text: str) -> Path:
    """The sample with ``text`` written at 1-based column ``start`` of line ``line_no``."""
    lines = SAMPLE.read_bytes().decode("cp1252").split("\r\n")
    line = lines[line_no - 1].ljust(start - 1 + len(text))
    lines[line_no - 1] = line[: start - 1] + text + line[start - 1 + len(text) :]
    path = tmp_path / "bad.adf"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


# --- reading ---------------------------------------------------------------------------------------------


def test_sample_is_what_the_generator_writes(tmp_path):
    totals = write_synthetic_adf(tmp_path / "again.adf", **SAMPLE_SPEC)
    assert (tmp_path / "again.adf").read_bytes() == SAMPLE.read_bytes()
    adm = read_input(SAMPLE)
    assert adm.stats.lines == totals.lines == 64
    assert (adm.stats.debit, adm.stats.credit) == (totals.debit, totals.credit) == (36031117, 36031117)
    assert adm.stats.transactions == totals.entries == 21
    assert adm.stats.cents_by_account == totals.by_account
    assert adm.header.source_format == "adf"
    assert adm.header.company_name == "Voorbeeld Handel B.V."
    assert adm.header.fiscal_year == "2025"
    assert adm.header.date_created == "2026-01-15"
    # master data collected from the lines, in order of first appearance, kinds from B/W
    accounts = adm.accounts.set_index("account_id")
    assert accounts.loc["0100", "name"] == "Bedrijfsgebouwen"
    assert accounts.loc["0100", "kind"] == "B"
    assert accounts.loc["8000", "kind"] == "P"
    assert set(adm.journals["journal_id"]) == {"BEG", "VK", "IK", "BNK", "MEM"}
    # opening balance: the period-0 entry
    assert adm.header.opening_source == "period0"
    assert dict(zip(adm.opening_balance["account_id"], adm.opening_balance["amount"], strict=True)) == totals.opening
    lines = adm.lines.frame()
    assert lines["date"].min().isoformat() == "2025-01-01T00:00:00"
    assert str(lines["account_id"].iloc[0]) == "0100"  # ids stay strings


@pytest.mark.slow
def test_100k_lines_equal_the_generator(big):
    path, totals = big
    assert totals.lines == BIG_LINES + 4
    adm = read_input(path)
    assert adm.stats.lines == totals.lines
    assert (adm.stats.debit, adm.stats.credit) == (totals.debit, totals.credit)
    assert adm.stats.transactions == totals.entries
    assert adm.stats.cents_by_account == totals.by_account
    assert adm.lines._spool_path is not None  # streamed: past the in-memory limit the lines went to the spool
    summed: dict[str, int] = {}
    for batch in adm.lines.batches():
        for account, cents in batch.groupby("account_id")["amount"].sum().items():
            summed[account] = summed.get(account, 0) + int(cents)
    assert summed == totals.by_account


def test_amount_notations_of_the_manual():
    assert parse_number_text("10.239,87") == 1023987
    assert parse_number_text("10239,87") == 1023987
    assert parse_number_text("10239.87") == 1023987
    assert parse_number_text("1023987") == 1023987
    assert parse_number_text("32,346.25") == 3234625
    assert parse_number_text("-12,50") == -1250
    assert parse_number_text("12,50-") == -1250
    for bad in ("12,5", "1.234", "12,50,", "--1", "-1-", "1 000,00", "€5,00"):
        assert parse_number_text(bad) is None, bad


def test_detected_by_content_not_by_name(tmp_path):
    renamed = tmp_path / "export.txt"
    renamed.write_bytes(SAMPLE.read_bytes())
    assert detect_format(renamed) == "adf"
    xml_named_adf = tmp_path / "oud.adf"
    xml_named_adf.write_bytes((SAMPLES / "voorbeeld_xaf32.xaf").read_bytes())
    assert detect_format(xml_named_adf) == "xaf"
    with_bom = tmp_path / "bom.dat"
    with_bom.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    assert read_input(with_bom).stats.lines == 64


# --- bad input: one line, with line and columns ----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "start", "text", "message"),
    [
        (5, 286, "12,5            ", "5: debet (kolom 286-301): not a number in the manual's notation: '12,5'"),
        (6, 166, "31022025  ", "6: mutatiedatum (kolom 166-175): not a date (ddmmjjjj or d-m-jjjj): '31022025'"),
        (7, 101, " " * 15, "7: grootboekrekeningcode (kolom 101-115): required field is empty"),
        (8, 497, "X", "8: regel (kolom 497-): text beyond column 496, where the last field ends"),
    ],
)
def test_malformed_line_is_one_error_with_line_and_columns(tmp_path, capsys, line, start, text, message):
    path = _bad(tmp_path, line, start, text)
    with pytest.raises(KoppelError) as err:
        read_input(path)
    assert message in str(err.value)
    with pytest.raises(SystemExit) as code:
        main(["inspect", str(path)])
    err_text = capsys.readouterr().err
    assert code.value.code == 2
    assert err_text.count("\n") == 1 and "Traceback" not in err_text
    assert message in err_text


def test_bytes_not_in_the_code_page(tmp_path):
    raw = bytearray(SAMPLE.read_bytes())
    lines = raw.split(b"\r\n")
    lines[3] = lines[3][:255] + b"\x81" + lines[3][256:]  # 0x81 is not a character in cp1252
    path = tmp_path / "bytes.adf"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(KoppelError, match=r"4: omschrijving \(kolom 256-285\): bytes not valid in cp1252"):
        read_input(path)
    assert read_input(path, encoding="cp850").stats.lines == 64  # the fix the hint names


def test_lines_without_trailing_blanks_and_lf_only(tmp_path):
    text = SAMPLE.read_bytes().replace(b"\r\n", b"\n")
    path = tmp_path / "lf.adf"
    path.write_bytes(text + b"\x1a")  # and a DOS end-of-file mark
    adm = read_input(path)
    assert (adm.stats.lines, adm.stats.debit) == (64, 36031117)


# --- against pyxaf ---------------------------------------------------------------------------------------


def _pyxaf_figures(path: Path) -> dict:
    pyxaf = pytest.importorskip("pyxaf")
    af = pyxaf.open(str(path))
    lines = 0
    debit = credit = Decimal(0)
    by_account: dict[str, Decimal] = {}
    entries = 0
    for tx in af.transactions():
        entries += 1
        for line in tx.lines:
            lines += 1
            debit += line.debit or 0
            credit += line.credit or 0
            by_account[line.account_id] = by_account.get(line.account_id, Decimal(0)) + line.signed_amount
    return {"lines": lines, "debit": int(debit * 100), "credit": int(credit * 100), "entries": entries,
            "by_account": {k: int(v * 100) for k, v in by_account.items()},
            "accounts": len(af.accounts), "relations": len(af.relations), "journals": len(af.journals)}  # fmt: skip


def _koppel_figures(path: Path) -> dict:
    adm = read_input(path)
    return {"lines": adm.stats.lines, "debit": adm.stats.debit, "credit": adm.stats.credit,
            "entries": adm.stats.transactions, "by_account": adm.stats.cents_by_account,
            "accounts": len(adm.accounts), "relations": len(adm.relations), "journals": len(adm.journals)}  # fmt: skip


def test_same_figures_as_pyxaf_on_the_sample():
    assert _koppel_figures(SAMPLE) == _pyxaf_figures(SAMPLE)


@pytest.mark.slow
def test_same_figures_as_pyxaf_on_100k_lines(big):
    path, _ = big
    assert _koppel_figures(path) == _pyxaf_figures(path)


# --- check -----------------------------------------------------------------------------------------------


def test_check_clean_sample():
    result = check_file(SAMPLE)
    assert result["version"] == "ADF"
    assert result["verdict"] == "ok"
    assert [f["code"] for f in result["findings"]] == ["ADF-N01"]  # the XAF rules that do not apply, listed
    assert result["counts"]["lines"] == 64 and result["counts"]["transactions"] == 21
    assert result["totals"]["debit"] == result["totals"]["declared_debit"] == "360311.17"
    tb = {row["account"]: row for row in result["trial_balance"]}
    assert tb["0100"]["opening"] == "250000.00"


def _replace_field(path: Path, line_no: int, start: int, text: str) -> None:
    lines = path.read_bytes().decode("cp1252").split("\r\n")
    line = lines[line_no - 1].ljust(start - 1 + len(text))
    lines[line_no - 1] = line[: start - 1] + text + line[start - 1 + len(text) :]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))


def test_check_finds_each_seeded_problem(tmp_path, capsys):
    path = tmp_path / "seeded.adf"
    path.write_bytes(SAMPLE.read_bytes())
    _replace_field(path, 1, 223, "65        ")  # aantalMutaties: 65 declared, 64 written
    _replace_field(path, 1, 243, "9,99            ")  # tellingDebet wrong
    _replace_field(path, 9, 286, "1,00            ")  # entry BNK0000003 out of balance
    _replace_field(path, 11, 136, "Andere naam                   ")  # account name differs from its first line
    _replace_field(path, 12, 166, "01012024  ")  # a date in 2024 in a 2025 file
    _replace_field(path, 13, 286, "0,01            ")  # a credit line with a debit too (VK00000004)
    _replace_field(path, 14, 286, "abc             ")  # not an amount
    found = {f["code"]: f for f in check_file(path)["findings"]}
    assert set(found) == {"ADF-T01", "ADF-T02", "ADF-T04", "ADF-T05", "ADF-K01", "ADF-D01", "ADF-V03",
                          "ADF-F01", "ADF-N01"}  # fmt: skip
    assert found["ADF-T01"]["places"][0]["values"] == {"verwacht": "64", "gevonden": "65"}
    assert found["ADF-F01"]["line"] == 14 and "kolom 286-301" in found["ADF-F01"]["path"]
    # line 11 is the first to name its account, so the account's later lines (first: 17) disagree with it
    assert found["ADF-K01"]["line"] == 17
    assert found["ADF-K01"]["places"][0]["values"]["eerst"] == "Andere naam"
    assert found["ADF-K01"]["places"][0]["values"]["regel eerst"] == "11"
    assert found["ADF-D01"]["line"] == 12
    assert found["ADF-V03"]["line"] == 13
    assert found["ADF-T05"]["count"] == 3  # lines 9, 13 and 14 sit in three different entries
    assert [p["line"] for p in found["ADF-T05"]["places"]] == [9, 11, 14]  # each entry's first line
    with pytest.raises(SystemExit) as code:
        main(["check", "-q", str(path)])
    assert code.value.code == 1


def test_check_without_opening_balance_and_with_unreadable_year(tmp_path):
    lines = SAMPLE.read_bytes().split(b"\r\n")
    kept = [lines[0]] + [line for line in lines[1:] if not line.startswith(b"BEG ")]
    path = tmp_path / "zonder.adf"
    path.write_bytes(b"\r\n".join(kept))
    _replace_field(path, 1, 83, "boekjaar       ")
    _replace_field(path, 1, 223, "60        ")
    codes = {f["code"] for f in check_file(path)["findings"]}
    assert {"ADF-O01", "ADF-D02"} <= codes
    assert "ADF-T01" not in codes


# --- convert ---------------------------------------------------------------------------------------------


def test_converted_to_xaf40_is_xsd_valid_with_money_equal(tmp_path):
    out = tmp_path / "adf.xaf"
    result = convert(SAMPLE, "xaf40", out)
    assert result.control["money"]["equal"] is True
    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / "XmlAuditfileFinancieel4.0.xsd")))
    assert schema.validate(etree.parse(str(out))), schema.error_log.last_error
    back = read_input(out)
    moved = dict(back.stats.cents_by_account)
    for account, cents in zip(back.opening_balance["account_id"], back.opening_balance["amount"], strict=True):
        moved[account] = moved.get(account, 0) + int(cents)  # 4.0 carries period 0 as openingBalance
    source = read_input(SAMPLE).stats.cents_by_account
    assert {k: v for k, v in moved.items() if v} == {k: v for k, v in source.items() if v}


@pytest.mark.slow
def test_converted_to_every_target(tmp_path):
    """Every writer takes ADF like any source (with the starter mapping the target needs)."""
    from koppel.mapping_init import starter_mapping

    adm = read_input(SAMPLE)
    for info in all_formats():
        if info.writer is None or info.home is None or fills_a_template(info):  # a template: the package's own file
            continue
        mapping = tmp_path / f"{info.name}.toml"
        mapping.write_text(starter_mapping(adm, info.name), encoding="utf-8")  # it proposes codes the target takes
        out = tmp_path / (f"{info.name}.xaf" if info.output == "file" else info.name)
        result = convert(SAMPLE, info.name, out, mapping=mapping)
        assert result.control["money"]["equal"] is True, info.name
        assert result.control["counts"]["lines"][0] == 64, info.name


def test_check_cli_json_on_adf(tmp_path):
    out = tmp_path / "check.json"
    result = CliRunner().invoke(cli, ["check", str(SAMPLE), "--json", str(out), "--html", str(tmp_path / "r.html"),
                                      "--xlsx", str(tmp_path / "r.xlsx")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["version"] == "ADF"
    assert "ADF" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_memory_stays_flat_on_100k_lines(big):
    if sys.platform != "linux":
        pytest.skip("ru_maxrss in kB is Linux's")
    path, _ = big
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    read_input(path)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 150  # the 100k-line file is 50 MB; its lines are spooled, not held


def test_export_writes_the_tables_and_totals(tmp_path):
    """koppel export on ADF: one file per canonical table, summary.json with the sample's totals."""
    out = tmp_path / "tabellen"
    run = CliRunner().invoke(cli, ["export", str(SAMPLE), "-o", str(out), "--format", "csv"])
    assert run.exit_code == 0, run.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    adm = read_input(SAMPLE)
    assert summary["format"] == "adf" and summary["counts"]["lines"] == adm.stats.lines
    assert summary["totals"]["debit"] == f"{adm.stats.debit / 100:.2f}"
    lines = (out / "lines.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == adm.stats.lines + 1
    assert {"accounts.csv", "relations.csv", "journals.csv", "opening_balance.csv"} <= {p.name for p in out.iterdir()}
