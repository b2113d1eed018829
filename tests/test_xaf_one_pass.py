"""The upgrade report's counts taken in the reader's pass equal those of the separate scan, on every sample.

``convert --to xaf40`` used to parse the source twice (read, then :func:`scan_dropped`); now the reader counts
what 4.0 drops while it reads. The scan stays as the reference (and for ``--keep-dropped``), so each sample,
synthetic file and hand-made oddity is read both ways, serially and cut into pieces for the parallel reader.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from koppel.synthetic import write_synthetic_xaf
from koppel.xaf import parallel
from koppel.xaf.consumers import wanted_in_pass
from koppel.xaf.parallel import read_xaf_parallel
from koppel.xaf.reader import read_xaf
from koppel.xaf.split import read_xaf_set
from koppel.xaf.upgrade import scan_dropped
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
    with wanted_in_pass(dropped_in_40=True):
        assert read_xaf_set(path).dropped_in_40 is not None
    with wanted_in_pass(subledgers=True):
        assert read_xaf_set(path).dropped_in_40 is None
    assert read_xaf_set(path).dropped_in_40 is None


def _same_subledgers(mine, theirs, lines_right: bool = True) -> None:
    """Equal tables; ``lines_right`` False: the separate pass counts CR-only line ends as one line (the reader
    reads them as line ends, so its source lines are the right ones there)."""
    if not lines_right:
        mine, theirs = copy.deepcopy(mine), copy.deepcopy(theirs)
        assert (theirs.lines["source_line"] == 1).all()
        mine.lines["source_line"] = theirs.lines["source_line"] = None
    assert mine.lines.reset_index(drop=True).equals(theirs.lines.reset_index(drop=True))
    assert mine.tr_keys.reset_index(drop=True).equals(theirs.tr_keys.reset_index(drop=True))


SUBLEDGER_FILES = FILES + OWN + sorted(SAMPLES.glob("*subledger*")) + sorted(SAMPLES.glob("*openitems*"))


@pytest.mark.parametrize("path", SUBLEDGER_FILES, ids=lambda p: p.name[:40])
def test_the_read_collects_the_subledgers_the_separate_pass_reads(monkeypatch, path: Path) -> None:
    """Open items take subledgers and match keys from the model: the same tables as read_subledgers'."""
    from koppel.openitems.subledgers import read_subledgers

    theirs = read_subledgers(path)
    head = path.read_bytes()[:65536]
    lf = b"\n" in head or b"\r" not in head
    _same_subledgers(read_xaf(path, subledgers=True).subledgers, theirs, lf)
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 2500)
    _same_subledgers(read_xaf_parallel(path, workers=2, subledgers=True).subledgers, theirs, lf)
    assert read_xaf(path).subledgers is None  # only a read that is asked collects


@pytest.mark.parametrize("side", ["C", "D"])
def test_match_keys_and_obsubledgers_of_the_open_items_shape(monkeypatch, tmp_path: Path, side: str) -> None:
    from koppel.openitems.subledgers import read_subledgers
    from tests.test_openitems_subledgers import auditfile

    path = auditfile(tmp_path, sb_side=side)
    theirs = read_subledgers(path)
    assert not theirs.tr_keys.empty and not theirs.lines.empty
    _same_subledgers(read_xaf(path, subledgers=True).subledgers, theirs)
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 300)
    _same_subledgers(read_xaf_parallel(path, workers=2, subledgers=True).subledgers, theirs)


def _two_passes(monkeypatch, run):
    """``run()`` as before the one pass: the read gathers nothing, the separate passes do."""
    import koppel.xaf.consumers as consumers

    with monkeypatch.context() as m:
        m.setattr(consumers, "pass_options", lambda: {})
        return run()


def _no_second_pass(monkeypatch) -> None:
    """Any of the separate passes over the source fails the test."""
    import koppel.openitems.opening as opening
    import koppel.xaf.target as target

    def refuse(*_a, **_k):
        raise AssertionError("the source was parsed a second time")

    monkeypatch.setattr(opening, "read_subledgers", refuse)
    monkeypatch.setattr(target, "scan_dropped", refuse)


def test_convert_to_xaf40_reads_the_source_once(monkeypatch, tmp_path: Path) -> None:
    from koppel.pipeline import convert

    src = SAMPLES / "voorbeeld_clair2.xml"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _two_passes(monkeypatch, lambda: convert(src, "xaf40", tmp_path / "a" / "out.xaf"))
    _no_second_pass(monkeypatch)
    once = convert(src, "xaf40", tmp_path / "b" / "out.xaf")
    assert once.equal and (tmp_path / "a" / "out.xaf").read_bytes() == (tmp_path / "b" / "out.xaf").read_bytes()
    report = (tmp_path / "b" / "upgrade-report.json").read_text(encoding="utf-8")
    assert report == (tmp_path / "a" / "upgrade-report.json").read_text(encoding="utf-8") and "dropped" in report


def test_opening_with_open_items_reads_the_source_once(monkeypatch, tmp_path: Path) -> None:
    from koppel.pipeline import convert
    from tests.conftest import shared_sample

    options = {"opening_with_open_items": True, "open_items_at": "2016-06-30", "result_account": "0500"}
    src = shared_sample("rxaf__exact-online_xaf3.2_2016.xaf")
    expected = _two_passes(monkeypatch, lambda: convert(src, "minox", tmp_path / "a", options=options))
    _no_second_pass(monkeypatch)
    once = convert(src, "minox", tmp_path / "b", options=options)
    assert once.equal
    for a, b in zip(sorted(expected.files), sorted(once.files), strict=True):
        if a.is_file() and a.suffix != ".json":
            assert a.read_bytes() == b.read_bytes(), a.name
