"""The upgrade report's counts taken in the reader's pass equal those of the separate scan, on every sample.

``convert --to xaf40`` used to parse the source twice (read, then :func:`scan_dropped`); now the reader counts
what 4.0 drops while it reads. The scan stays as the reference (and for ``--keep-dropped``), so each sample,
synthetic file and hand-made oddity is read both ways, serially and cut into pieces for the parallel reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from koppel.synthetic import write_synthetic_xaf
from koppel.xaf import parallel
from koppel.xaf.parallel import read_xaf_parallel
from koppel.xaf.reader import read_xaf
from koppel.xaf.split import read_xaf_set
from koppel.xaf.upgrade import counting_dropped, scan_dropped
from tests.conftest import SAMPLES, XAF_SAMPLES
from tests.shapes.clair2 import eekboek_clair2

FILES = sorted(p for p in XAF_SAMPLES.iterdir() if p.suffix in (".xaf", ".xml") and "bad-encoding" not in p.name)
OWN = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".xaf", ".xml") and p.name.startswith("voorbeeld"))


def _scanned(path: Path, adm) -> dict:
    family = "2.0" if adm.header.source_version == "2.0" else "3"
    return scan_dropped(path, family, opening_entries=adm.opening_entries)


def _same_both_ways(path: Path) -> None:
    adm = read_xaf(path, count_dropped=True)
    assert adm.dropped_in_40 == _scanned(path, adm)
    assert read_xaf(path).dropped_in_40 is None  # only a read that is asked counts


@pytest.mark.parametrize("path", FILES + OWN, ids=lambda p: p.name[:40])
def test_the_read_counts_what_the_scan_counts(path: Path) -> None:
    _same_both_ways(path)


@pytest.mark.parametrize("path", FILES + OWN, ids=lambda p: p.name[:40])
def test_the_parallel_read_counts_what_the_scan_counts(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 2500)  # many pieces, journals cut in the middle
    adm = read_xaf_parallel(path, workers=2, count_dropped=True)
    assert adm.dropped_in_40 == _scanned(path, adm)


@pytest.mark.parametrize("version", ["2.0", "3.2", "3.2.1", "4.0"])
def test_synthetic_files(tmp_path: Path, version: str) -> None:
    _same_both_ways(write_synthetic_xaf(tmp_path / f"s{version}.xaf", lines=300, version=version, seed=5))


def test_clair2_opening_in_period_0(tmp_path: Path) -> None:
    _same_both_ways(eekboek_clair2(tmp_path / "eekboek.xml"))


ODD_32 = """<?xml version="1.0" encoding="UTF-8"?>
<auditfile xmlns="http://www.auditfiles.nl/XAF/3.2"><header><fiscalYear>2025</fiscalYear>
<startDate>2025-01-01</startDate><endDate>2025-12-31</endDate><curCode>EUR</curCode>
<dateCreated>2026-01-01</dateCreated><softwareDesc>t</softwareDesc><softwareVersion>1</softwareVersion></header>
<company><companyIdent>1</companyIdent><companyName>T</companyName><taxRegistrationCountry>NL</taxRegistrationCountry>
<streetAddress><streetname>Kerkstraat</streetname></streetAddress>
<customersSuppliers><customerSupplierHistory><customerSupplier><custSupID>OLD</custSupID></customerSupplier>
</customerSupplierHistory><customerSupplier><custSupID>R1</custSupID><custSupTp>C</custSupTp>
<streetAddress><streetname>A</streetname><region>X</region></streetAddress><streetAddress><streetname>B</streetname>
</streetAddress></customerSupplier></customersSuppliers>
<generalLedger><ledgerAccount><accID>1000</accID><accDesc>Kas</accDesc><accTp>B</accTp><leadCode>1</leadCode>
</ledgerAccount><ledgerAccount><accID>8000</accID><accDesc>Omzet</accDesc><accTp>P</accTp></ledgerAccount>
<basics><basic><basicType>02</basicType><basicID>K1</basicID><basicDesc>k</basicDesc></basic></basics>
</generalLedger>
<periods><period><periodNumber>0</periodNumber><periodDesc>open</periodDesc></period></periods>
<transactions><linesCount>5</linesCount><totalDebit>30.00</totalDebit><totalCredit>30.00</totalCredit>
<journal><jrnID>M</jrnID><desc>Memo</desc><jrnTp>M</jrnTp><bankAccNr>NL01</bankAccNr>
<transaction><nr>1</nr><desc>open</desc><periodNumber>0</periodNumber><trDt>2025-01-01</trDt><sourceID>S</sourceID>
<trLine><nr>1</nr><accID>1000</accID><docRef>d</docRef><desc>x</desc><amnt>10.00</amnt><amntTp>D</amntTp>
<vat><vatPerc>21.00</vatPerc></vat><vat><vatID>2</vatID></vat></trLine>
<trLine><nr>2</nr><accID>8000</accID><docRef>d</docRef><amnt>10.00</amnt><amntTp>C</amntTp></trLine></transaction>
<transaction><nr>2</nr><desc>t</desc><periodNumber>1</periodNumber><trDt>2025-02-01</trDt>
<trLine><nr>1</nr><accID>1000</accID><docRef>d</docRef><amnt>20.00</amnt><amntTp>D</amntTp><qntity>3</qntity>
<currency><curCode>USD</curCode><curAmnt>22.00</curAmnt><rate>1.1</rate></currency></trLine>
<trLine><nr>2</nr><accID>8000</accID><docRef>d</docRef><amnt>20.00</amnt><amntTp>C</amntTp><recRef/>
<matchKeyID>m</matchKeyID></trLine></transaction>
<transaction><nr>3</nr><desc>t</desc><periodNumber>1</periodNumber><trDt>2025-02-01</trDt>
<trLine><nr>1</nr><accID>1000</accID><docRef>d</docRef><amnt>0.00</amnt><amntTp>D</amntTp><vat/><vat><vatID>9</vatID>
</vat></trLine></transaction></journal>
<subledgers><subledger><sbType>CU</sbType><sbLine><nr>1</nr></sbLine></subledger></subledgers>
</transactions></company></auditfile>
"""


def test_odd_elements_in_every_place(tmp_path: Path) -> None:
    """Unknown line and transaction children, a second vat after an empty one, quantities, history records."""
    path = tmp_path / "odd.xaf"
    path.write_text(ODD_32, encoding="utf-8")
    adm = read_xaf(path, count_dropped=True)
    counted = adm.dropped_in_40
    assert counted == _scanned(path, adm)
    labels = {label: n for (label, _why), n in counted.items()}
    assert labels["trLine/qntity"] == 1 and labels["trLine/vat"] == 2 and labels["trLine/currency/rate"] == 1
    assert labels["customersSuppliers/customerSupplierHistory"] == 1 and labels["transactions/subledgers"] == 1
    assert labels["trLine (opening, period 0)/desc"] == 1 and labels["trLine (opening, period 0)/vat"] == 1


def test_a_conversion_to_4_0_asks_the_read_to_count(tmp_path: Path) -> None:
    path = OWN[0]
    with counting_dropped("xaf40"):
        assert read_xaf_set(path).dropped_in_40 is not None
    with counting_dropped("minox"):
        assert read_xaf_set(path).dropped_in_40 is None
    assert read_xaf_set(path).dropped_in_40 is None
