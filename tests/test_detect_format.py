"""Inputs are recognised by their content: auditfiles and package XML by the root, koppel's own output
folders by the target their control.json names."""

from __future__ import annotations

import pytest

from koppel.errors import KoppelError
from koppel.pipeline import convert
from koppel.registry import detect_format, read_input
from tests.conftest import SAMPLES


@pytest.mark.parametrize("target", ["asperion", "minox", "exact-online", "twinfield"])
def test_own_output_folder_is_recognised(tmp_path, target):
    out = tmp_path / target
    convert(SAMPLES / "voorbeeld_xaf40.xaf", target, out, options={"entry_numbers": "renumber", "office": "VB001"})
    assert detect_format(out) == target
    adm = read_input(out)  # no --from needed
    assert adm.stats.lines > 0


def test_package_xml_by_root(tmp_path):
    out = tmp_path / "eo"
    convert(SAMPLES / "voorbeeld_xaf40.xaf", "exact-online", out)
    transactions = next(out.glob("*GLTransactions.xml"))
    assert detect_format(transactions) == "exact-online"


def test_unknown_content_asks_for_from(tmp_path):
    path = tmp_path / "export.dat"
    path.write_text("Datum;Bedrag\n01-01-2025;12,50\n", encoding="utf-8")
    with pytest.raises(KoppelError, match="cannot tell the format"):
        detect_format(path)


MT940 = ":20:940S240305\r\n:25:NL91INGB0001234567\r\n:28C:00012\r\n:60F:C240304EUR1234,56\r\n"
CAMT = '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'


@pytest.mark.parametrize(
    ("name", "content", "what", "option"),
    [
        ("bank.sta", MT940.encode(), "an MT940 bank statement", "--profile bank-mt940"),
        ("bank.txt", ("{1:F01INGBNL2AXXXX0000000000}{2:I940INGBNL2AXXXXN}{4:\r\n" + MT940).encode("utf-16"),
         "an MT940 bank statement", "--profile bank-mt940"),
        ("afschrift.xml", CAMT.encode(), "a CAMT.053 bank statement", "--profile bank-camt053"),
        ("kassa.csv", b"Datum;Omzet\n01-01-2025;12,50\n", "an export table (CSV or Excel)", "--profile NAME"),
        ("orders.xlsx", b"PK\x03\x04 not really a workbook", "an export table (CSV or Excel)", "--profile NAME"),
    ],
)
def test_an_export_read_through_a_profile_is_named_with_the_option(tmp_path, name, content, what, option):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(KoppelError) as err:
        detect_format(path)
    assert str(err.value.message).startswith(f"{what}: koppel reads it with a source profile")
    assert err.value.hint.startswith(f"add {option}")
