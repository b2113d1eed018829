"""Inputs are recognised by their content: auditfiles and package XML by the root, koppel's own output
folders by the target their control.json names."""

from __future__ import annotations

import subprocess
import sys

import pytest

from koppel.errors import KoppelError
from koppel.pipeline import convert
from koppel.registry import detect_format, read_input
from koppel.xml_head import root_name
from tests.conftest import SAMPLES, SHARED
from tests.format_params import accepted, formats


@pytest.mark.parametrize("target", formats(lambda f: f.reads and f.writes and f.output == "folder"))
def test_own_output_folder_is_recognised(tmp_path, target):
    out = tmp_path / target
    options = {"entry_numbers": "renumber", **accepted(target, {"office": "VB001"})}
    convert(SAMPLES / "voorbeeld_xaf40.xaf", target, out, options=options)
    assert detect_format(out) == target
    adm = read_input(out)  # no --from needed
    assert adm.stats.lines > 0


@pytest.mark.parametrize("target", formats(lambda f: bool(f.xml_root or f.detect) and f.writes and f.reads))
def test_package_xml_by_root(tmp_path, target):
    out = tmp_path / target
    convert(SAMPLES / "voorbeeld_xaf40.xaf", target, out, options=accepted(target, {"office": "VB001"}))
    written = sorted(out.glob("*.xml"))
    assert written and all(detect_format(path) == target for path in written)


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


def test_telling_an_auditfile_apart_reads_the_specs_alone():
    """Detection reads what the specs say (detect, xml_root, fallback_suffixes) without importing every writer
    and reader: koppel's RGS check reads the chart of an auditfile without loading the registry."""
    code = (
        "import koppel.registry as r; import sys; "
        "assert r.detect_format(sys.argv[1]) == 'xaf' and not r._loaded, r._loaded"
    )
    done = subprocess.run([sys.executable, "-c", code, str(SAMPLES / "voorbeeld_xaf32.xaf")], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


TWINFIELD_FILES = sorted((SHARED / "packages" / "twinfield").glob("*.xml"))


@pytest.mark.parametrize("path", TWINFIELD_FILES, ids=[p.name for p in TWINFIELD_FILES])
def test_twinfield_xml_is_recognised_by_its_root(path):
    """Was: 'the root element is <transactions>, not <auditfile>' — a Twinfield file needed --from twinfield."""
    assert detect_format(path) == "twinfield"


def test_an_auditfile_is_not_taken_for_twinfield(tmp_path):
    """An auditfile has a <transactions> element of its own: the root decides, not a name in the first 4 KB."""
    path = tmp_path / "klein.xaf"
    path.write_text(
        '<?xml version="1.0"?><auditfile xmlns="http://www.auditfiles.nl/XAF/3.2"><header><office>x</office>'
        "</header><transactions><linesCount>0</linesCount></transactions></auditfile>",
        encoding="utf-8",
    )
    assert detect_format(path) == "xaf"


@pytest.mark.parametrize(
    ("head", "root"),
    [
        (b"<transactions>", "transactions"),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- export -->\n<dimensions>', "dimensions"),
        (b'<?xml version="1.0"?><!DOCTYPE x><?pi a?><tw:transaction xmlns:tw="u">', "transaction"),
        (b'<!DOCTYPE auditfile [<!ENTITY x "a>b">]>\n<auditfile>', "auditfile"),  # an internal subset holds '>'
        (b"Datum;Bedrag", None),
        (b"<!-- never closed", None),
    ],
)
def test_root_name_skips_the_prolog(head, root):
    assert root_name(head) == root


def test_an_empty_folder_says_so(tmp_path):
    with pytest.raises(KoppelError, match=r": the folder is empty \(name the file to read"):
        detect_format(tmp_path)


def test_a_folder_koppel_did_not_write_asks_for_one_file_or_from(tmp_path):
    """Was: 'cannot tell the format of this input' for a folder of auditfiles, as for a file of unknown bytes."""
    (tmp_path / "2024.xaf").write_bytes((SAMPLES / "voorbeeld_xaf32.xaf").read_bytes())
    with pytest.raises(KoppelError) as raised:
        detect_format(tmp_path)
    assert "koppel did not write" in raised.value.message and "name one file in it" in raised.value.hint
