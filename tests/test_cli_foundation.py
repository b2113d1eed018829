"""inspect, export and formats from the command line; every bad input is one clear line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from koppel.cli import main
from tests.conftest import SAMPLES, shared_sample

GOOD = SAMPLES / "voorbeeld_xaf32.xaf"


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def test_inspect_json_has_the_documented_keys(capsys):
    code, out, _ = run(["inspect", "--json", str(shared_sample("rxaf__unit4-multivers_xaf3.2_2017.xaf"))], capsys)
    assert code == 0
    data = json.loads(out)
    assert {"format", "version", "software", "counts", "totals"} <= set(data)
    assert data["format"] == "xaf" and data["version"] == "3.2"
    assert data["software"] == {"name": "Unit4 Multivers", "version": "10.9.2658.33026"}
    assert data["counts"] == {
        "accounts": 165,
        "relations": 31,
        "vat_codes": 3,
        "periods": 12,
        "journals": 11,
        "transactions": 69,
        "lines": 371,
        "opening_lines": 22,
    }
    assert data["totals"] == {
        "debit": "135836.32",
        "credit": "135836.32",
        "opening_debit": "1109753.22",
        "opening_credit": "1109753.22",
    }


def test_inspect_text_summary(capsys):
    code, out, _ = run(["inspect", str(GOOD)], capsys)
    assert code == 0
    assert "lines            600" in out
    assert "total debit      647705.10" in out


def test_export_writes_one_file_per_table_with_decimal_amounts(tmp_path, capsys):
    code, _out, _ = run(
        ["export", str(shared_sample("rxaf__exact-online_xaf3.2_2016.xaf")), "-o", str(tmp_path)], capsys
    )
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "accounts.csv",
        "journals.csv",
        "lines.csv",
        "opening_balance.csv",
        "periods.csv",
        "relations.csv",
        "summary.json",
        "vat_codes.csv",
    ]
    lines = pd.read_csv(tmp_path / "lines.csv", dtype=str, keep_default_na=False)
    assert len(lines) == 167
    # amounts are signed decimal strings with a point; they sum to zero exactly
    cents = lines["amount"].str.replace(".", "", regex=False).astype(int)
    assert cents.sum() == 0
    assert lines["amount"].str.fullmatch(r"-?\d+\.\d\d").all()
    assert cents[cents > 0].sum() == 99995406
    accounts = pd.read_csv(tmp_path / "accounts.csv", dtype=str)
    assert len(accounts) == 97


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_export_other_formats(tmp_path, capsys, fmt):
    code, _, _ = run(["export", str(GOOD), "-o", str(tmp_path), "--format", fmt], capsys)
    assert code == 0
    if fmt == "parquet":
        lines = pd.read_parquet(tmp_path / "lines.parquet")
        assert lines["amount"].dtype == "int64" and int(lines["amount"].sum()) == 0 and len(lines) == 600
    else:
        lines = pd.read_excel(tmp_path / "lines.xlsx", engine="openpyxl")
        assert len(lines) == 600 and round(float(lines["amount"].abs().sum()), 2) == 2 * 647705.10


def test_formats_lists_xaf_with_evidence(capsys):
    code, out, _ = run(["formats", "--json"], capsys)
    assert code == 0
    xaf = next(f for f in json.loads(out) if f["name"] == "xaf")
    assert xaf["reads"] is True and xaf["evidence"] == "V"


# --- bad input: one line, exit 2, no traceback, no output ---------------------------------------------


def _bad(tmp_path, content: bytes, name: str = "bad.xaf"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


NS = b"http://www.auditfiles.nl/XAF/3.2"


def _xaf(body: bytes) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<auditfile xmlns="' + NS + b'">\n' + body + b"\n</auditfile>\n"


LINE = (
    b"<trLine><nr>1</nr><accID>1000</accID><docRef>x</docRef><effDate>2024-01-01</effDate>"
    b"<amnt>{amnt}</amnt><amntTp>{tp}</amntTp></trLine>"
)


def _tx(amnt: bytes = b"10.00", tp: bytes = b"D", date: bytes = b"2024-01-01") -> bytes:
    line = LINE.replace(b"{amnt}", amnt).replace(b"{tp}", tp)
    other = LINE.replace(b"{amnt}", b"10.00").replace(b"{tp}", b"C")
    return _xaf(
        b"<company><transactions><journal><jrnID>M</jrnID><desc>x</desc>\n<transaction><nr>1</nr>"
        b"<periodNumber>1</periodNumber><trDt>" + date + b"</trDt>\n" + line + b"\n" + other + b"\n</transaction>"
        b"</journal></transactions></company>"
    )


BAD_INPUTS = {
    "empty": (b"", "the file is empty"),
    "not xml": (b"Datum;Bedrag\n01-01-2024;12,50\n", "does not look like XML"),
    "adf": (b"CLAIR1.00.00 some fixed width data\n", "ADF auditfile"),
    "truncated": (_tx()[:-40], "ends too early"),
    "unknown namespace": (_tx().replace(NS, b"http://example.com/xaf"), "unknown auditfile namespace"),
    "wrong root": (b'<?xml version="1.0"?>\n<invoice><nr>1</nr></invoice>\n', "not <auditfile>"),
    "doctype": (b'<?xml version="1.0"?>\n<!DOCTYPE auditfile [<!ENTITY a "b">]>\n<auditfile/>\n', "DOCTYPE"),
    "bad amount": (_tx(amnt=b"12,50"), "not an amount"),
    "three decimals": (_tx(amnt=b"12.505"), "more than two decimals"),
    "missing side": (_tx(tp=b"X"), "amntTp"),
    "bad date": (_tx(date=b"2024-02-30"), "not a date"),
    "mismatched tag": (_tx().replace(b"</desc>", b"</dsc>"), "not well-formed"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, capsys, case):
    content, expected = BAD_INPUTS[case]
    path = _bad(tmp_path, content)
    out_dir = tmp_path / "out"
    code, _out, err = run(["export", str(path), "-o", str(out_dir)], capsys)
    assert code == 2
    assert err.startswith(f"koppel: {path}")
    assert expected in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_bad_amount_names_its_line_and_field(tmp_path, capsys):
    path = _bad(tmp_path, _tx(amnt=b"12,50"))
    code, _, err = run(["inspect", str(path)], capsys)
    assert code == 2
    assert f"{path}:5: amnt: not an amount: '12,50'" in err


def test_missing_file(tmp_path, capsys):
    code, _, err = run(["inspect", str(tmp_path / "nope.xaf")], capsys)
    assert code == 2 and "file not found" in err


def test_cr_only_line_ends_count_as_lines(tmp_path, capsys):
    """The official 2014 test file uses CR-only line ends: error positions must still be right."""
    raw = shared_sample(
        "analyticslibrary__official-xaf3.2-testfile-2014-xmlspy__XmlAuditfileFinancieel3.2_test.xml"
    ).read_bytes()
    assert b"\n" not in raw
    lines = raw.split(b"\r")
    target = next(i for i, line in enumerate(lines) if b"<amnt>" in line and b"3.14" in line)
    lines[target] = lines[target].replace(b"3.14", b"3,14")
    path = _bad(tmp_path, b"\r".join(lines))
    code, _, err = run(["inspect", str(path)], capsys)
    assert code == 2
    assert f":{target + 1}: " in err


def test_no_traceback_from_the_console_script(tmp_path):
    path = _bad(tmp_path, _tx(amnt=b"abc"))
    proc = subprocess.run(
        [sys.executable, "-m", "koppel.cli", "inspect", str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("koppel: ") and "Traceback" not in proc.stderr


def test_export_xlsx_sheets_are_typed_frozen_filtered_and_sized(tmp_path, capsys):
    """Was: Excel's General format, no frozen header, no filter, no widths."""
    from openpyxl import load_workbook

    code, _, _ = run(["export", str(GOOD), "-o", str(tmp_path), "--format", "xlsx"], capsys)
    assert code == 0
    sheet = load_workbook(tmp_path / "lines.xlsx")["lines"]
    header = [c.value for c in sheet[1]]
    amount, date = header.index("amount") + 1, header.index("date") + 1
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}601"
    assert sheet[1][0].font.bold
    assert sheet.cell(2, amount).number_format == "#,##0.00" and isinstance(sheet.cell(2, amount).value, float)
    assert sheet.cell(2, date).number_format == "dd-mm-yyyy"
    assert sheet.column_dimensions[sheet.cell(1, amount).column_letter].width == 14
