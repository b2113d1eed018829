"""Our own samples (generated, invented data) read back with the totals they were written with."""

from __future__ import annotations

import pytest
from lxml import etree

from koppel.synthetic import write_synthetic_xaf
from koppel.xaf import read_xaf, sniff_xaf
from tests.conftest import SAMPLES, XSD_DIR

XSD = {
    "3.2": "XmlAuditfileFinancieel3.2.xsd",
    "3.2.1": "XmlAuditfileFinancieel3.2.1.xsd",
    "4.0": "XmlAuditfileFinancieel4.0.xsd",
    "2.0": "clair2-auditfile.xsd",
}


@pytest.mark.parametrize("version", ["3.2", "3.2.1", "4.0", "2.0"])
def test_synthetic_files_are_schema_valid_and_balanced(tmp_path, version):
    path = write_synthetic_xaf(tmp_path / "s.xaf", lines=250, version=version, seed=11)
    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / XSD[version])))
    assert schema.validate(etree.parse(str(path))), schema.error_log.last_error
    adm = read_xaf(path)
    assert sniff_xaf(path).version == version
    assert adm.stats.lines == 250
    assert adm.stats.debit == adm.stats.credit
    lines = adm.lines.frame()
    assert (lines.groupby(["journal_id", "entry_nr"])["amount"].sum() == 0).all()
    assert len(adm.relations) == 40 and len(adm.journals) == 4


def test_committed_samples_are_current(tmp_path):
    """samples/ holds generated files; regenerating them must give the same bytes."""
    for name, kwargs in {
        "voorbeeld_xaf32.xaf": dict(lines=600, version="3.2", seed=3),
        "voorbeeld_xaf40.xaf": dict(lines=300, version="4.0", seed=4, company="Voorbeeld Diensten B.V."),
        "voorbeeld_clair2.xml": dict(lines=120, version="2.0", seed=5, relations=12, company="Oud Archief V.O.F."),
    }.items():
        assert (SAMPLES / name).read_bytes() == write_synthetic_xaf(tmp_path / name, **kwargs).read_bytes()


def test_spooled_lines_equal_in_memory_lines(tmp_path):
    path = write_synthetic_xaf(tmp_path / "s.xaf", lines=3000, version="3.2", seed=2)
    small = read_xaf(path, batch_size=500)
    small.lines._memory_rows = 10**9
    in_memory = read_xaf(path, batch_size=500).lines.frame()
    from koppel.model import LineStore

    store = LineStore(memory_rows=1000)
    for batch in read_xaf(path, batch_size=500).lines.batches():
        store.append(batch)
    assert store._spool_path is not None
    spooled = store.frame()
    assert spooled.equals(in_memory)
    store.discard()
