# ruff: noqa: E501 - one XAF record per line keeps line numbers obvious
"""One seeded defect per rule code: the checker finds it, with the right severity and line number.

A small, clean XAF 3.2 file (one record per line) is mutated by exact text replacement; the expected
line is the line of a marker text in the mutated file. CLAIR2 and 4.0 defects mutate synthetic files.
"""

from __future__ import annotations

import re

import pytest

from koppel.checks import check_file
from koppel.synthetic import write_synthetic_xaf
from tests.conftest import XSD_DIR

BASE32 = """<?xml version="1.0" encoding="UTF-8"?>
<auditfile xmlns="http://www.auditfiles.nl/XAF/3.2">
<header>
<fiscalYear>2025</fiscalYear>
<startDate>2025-01-01</startDate>
<endDate>2025-12-31</endDate>
<curCode>EUR</curCode><dateCreated>2026-01-10</dateCreated><softwareDesc>test</softwareDesc><softwareVersion>1</softwareVersion>
</header>
<company>
<companyIdent>X1</companyIdent><companyName>Test B.V.</companyName><taxRegistrationCountry>NL</taxRegistrationCountry><taxRegIdent>NL1</taxRegIdent>
<streetAddress><city>Utrecht</city></streetAddress>
<customersSuppliers>
<customerSupplier><custSupID>R1</custSupID><custSupName>Klant</custSupName><custSupTp>C</custSupTp></customerSupplier>
<customerSupplier><custSupID>R2</custSupID><custSupName>Leverancier</custSupName><custSupTp>S</custSupTp></customerSupplier>
</customersSuppliers>
<generalLedger>
<ledgerAccount><accID>0500</accID><accDesc>Eigen vermogen</accDesc><accTp>B</accTp></ledgerAccount>
<ledgerAccount><accID>1000</accID><accDesc>Kas</accDesc><accTp>B</accTp></ledgerAccount>
<ledgerAccount><accID>8000</accID><accDesc>Omzet</accDesc><accTp>P</accTp></ledgerAccount>
<basics>
<basic><basicType>02</basicType><basicID>KP1</basicID><basicDesc>Kostenplaats</basicDesc></basic>
<basic><basicType>29</basicType><basicID>SRC</basicID><basicDesc>Bron</basicDesc></basic>
</basics>
</generalLedger>
<vatCodes>
<vatCode><vatID>V21</vatID><vatDesc>Hoog</vatDesc><vatToPayAccID>1000</vatToPayAccID></vatCode>
</vatCodes>
<periods>
<period><periodNumber>1</periodNumber><startDatePeriod>2025-01-01</startDatePeriod><endDatePeriod>2025-06-30</endDatePeriod></period>
<period><periodNumber>2</periodNumber><startDatePeriod>2025-07-01</startDatePeriod><endDatePeriod>2025-12-31</endDatePeriod></period>
</periods>
<openingBalance>
<opBalDate>2025-01-01</opBalDate>
<linesCount>2</linesCount>
<totalDebit>100.00</totalDebit>
<totalCredit>100.00</totalCredit>
<obLine><nr>1</nr><accID>1000</accID><amnt>100.00</amnt><amntTp>D</amntTp></obLine>
<obLine><nr>2</nr><accID>0500</accID><amnt>100.00</amnt><amntTp>C</amntTp></obLine>
</openingBalance>
<transactions>
<linesCount>4</linesCount>
<totalDebit>80.00</totalDebit>
<totalCredit>80.00</totalCredit>
<journal><jrnID>MEM</jrnID><desc>Memoriaal</desc><jrnTp>M</jrnTp>
<transaction><nr>1</nr><periodNumber>1</periodNumber><trDt>2025-03-01</trDt><sourceID>SRC</sourceID>
<trLine><nr>1</nr><accID>1000</accID><docRef>F1</docRef><effDate>2025-03-01</effDate><amnt>50.00</amnt><amntTp>D</amntTp><custSupID>R1</custSupID><costID>KP1</costID></trLine>
<trLine><nr>2</nr><accID>8000</accID><docRef>F1</docRef><effDate>2025-03-01</effDate><amnt>50.00</amnt><amntTp>C</amntTp><vat><vatID>V21</vatID><vatPerc>21.000</vatPerc><vatAmnt>8.68</vatAmnt><vatAmntTp>C</vatAmntTp></vat></trLine>
</transaction>
<transaction><nr>2</nr><periodNumber>2</periodNumber><trDt>2025-08-01</trDt>
<trLine><nr>1</nr><accID>1000</accID><docRef>F2</docRef><effDate>2025-08-01</effDate><amnt>30.00</amnt><amntTp>D</amntTp></trLine>
<trLine><nr>2</nr><accID>8000</accID><docRef>F2</docRef><effDate>2025-08-01</effDate><amnt>30.00</amnt><amntTp>C</amntTp></trLine>
</transaction>
</journal>
<subledgers>
<subledger><sbType>CU</sbType><linesCount>1</linesCount><totalDebit>50.00</totalDebit><totalCredit>0.00</totalCredit>
<sbLine><nr>1</nr><jrnID>MEM</jrnID><trNr>1</trNr><trLineNr>1</trLineNr><amnt>50.00</amnt><amntTp>D</amntTp><custSupID>R1</custSupID></sbLine>
</subledger>
</subledgers>
</transactions>
</company>
</auditfile>
"""

TX1 = "<transaction><nr>1</nr><periodNumber>1</periodNumber><trDt>2025-03-01</trDt>"
LINE1 = "<trLine><nr>1</nr><accID>1000</accID><docRef>F1</docRef>"
LINE2 = "<trLine><nr>2</nr><accID>8000</accID><docRef>F1</docRef>"
OB1 = "<obLine><nr>1</nr><accID>1000</accID>"
OB2 = "<obLine><nr>2</nr><accID>0500</accID>"
R1 = "<customerSupplier><custSupID>R1</custSupID><custSupName>Klant</custSupName><custSupTp>C</custSupTp></customerSupplier>"
ACC = "<ledgerAccount><accID>1000</accID><accDesc>Kas</accDesc><accTp>B</accTp></ledgerAccount>"
VAT = "<vatCode><vatID>V21</vatID><vatDesc>Hoog</vatDesc><vatToPayAccID>1000</vatToPayAccID></vatCode>"
P2 = "<period><periodNumber>2</periodNumber>"
BASIC = "<basic><basicType>02</basicType><basicID>KP1</basicID><basicDesc>Kostenplaats</basicDesc></basic>"
SB = "<sbLine><nr>1</nr><jrnID>MEM</jrnID><trNr>1</trNr><trLineNr>1</trLineNr>"
JRN2 = "<journal><jrnID>MEM</jrnID><desc>Nog een</desc></journal>\n"

# code: (replacements [(old, new)], marker whose line the finding must carry)
CASES: dict[str, tuple[list[tuple[str, str]], str]] = {
    "XAF-U01": ([(R1, R1 + "\n" + R1.replace("Klant", "Klant2"))], "Klant2"),
    "XAF-U02": ([(ACC, ACC + "\n" + ACC.replace("Kas", "Kas2"))], "Kas2"),
    "XAF-U04": ([(VAT, VAT + "\n" + VAT.replace("Hoog", "Hoog2"))], "Hoog2"),
    "XAF-U05": ([("</periods>", P2 + "<startDatePeriod>2025-07-01</startDatePeriod><endDatePeriod>2025-12-31"
                  "</endDatePeriod><periodDesc>dubbel</periodDesc></period>\n</periods>")], "dubbel"),
    "XAF-U06": ([("<subledgers>", JRN2 + "<subledgers>")], "Nog een"),
    "XAF-U07": ([("<transaction><nr>2</nr>", "<transaction><nr>1</nr><desc>dubbel</desc>")], "dubbel"),
    "XAF-U08": ([(LINE2, LINE2.replace("<nr>2</nr>", "<nr>1</nr>").replace("F1", "DUP"))], "DUP"),
    "XAF-U09": ([(OB2, OB2.replace("<nr>2</nr>", "<nr>1</nr>").replace("0500", "0500"))], OB2.replace("<nr>2", "<nr>1")),
    "XAF-U10": ([(BASIC, BASIC + "\n" + BASIC.replace("Kostenplaats", "Dubbel"))], "Dubbel"),
    "XAF-U11": ([("</subledger>", SB.replace("<jrnID>", "<desc>x</desc><jrnID>") + "<amnt>0.00</amnt>"
                  "<amntTp>D</amntTp></sbLine>\n</subledger>")], "<desc>x</desc>"),
    "XAF-T01": ([("<totalDebit>100.00</totalDebit>", "<totalDebit>90.00</totalDebit>")], "<totalDebit>90.00"),
    "XAF-T02": ([("<totalCredit>100.00</totalCredit>", "<totalCredit>90.00</totalCredit>")], "<totalCredit>90.00"),
    "XAF-T03": ([("<totalDebit>100.00</totalDebit>", "<totalDebit>90.00</totalDebit>")], "<totalDebit>90.00"),
    "XAF-T04": ([("<totalDebit>80.00</totalDebit>", "<totalDebit>81.00</totalDebit>")], "<totalDebit>81.00"),
    "XAF-T05": ([("<totalCredit>80.00</totalCredit>", "<totalCredit>81.00</totalCredit>")], "<totalCredit>81.00"),
    "XAF-T06": ([("<totalCredit>80.00</totalCredit>", "<totalCredit>81.00</totalCredit>")], "<totalDebit>80.00"),
    "XAF-T07": ([(LINE2 + "<effDate>2025-03-01</effDate><amnt>50.00", LINE2 + "<effDate>2025-03-01</effDate>"
                  "<amnt>49.99")], TX1),
    "XAF-T08": ([("<linesCount>4</linesCount>", "<linesCount>5</linesCount>")], "<linesCount>5"),
    "XAF-T09": ([("<linesCount>2</linesCount>", "")], "<openingBalance>"),
    "XAF-T10": ([("<linesCount>1</linesCount><totalDebit>50.00", "<linesCount>2</linesCount><totalDebit>50.00")],
                "<subledger>"),
    "XAF-K01": ([(LINE2, LINE2.replace("8000", "9999"))], "9999"),
    "XAF-K02": ([(OB2, OB2.replace("0500", "0999"))], "0999"),
    "XAF-K03": ([("<custSupID>R1</custSupID><costID>", "<custSupID>R9</custSupID><costID>")], "R9"),
    "XAF-K04": ([("<vat><vatID>V21</vatID>", "<vat><vatID>V99</vatID>")], "V99"),
    "XAF-K05": ([("<vatToPayAccID>1000</vatToPayAccID>", "<vatToPayAccID>7777</vatToPayAccID>")], "7777"),
    "XAF-K06": ([("<periodNumber>2</periodNumber><trDt>", "<periodNumber>7</periodNumber><trDt>")],
                "<periodNumber>7</periodNumber><trDt>"),
    "XAF-K07": ([(re.search(r"<periods>.*</periods>\n", BASE32, re.S).group(0), "")], "<header>"),
    "XAF-K08": ([(SB, SB.replace("<jrnID>MEM", "<jrnID>XX"))], "<jrnID>XX"),
    "XAF-K09": ([("<costID>KP1</costID>", "<costID>KP9</costID>")], "KP9"),
    "XAF-K10": ([(SB, SB.replace("<trLineNr>1", "<trLineNr>9"))], "<trLineNr>9"),
    "XAF-O01": ([("<periodNumber>2</periodNumber><trDt>2025-08-01", "<periodNumber>0</periodNumber><trDt>2025-01-01")],
                "<periodNumber>0</periodNumber>"),
    "XAF-O03": ([(OB2, OB2.replace("0500", "8000"))], OB2.replace("0500", "8000")),
    "XAF-D01": ([("<trDt>2025-08-01</trDt>", "<trDt>2026-01-05</trDt>")], "2026-01-05"),
    "XAF-D02": ([("<trDt>2025-08-01</trDt>", "<trDt>2025-05-01</trDt>")], "<trDt>2025-05-01"),
    "XAF-D03": ([("<effDate>2025-08-01</effDate><amnt>30.00</amnt><amntTp>D",
                  "<effDate>2024-12-01</effDate><amnt>30.00</amnt><amntTp>D")], "2024-12-01"),
    "XAF-D04": ([("<fiscalYear>2025</fiscalYear>", "<fiscalYear>2024</fiscalYear>")], "<fiscalYear>"),
    "XAF-D05": ([("<endDate>2025-12-31</endDate>", "<endDate>2025-12-30</endDate>"),
                 ("<endDatePeriod>2025-12-31", "<endDatePeriod>2025-12-30")], "<endDate>"),
    "XAF-D06": ([("<endDatePeriod>2025-12-31", "<endDatePeriod>2026-01-31")], "2026-01-31"),
    "XAF-V01": ([("<docRef>F2</docRef><effDate>2025-08-01</effDate><amnt>30.00</amnt><amntTp>C",
                  f"<docRef>{'x' * 256}</docRef><effDate>2025-08-01</effDate><amnt>30.00</amnt><amntTp>C")], "xxxx"),
    "XAF-V02": ([("<amnt>30.00</amnt><amntTp>C</amntTp>", "<amnt>-30.00</amnt><amntTp>D</amntTp>")], "-30.00"),
    "XAF-V03": ([("<amnt>30.00</amnt><amntTp>D</amntTp>", "<amnt>30</amnt><amntTp>D</amntTp>")], "<amnt>30<"),
    "XAF-V04": ([("<amnt>30.00</amnt><amntTp>D</amntTp>", "<amnt>30.00</amnt><amntTp>X</amntTp>")], "<amntTp>X"),
    "XAF-V05": ([("<jrnTp>M</jrnTp>", "<jrnTp>Q</jrnTp>")], "<jrnTp>Q"),
    "XAF-F03": ([('<?xml version="1.0" encoding="UTF-8"?>\n', "")], "<auditfile"),
    "XAF-F07": ([("<accTp>P</accTp>", "<accTp>P</accTp><RGScode>WOmzArt</RGScode>")], "RGScode"),
    # the checks pyxaf makes that koppel lacked (issue 19 item 11)
    "XAF-K11": ([("<jrnTp>M</jrnTp>", "<jrnTp>M</jrnTp><offsetAccID>1099</offsetAccID>")], "1099"),
    "XAF-T12": ([(OB2 + "<amnt>100.00", OB2 + "<amnt>90.00")], "<openingBalance>"),
    "XAF-V07": ([("<vatAmnt>8.68</vatAmnt>", "<vatAmnt>-8.68</vatAmnt>")], "-8.68"),
}  # fmt: skip
SEVERITY = {"XAF-K09": "info", "XAF-K10": "info", "XAF-V02": "info", "XAF-V03": "info", "XAF-F03": "info",
            "XAF-V07": "info"}  # fmt: skip


def _line_of(text: str, marker: str) -> int:
    pos = text.index(marker)
    return text.count("\n", 0, pos) + 1


def _check(tmp_path, text: str, name="t.xaf", **kwargs) -> dict:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    kwargs.setdefault("xsd", False)
    return check_file(path, **kwargs)


def _codes(result: dict) -> dict:
    return {f["code"]: f for f in result["findings"]}


def test_base_file_is_clean(tmp_path):
    result = _check(tmp_path, BASE32, schema_dir=XSD_DIR, xsd=True)
    assert result["findings"] == [] and result["verdict"] == "ok"
    assert result["totals"]["debit"] == "80.00" and result["counts"]["subledger_lines"] == 1


@pytest.mark.parametrize("code", sorted(CASES))
def test_seeded_defect_is_found_on_its_line(tmp_path, code):
    replacements, marker = CASES[code]
    text = BASE32
    for old, new in replacements:
        assert old in text, f"mutation for {code} does not apply"
        text = text.replace(old, new, 1)
    found = _codes(_check(tmp_path, text))
    assert code in found, f"{code} not found; got {sorted(found)}"
    finding = found[code]
    assert finding["count"] == 1
    assert finding["line"] == _line_of(text, marker)
    assert finding["severity"] == SEVERITY.get(code, "warning" if code[4] in "DW" or code in (
        "XAF-U10", "XAF-K07", "XAF-K11", "XAF-V01", "XAF-V05", "XAF-O03", "XAF-F07") else "error")
    assert finding["message"] and finding["places"][0]["path"]


def test_t12_only_when_the_lines_do_not_balance(tmp_path):
    """Declared totals that agree with each other do not hide unbalanced lines; balanced lines give no T12."""
    text = BASE32.replace(OB2 + "<amnt>100.00", OB2 + "<amnt>90.00")
    found = _codes(_check(tmp_path, text))
    assert found["XAF-T12"]["places"][0]["values"] == {"debet": "100.00", "credit": "90.00", "verschil": "10.00"}
    assert "XAF-T03" not in found  # the declared totals agree with each other
    assert "XAF-T12" not in _codes(_check(tmp_path, BASE32.replace("<totalDebit>100.00", "<totalDebit>90.00")))


def test_k11_offset_account_defined_is_no_finding(tmp_path):
    text = BASE32.replace("<jrnTp>M</jrnTp>", "<jrnTp>M</jrnTp><offsetAccID>1000</offsetAccID>")
    assert "XAF-K11" not in _codes(_check(tmp_path, text))


def test_v07_negative_vat_in_clair2(tmp_path):
    text = _clair2(tmp_path).replace("<description>Boeking", "<description>Boeking", 1)
    line = re.search(r"(<line><recordID>1</recordID>.*?)</line>", text).group(1)
    text = text.replace(line, line + "<vat><vatCode>V21</vatCode><vatPercentage>21</vatPercentage>"
                        "<vatAmount>-2.10</vatAmount></vat>", 1)
    found = _codes(_check(tmp_path, text))
    assert found["XAF-V07"]["count"] == 1 and found["XAF-V07"]["severity"] == "info"
    assert found["XAF-V07"]["places"][0]["values"] == {"found": "-2.10"}


def test_o02_no_opening_balance(tmp_path):
    text = re.sub(r"<openingBalance>.*</openingBalance>\n", "", BASE32, flags=re.S)
    o02 = _codes(_check(tmp_path, text))["XAF-O02"]
    assert o02["severity"] == "info" and o02["count"] == 1


def test_f04_bom_and_f02_encoding(tmp_path):
    found = _codes(_check(tmp_path, b"\xef\xbb\xbf" + BASE32.encode()))
    assert found["XAF-F04"]["line"] == 1 and set(found) == {"XAF-F04"}
    text = BASE32.replace('encoding="UTF-8"', 'encoding="windows-1252"')
    found = _codes(_check(tmp_path, text.encode("cp1252")))
    assert found["XAF-F02"]["severity"] == "warning" and set(found) == {"XAF-F02"}


def test_f01_bad_byte_is_unusable_with_line(tmp_path):
    text = BASE32.replace("<custSupName>Klant</custSupName>", "<custSupName>KL\xf6nt</custSupName>")
    result = _check(tmp_path, text.encode("latin-1"))
    assert result["verdict"] == "unusable"
    f01 = _codes(result)["XAF-F01"]
    assert f01["line"] == _line_of(text, "KL\xf6nt")


def test_f01_truncated_file(tmp_path):
    result = _check(tmp_path, BASE32[: len(BASE32) // 2])
    assert result["verdict"] == "unusable" and "XAF-F01" in _codes(result)


def test_f05_unknown_namespace(tmp_path):
    result = _check(tmp_path, BASE32.replace("XAF/3.2", "XAF/9.9"))
    assert result["verdict"] == "unusable" and _codes(result)["XAF-F05"]["severity"] == "error"


def test_f06_wrong_40_namespace(tmp_path):
    path = write_synthetic_xaf(tmp_path / "v4.xaf", lines=10, version="4.0")
    text = path.read_text().replace(
        "http://www.odb.belastingdienst.nl/Belastingdienst/BCPP/1.1/structures/XmlauditfileXAF_4.0",
        "http://www.auditfiles.nl/XAF/4.0",
    )
    found = _codes(_check(tmp_path, text, xsd=True, schema_dir=XSD_DIR))
    assert found["XAF-F06"]["line"] == 1 and found["XAF-F06"]["severity"] == "warning"
    assert "XAF-S04" in found  # the official schema cannot apply to another namespace


def test_u03_duplicate_rgs_code_in_40(tmp_path):
    path = write_synthetic_xaf(tmp_path / "v4.xaf", lines=10, version="4.0")
    text = path.read_text()
    text = text.replace("<accTp>B</accTp></ledgerAccount>", "<accTp>B</accTp><RGScode>BIvaKou</RGScode></ledgerAccount>", 2)
    found = _codes(_check(tmp_path, text))
    assert found["XAF-U03"]["count"] == 1
    assert found["XAF-U03"]["line"] == _line_of(text, "<accID>0200</accID>")


def test_o04_period_zero_in_40(tmp_path):
    path = write_synthetic_xaf(tmp_path / "v4.xaf", lines=10, version="4.0")
    text = path.read_text()
    first = re.search(r"<periodNumber>\d+</periodNumber><trDt>", text).group(0)
    text = text.replace(first, "<periodNumber>0</periodNumber><trDt>", 1)
    found = _codes(_check(tmp_path, text))
    assert found["XAF-O04"]["line"] == _line_of(text, "<periodNumber>0</periodNumber><trDt>")


def _clair2(tmp_path) -> str:
    return write_synthetic_xaf(tmp_path / "c2.xml", lines=12, version="2.0").read_text()


def test_u12_record_id_repeated_in_file_clair2(tmp_path):
    text = _clair2(tmp_path).replace("<recordID>5</recordID>", "<recordID>1</recordID>", 1)
    found = _codes(_check(tmp_path, text))
    assert found["XAF-U12"]["count"] == 1
    second = text.index("<recordID>1</recordID>", text.index("<recordID>1</recordID>") + 1)
    assert found["XAF-U12"]["line"] == text.count("\n", 0, second) + 1


def test_t11_number_entries_clair2(tmp_path):
    text = re.sub(r"<numberEntries>\d+</numberEntries>", "<numberEntries>999</numberEntries>", _clair2(tmp_path))
    found = _codes(_check(tmp_path, text))
    assert found["XAF-T11"]["line"] == _line_of(text, "<numberEntries>") and found["XAF-T11"]["severity"] == "warning"


def test_v06_both_amounts_clair2(tmp_path):
    text = _clair2(tmp_path)
    m = re.search(r"<debitAmount>([\d.]+)</debitAmount></line>", text)
    text = text.replace(m.group(0), f"<debitAmount>{m.group(1)}</debitAmount><creditAmount>0.00</creditAmount></line>", 1)
    found = _codes(_check(tmp_path, text))
    assert found["XAF-V06"]["count"] == 1 and found["XAF-V06"]["line"] == _line_of(text, "<creditAmount>0.00")


def test_v05_unmappable_account_type_clair2(tmp_path):
    text = _clair2(tmp_path).replace("<accountType>Balans</accountType>", "<accountType>Overig</accountType>", 1)
    found = _codes(_check(tmp_path, text))
    assert found["XAF-V05"]["line"] == _line_of(text, "<accountType>Overig<")
    assert found["XAF-V05"]["count"] == 1


@pytest.mark.parametrize("written", ["P", "p", "W", "WV", "VW", "V", "Winst en verlies", "winst- en verlies",
                                     "Resultaat", "PL", "BAL", "Balans", "b", "Activa", "Gemengd"])
def test_v05_not_raised_for_account_types_real_producers_write(tmp_path, written):
    """EekBoek writes P for profit and loss, e-Boekhouden BAL/VW: known values are no finding."""
    text = _clair2(tmp_path).replace("<accountType>Balans</accountType>", f"<accountType>{written}</accountType>")
    assert "XAF-V05" not in _codes(_check(tmp_path, text))


def test_s01_xsd_error_with_line(tmp_path):
    text = BASE32.replace("<costID>KP1</costID>", "<costID>KP1</costID><qntity>-2</qntity>")
    found = _codes(_check(tmp_path, text, xsd=True, schema_dir=XSD_DIR))
    assert found["XAF-S01"]["count"] == 1 and found["XAF-S01"]["line"] == _line_of(text, "<qntity>-2")
    assert "XAF-S03" not in found  # nothing libxml2 missed


def test_s03_lists_what_libxml2_skips(tmp_path):
    # a trLine without docRef and with a negative qntity: libxml2 stops at the missing docRef
    old = LINE1 + "<effDate>2025-03-01</effDate><amnt>50.00</amnt><amntTp>D</amntTp><custSupID>R1</custSupID>"
    new = ("<trLine><nr>1</nr><accID>1000</accID>\n<effDate>2025-03-01</effDate>\n<amnt>50.00</amnt>\n"
           "<amntTp>D</amntTp>\n<custSupID>R1</custSupID>\n<qntity>-1</qntity>")
    text = BASE32.replace(old, new)
    found = _codes(_check(tmp_path, text, xsd=True, schema_dir=XSD_DIR))
    assert found["XAF-S01"]["count"] == 1 and found["XAF-S01"]["line"] == _line_of(text, "<effDate>2025-03-01</effDate>\n")
    assert found["XAF-S03"]["count"] == 1 and found["XAF-S03"]["line"] == _line_of(text, "<qntity>-1")


def test_s02_known_defect_of_321(tmp_path):
    path = write_synthetic_xaf(tmp_path / "v321.xaf", lines=10, version="3.2.1")
    text = path.read_text()
    pos = text.index("<trLine>")
    end = text.index("</amntTp>", pos) + len("</amntTp>")
    text = text[:end] + "<qntity>0</qntity>" + text[end:]
    found = _codes(_check(tmp_path, text, xsd=True, schema_dir=XSD_DIR))
    assert found["XAF-S02"]["line"] == _line_of(text, "<qntity>0") and found["XAF-S02"]["severity"] == "warning"
    assert "XAF-S01" not in found


def test_s04_no_schema_for_version(tmp_path):
    text = BASE32.replace("XAF/3.2", "XAF/3.1")
    found = _codes(_check(tmp_path, text, xsd=True, schema_dir=tmp_path))
    assert found["XAF-S04"]["severity"] == "info"


@pytest.mark.parametrize("version", ["3.2", "3.2.1", "4.0", "2.0"])
def test_clean_synthetic_file_has_no_errors_or_warnings(tmp_path, version):
    path = write_synthetic_xaf(tmp_path / f"s{version}.xaf", lines=300, version=version)
    result = check_file(path, schema_dir=XSD_DIR)
    assert [f["code"] for f in result["findings"] if f["severity"] != "info"] == []
    assert result["verdict"] == "ok" or {f["code"] for f in result["findings"]} <= {"XAF-O02"}
    assert result["totals"]["debit"] == result["totals"]["credit"]


def test_large_file_path_validates_streaming_in_a_second_process(tmp_path, monkeypatch):
    from koppel.checks import xsd as xsd_layer

    monkeypatch.setattr(xsd_layer, "TREE_LIMIT", 0)  # every file counts as large
    assert _check(tmp_path, BASE32, xsd=True, schema_dir=XSD_DIR)["findings"] == []
    text = BASE32.replace("<costID>KP1</costID>", "<costID>KP1</costID><qntity>-2</qntity>").replace(
        "<trDt>2025-08-01</trDt>", "<trDt>2026-08-01</trDt>")
    found = _codes(_check(tmp_path, text, xsd=True, schema_dir=XSD_DIR))
    assert found["XAF-S01"]["count"] == 1 and found["XAF-S01"]["line"] == _line_of(text, "<qntity>-2")
    assert "64 MB" in found["XAF-S01"]["hint"]
    assert "XAF-D01" in found  # the content pass went on past the schema error
    broken = _check(tmp_path, BASE32[:-200], xsd=True, schema_dir=XSD_DIR)
    assert broken["verdict"] == "unusable"


def test_f08_continuation_part_alone(tmp_path):
    text = BASE32.replace("<auditfile ", "<!-- Vervolgbestand 2 van 3 -->\n<auditfile ", 1)
    f08 = _codes(_check(tmp_path, text))["XAF-F08"]
    assert f08["severity"] == "error" and f08["places"][0]["values"] == {"deel": 2, "van": 3}


def test_f07_3x_vocabulary_in_a_40_file(tmp_path):
    text = write_synthetic_xaf(tmp_path / "v4.xaf", lines=10, version="4.0").read_text()
    text = text.replace("<Commercenr>", "<companyIdent>X</companyIdent><Commercenr>", 1)
    f07 = _codes(_check(tmp_path, text))["XAF-F07"]
    assert f07["places"][0]["values"]["elements"] == "companyIdent" and f07["severity"] == "warning"
