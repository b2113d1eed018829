"""The parallel reader gives exactly what the single-process reader gives, and errors at the same place."""

from __future__ import annotations

import pytest

from converters.errors import KoppelError
from converters.xaf import parallel, read_xaf
from converters.xaf.parallel import iter_xaf_parallel, read_xaf_parallel
from tests.conftest import SAMPLES, XAF_SAMPLES

FILES = sorted(p for p in XAF_SAMPLES.iterdir() if p.suffix in (".xaf", ".xml") and "bad-encoding" not in p.name)
FILES += [SAMPLES / "voorbeeld_xaf32.xaf", SAMPLES / "voorbeeld_xaf40.xaf", SAMPLES / "voorbeeld_clair2.xml"]


@pytest.fixture(autouse=True)
def tiny_pieces(monkeypatch):
    """Pieces of a few kB, so that every sample is cut in many places, journals included."""
    monkeypatch.setattr(parallel, "MIN_PIECE_BYTES", 2500)


@pytest.mark.parametrize("path", FILES, ids=[p.name[:40] for p in FILES])
def test_same_administration_as_the_serial_reader(path):
    serial = read_xaf(path)
    par = read_xaf_parallel(path, workers=2)
    assert par.lines.frame().equals(serial.lines.frame())
    for table in ("accounts", "relations", "vat_codes", "periods", "journals", "opening_balance"):
        assert getattr(par, table).equals(getattr(serial, table)), table
    assert (par.stats.lines, par.stats.transactions, par.stats.debit, par.stats.credit) == (
        serial.stats.lines,
        serial.stats.transactions,
        serial.stats.debit,
        serial.stats.credit,
    )
    assert par.not_carried == serial.not_carried
    assert par.header == serial.header


def test_an_error_in_a_later_piece_names_the_file_line(tmp_path):
    lines = (SAMPLES / "voorbeeld_xaf32.xaf").read_bytes().split(b"\n")
    target = max(i for i, line in enumerate(lines) if b"<amnt>" in line and b"<trLine>" in line)
    lines[target] = lines[target].replace(b"<amnt>", b"<amnt>x", 1)
    path = tmp_path / "bad.xaf"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(KoppelError) as serial:
        read_xaf(path)
    with pytest.raises(KoppelError) as par:
        list(iter_xaf_parallel(path, workers=2))
    assert serial.value.line == target + 1
    assert par.value.line == serial.value.line
    assert par.value.message == serial.value.message
