"""koppel check on the command line: exit codes 0/1/2, --fail-on, the JSON contract, several files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from koppel.cli import cli
from koppel.cli.check_cmd import exit_code
from koppel.synthetic import write_synthetic_xaf
from tests.conftest import SAMPLES, XSD_DIR, shared_sample

CONTRACT = {
    "file", "version", "software", "encoding", "verdict", "header", "summary", "findings", "trial_balance",
    "journals", "periods", "counts", "totals",
}  # fmt: skip


def run(*args: str):
    return CliRunner().invoke(cli, ["check", *map(str, args)], standalone_mode=False)


def test_clean_file_exits_0_and_says_so(tmp_path):
    out = tmp_path / "r.json"
    result = run(SAMPLES / "voorbeeld_xaf32.xaf", "--schema-dir", XSD_DIR, "--json", out)
    assert result.exception is None and result.return_value == 0
    assert "IN ORDE" in result.output
    data = json.loads(out.read_text())
    assert set(data) >= CONTRACT and data["verdict"] == "ok"
    assert data["summary"] == {"error": 0, "warning": 0, "info": 0}
    tb = {row["account"]: row for row in data["trial_balance"]}
    assert set(tb["1100"]) == {"account", "name", "opening", "debit", "credit", "closing"}
    assert tb["1100"]["opening"] == "12345.67" and tb["1100"]["name"] == "Bank"
    for row in data["trial_balance"]:
        keys = ("opening", "debit", "credit", "closing")
        opening, debit, credit, closing = (int(row[k].replace(".", "")) for k in keys)
        assert opening + debit - credit == closing
    assert sum(int(j["debit"].replace(".", "")) for j in data["journals"]) == int(
        data["totals"]["debit"].replace(".", ""))
    assert set(data["header"]) >= {"company_name", "fiscal_year", "start_date", "end_date", "currency", "software",
                                   "software_version", "kvk", "vat_number", "date_created"}


def test_errors_exit_1_and_json_lists_places(tmp_path):
    out = tmp_path / "r.json"
    result = run(shared_sample("banana-nl__banana-accounting_xaf3.2_2018.xaf"), "--json", out)
    assert result.return_value == 1
    data = json.loads(out.read_text())
    u08 = next(f for f in data["findings"] if f["code"] == "XAF-U08")
    assert u08["count"] == 66 and len(u08["places"]) == 20 and u08["places"][0]["line"] == u08["line"]
    assert set(u08) >= {"code", "severity", "message", "line", "path", "count", "hint", "places"}
    assert "XAF-U08" in result.output


def test_fail_on_warning(tmp_path):
    path = shared_sample("rxaf__unit4-multivers_xaf3.2_2017.xaf")  # warnings only
    assert run(path).return_value == 0
    assert run(path, "--fail-on", "warning").return_value == 1


def test_unusable_file_exits_2(tmp_path):
    result = run(shared_sample("banana-nl__unit4-multivers_xaf3.2_2017_reformatted_bad-encoding.xml"))
    assert result.return_value == 2 and "XAF-F01" in result.output and "ONBRUIKBAAR" in result.output


def test_missing_file_exits_2_without_a_verdict(tmp_path, capsys):
    from koppel.cli import run as run_cli

    assert run_cli(["check", str(tmp_path / "nope.xaf")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no ONBRUIKBAAR verdict with 0 findings for a name that was mistyped
    assert captured.err == (
        f"koppel: {tmp_path / 'nope.xaf'}: file not found (check the name; koppel check takes auditfiles)\n"
    )


def test_several_files_give_a_json_list(tmp_path):
    out = tmp_path / "r.json"
    good = write_synthetic_xaf(tmp_path / "a.xaf", lines=50)
    result = run(good, shared_sample("rxaf__unit4-multivers_xaf3.2_2017.xaf"), "--json", out)
    assert result.return_value == 0
    data = json.loads(out.read_text())
    assert [d["verdict"] for d in data] == ["ok", "warnings"]


def test_html_needs_one_file(tmp_path):
    good = write_synthetic_xaf(tmp_path / "a.xaf", lines=50)
    with pytest.raises(Exception, match="one file"):
        result = run(good, good, "--html", tmp_path / "x.html")
        raise result.exception


def test_exit_code_function():
    ok = {"verdict": "ok", "findings": []}
    warn = {"verdict": "warnings", "findings": [{"severity": "warning"}]}
    bad = {"verdict": "unusable", "findings": [{"severity": "error"}]}
    assert exit_code([ok], "error") == 0
    assert exit_code([ok, warn], "error") == 0
    assert exit_code([ok, warn], "warning") == 1
    assert exit_code([warn, bad], "error") == 2
