"""What the reader gathers in its own pass equals what the separate passes it replaced gave, on every sample.

``convert --to xaf40`` used to parse the source twice (read, then a scan of what 4.0 drops; with
``--keep-dropped`` that scan also wrote the dropped values). Now the reader counts and keeps them while it
reads; the scan stays as a reference in ``tests/dropped_reference.py``, and each sample, synthetic file and
hand-made oddity is read both ways, serially and cut into pieces for the parallel reader. Subledgers for open
items come from the same pass.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from koppel.synthetic import write_synthetic_xaf
from koppel.xaf import parallel
from koppel.xaf.consumers import wanted_in_pass
from koppel.xaf.parallel import read_xaf_parallel
from koppel.xaf.reader import read_xaf
from koppel.xaf.split import read_xaf_set
from tests.conftest import SAMPLES, XAF_SAMPLES
from tests.dropped_reference import scan_dropped
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


def _reference_rows(tmp_path: Path, path: Path, adm) -> list[dict]:
    family = "2.0" if adm.header.source_version == "2.0" else "3"
    scan_dropped(path, family, opening_entries=adm.opening_entries, keep_csv=tmp_path / "ref.csv")
    return _csv_rows(tmp_path / "ref.csv")


def _csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# The context columns a dropped element has, by the record its label starts with.
_ENCLOSING = {
    "trLine": ("journal", "entry", "line"),
    "line": ("journal", "entry", "line"),
    "transaction": ("journal", "entry"),
    "journal": ("journal",),
    "customerSupplier": ("relation",),
    "ledgerAccount": ("account",),
}


def _same_rows(mine: list[dict], theirs: list[dict]) -> None:
    """The same rows in the same order; the context columns name the records the element lies in.

    The scan set a context column when it passed an id and cleared it only when the next record of that kind
    began, so the last relation, account, journal, entry and line leaked into every row after them (a
    transaction line showed the last ledger account; ``transactions/subledgers`` the last transaction). The read
    names only the enclosing records: where the scan's value is right, it is the same; elsewhere it is empty.
    """
    assert len(mine) == len(theirs)
    for got, ref in zip(mine, theirs, strict=True):
        record = got["element"].split("/", 1)[0].split(" (", 1)[0]
        enclosing = _ENCLOSING.get(record, ())
        expected = {k: (v if k in enclosing else "") if k in _CONTEXT else v for k, v in ref.items()}
        assert got == expected


_CONTEXT = ("journal", "entry", "line", "relation", "account")


@pytest.mark.parametrize("path", FILES + OWN, ids=lambda p: p.name[:40])
def test_the_read_keeps_the_rows_the_scan_wrote(monkeypatch, tmp_path: Path, path: Path) -> None:
    """--keep-dropped: the rows kept in the read's pass (serial and in pieces) are those the scan wrote."""
    adm = read_xaf(path, keep_dropped_rows=True)
    theirs = _reference_rows(tmp_path, path, adm)
    assert adm.dropped_rows.write(tmp_path / "mine.csv") == len(theirs)
    _same_rows(_csv_rows(tmp_path / "mine.csv"), theirs)
    assert not Path(adm.dropped_rows.folder).exists()  # the spool goes once written
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 2500)
    cut = read_xaf_parallel(path, workers=2, keep_dropped_rows=True)
    cut.dropped_rows.write(tmp_path / "cut.csv")
    _same_rows(_csv_rows(tmp_path / "cut.csv"), theirs)


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


def _same_subledgers(mine, theirs) -> None:
    assert mine.lines.reset_index(drop=True).equals(theirs.lines.reset_index(drop=True))
    assert mine.tr_keys.reset_index(drop=True).equals(theirs.tr_keys.reset_index(drop=True))


SUBLEDGER_FILES = FILES + OWN + sorted(SAMPLES.glob("*subledger*")) + sorted(SAMPLES.glob("*openitems*"))


@pytest.mark.parametrize("path", SUBLEDGER_FILES, ids=lambda p: p.name[:40])
def test_the_parallel_read_collects_the_subledgers_of_the_serial_read(monkeypatch, path: Path) -> None:
    """Open items take subledgers and match keys from the model; pieces of a parallel read add up to the same."""
    serial = read_xaf(path, subledgers=True).subledgers
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 2500)
    _same_subledgers(read_xaf_parallel(path, workers=2, subledgers=True).subledgers, serial)
    assert read_xaf(path).subledgers is None  # only a read that is asked collects


@pytest.mark.parametrize("side", ["C", "D"])
def test_match_keys_and_obsubledgers_of_the_open_items_shape(monkeypatch, tmp_path: Path, side: str) -> None:
    from tests.test_openitems_subledgers import auditfile

    path = auditfile(tmp_path, sb_side=side)
    serial = read_xaf(path, subledgers=True).subledgers
    assert list(serial.tr_keys["match_key"]) == ["M1", "M1"]
    assert sorted(serial.lines["kind"]) == ["ob", "ob", "sb", "sb"]
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 300)
    _same_subledgers(read_xaf_parallel(path, workers=2, subledgers=True).subledgers, serial)


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_subledger_lines_name_their_source_line_whatever_the_line_ends(tmp_path: Path, newline: str) -> None:
    """Each sbLine / obSbLine names the line it starts on, also in a file with CR-only line ends (the separate
    subledger pass that this read replaced put every one of them on line 1 there)."""
    from tests.test_openitems_subledgers import auditfile

    one_line = auditfile(tmp_path).read_text(encoding="utf-8")
    text = one_line.replace("<sbLine>", newline + "<sbLine>").replace("<obSbLine>", newline + "<obSbLine>")
    path = tmp_path / "ends.xaf"
    path.write_bytes(text.encode("utf-8"))
    expected = []
    for part in text.split(newline)[1:]:
        expected.append(len(expected) + 2)  # every sbLine / obSbLine starts a line of its own
        assert part.startswith(("<sbLine>", "<obSbLine>"))
    for adm in (read_xaf(path, subledgers=True), read_xaf_parallel(path, workers=2, subledgers=True)):
        assert list(adm.subledgers.lines["source_line"]) == expected == [2, 3, 4, 5]


def _source_reads(monkeypatch, source: Path) -> list[Path]:
    """A list that gets one entry per parse of ``source`` by the XAF reader; any XML pass outside the reader
    (a separate one such as the subledger or drop scans this replaced) fails the test."""
    from lxml import etree

    from koppel.xaf.reader import XafReader

    reads: list[Path] = []
    batches, iterparse = XafReader.batches, etree.iterparse
    inside = [0]

    def counted(self):
        if Path(self.info.path).resolve() == source.resolve():
            reads.append(source)
        inside[0] += 1
        try:
            yield from batches(self)
        finally:
            inside[0] -= 1

    def only_in_the_reader(*args, **kwargs):
        given = args[0] if args else kwargs.get("source")
        name = getattr(given, "name", given)  # a path, or an open file
        of_source = isinstance(name, (str, Path)) and Path(name).resolve() == source.resolve()
        sniff = kwargs.get("events") == ("start",)  # the version sniff stops at the root element
        assert inside[0] or sniff or not of_source, "the source was parsed outside the reader's pass"
        return iterparse(*args, **kwargs)

    monkeypatch.setattr(XafReader, "batches", counted)
    monkeypatch.setattr(etree, "iterparse", only_in_the_reader)
    return reads


def test_convert_to_xaf40_reads_the_source_once(monkeypatch, tmp_path: Path) -> None:
    from koppel.pipeline import convert

    src = SAMPLES / "voorbeeld_clair2.xml"
    reads = _source_reads(monkeypatch, src)
    once = convert(src, "xaf40", tmp_path / "out.xaf", options={"keep_dropped": str(tmp_path / "kept")})
    assert once.equal and reads == [src]
    assert "dropped" in (tmp_path / "out.upgrade-report.json").read_text(encoding="utf-8")
    assert len(_csv_rows(tmp_path / "kept" / "dropped-elements.csv")) > 1


def test_opening_with_open_items_reads_the_source_once(monkeypatch, tmp_path: Path) -> None:
    from koppel.pipeline import convert
    from tests.conftest import shared_sample

    options = {"opening_with_open_items": True, "open_items_at": "2016-06-30", "result_account": "0500"}
    src = shared_sample("rxaf__exact-online_xaf3.2_2016.xaf")
    reads = _source_reads(monkeypatch, src)
    once = convert(src, "minox", tmp_path / "b", options=options)
    assert once.equal and reads == [src]


def test_openitems_command_reads_the_source_once(monkeypatch, tmp_path: Path) -> None:
    from koppel.cli import main
    from tests.conftest import shared_sample

    src = shared_sample("rxaf__exact-online_xaf3.2_2016.xaf")
    reads = _source_reads(monkeypatch, src)
    with pytest.raises(SystemExit) as done:
        main(["openitems", str(src), "-o", str(tmp_path / "open.csv")])
    assert done.value.code == 0 and reads == [src]
