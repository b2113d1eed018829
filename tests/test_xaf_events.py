"""The one content pass over an auditfile (koppel/xaf/events.py): its rules, and consumers sharing it.

The reader's builder, the checker's scanner and the RGS chart reader subscribe to a RecordPass instead of parsing
the file themselves. A joint pass (scanner and builder on one parse) must give each of them exactly what its own
pass gives: the freeing rules (KEEP, ``keeps_unread``) are what makes that hold.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

import koppel
from koppel.checks.findings import Collector
from koppel.checks.scan import Scanner
from koppel.xaf.events import KEEP, PAUSE, RecordPass, open_source
from koppel.xaf.reader import BATCH_SIZE, XafReader
from koppel.xaf.source import XafSource
from koppel.xaf.versions import sniff_xaf
from tests.conftest import SAMPLES, XAF_SAMPLES

FILES = sorted(p for p in XAF_SAMPLES.iterdir() if p.suffix in (".xaf", ".xml") and "bad-encoding" not in p.name)
OWN = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".xaf", ".xml") and p.name.startswith("voorbeeld"))
DOC = b"""<?xml version="1.0"?>
<auditfile xmlns="urn:x"><a><b>1</b><b>2</b><c>3</c></a><stop><b>4</b></stop></auditfile>"""


def _pass(data: bytes = DOC, **kwargs) -> RecordPass:
    return RecordPass(XafSource(io.BytesIO(data), "urn:x"), "urn:x", **kwargs)


def test_handlers_run_in_subscription_order_and_see_local_tags():
    records = _pass()
    seen: list[tuple[str, str]] = []
    records.subscribe({"b": lambda e: seen.append(("first", e.text))})
    records.subscribe({"b": lambda e: seen.append(("second", e.text))})
    records.run_to_end()
    assert records.ns == ""  # the namespace declared once on the root was dropped
    assert seen == [("first", "1"), ("second", "1"), ("first", "2"), ("second", "2"), ("first", "4"), ("second", "4")]


def test_freed_unless_kept_and_pause_yields():
    records = _pass()
    records.subscribe({"b": lambda e: KEEP if e.text == "2" else PAUSE, "c": lambda e: None})
    yields = sum(1 for _ in records.run())
    assert yields == 2  # after b 1 and b 4; b 2 was kept
    assert [e.text for e in records.root.iter("b", "c")] == ["2"]


def test_a_consumer_that_counts_what_is_left_keeps_what_it_did_not_subscribe():
    records = _pass()
    records.subscribe({"b": lambda e: None})
    records.subscribe({"c": lambda e: None}, keeps_unread=True)
    records.run_to_end()
    assert [e.text for e in records.root.iter("b", "c")] == ["1", "2", "4"]  # c freed; b kept for the second


def test_stop_at_ends_the_pass_at_a_start_tag():
    records = _pass(stop_at="stop")
    texts: list[str] = []
    records.subscribe({"b": lambda e: texts.append(e.text)})
    records.run_to_end()
    assert texts == ["1", "2"]


def test_only_the_event_layer_parses_xaf_content():
    """``iterparse`` over XAF content only in events.py; the others are XSD validation, the root sniff and readers
    of other XML formats."""
    root = Path(koppel.__file__).parent
    allowed = {"xaf/events.py", "xaf/versions.py", "xaf/schema.py", "checks/xsd.py", "formats/xml_reading.py",
               "formats/xml_writing.py"}  # fmt: skip
    calls = {
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if re.search(r"etree\.iterparse\(", p.read_text(encoding="utf-8"))
    }
    assert calls <= allowed and "xaf/events.py" in calls


def _own_pass(path: Path) -> tuple[XafReader, pd.DataFrame, Collector]:
    info = sniff_xaf(path)
    reader = XafReader(info, BATCH_SIZE, None, {"count_dropped": True, "subledgers": True})
    lines = pd.concat(list(reader.batches()), ignore_index=True)
    out = Collector(1000)
    Scanner(info.version, out).run(RecordPass(open_source(info), info.namespace, encoding=reader.parse_encoding()))
    return reader, lines, out


def _joint_pass(path: Path) -> tuple[XafReader, pd.DataFrame, Collector]:
    info = sniff_xaf(path)
    reader = XafReader(info, BATCH_SIZE, None, {"count_dropped": True, "subledgers": True})
    records = RecordPass(open_source(info), info.namespace, encoding=reader.parse_encoding())
    out = Collector(1000)
    scanner = Scanner(info.version, out)
    batches = reader.batches(records)  # subscribes when first pulled, so after the scanner
    scanner.subscribe(records)
    lines = pd.concat(list(batches), ignore_index=True)
    return reader, lines, out


def _subledgers(reader: XafReader) -> tuple | None:
    collected = reader.subledgers
    return (collected.rows, collected.keys) if collected is not None else None


@pytest.mark.parametrize("path", FILES + OWN, ids=lambda p: p.name[:40])
def test_a_joint_pass_gives_each_consumer_what_its_own_pass_gives(path: Path):
    own_reader, own_lines, own_out = _own_pass(path)
    reader, lines, out = _joint_pass(path)
    pd.testing.assert_frame_equal(lines, own_lines)
    assert reader.master == own_reader.master
    assert reader.not_carried == own_reader.not_carried
    assert reader.unknown_codes == own_reader.unknown_codes
    assert reader.header == own_reader.header
    assert reader.drops.counts == own_reader.drops.counts
    assert reader.drops.opening == own_reader.drops.opening
    assert _subledgers(reader) == _subledgers(own_reader)
    assert {c: (g.count, g.places) for c, g in out.groups.items()} == {
        c: (g.count, g.places) for c, g in own_out.groups.items()
    }


@pytest.mark.parametrize("block", [*range(1, 18), 4 << 20])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<auditfile xmlns="urn:x:ns">' + "<a>1</a>" * 50 + "</auditfile>", True),
        ('<auditfile xmlns="urn:x:ns">' + "<a>1</a>" * 50 + '<b xmlns="urn:x:ns"/></auditfile>', False),
        ("<auditfile>" + "<a>urn:x:n</a>" * 50 + "s</auditfile>", False),  # never whole: not there at all
        ('<auditfile xmlns="urn:x:ns">' + "<a>1</a>" * 7 + "urn:x:ns</auditfile>", False),  # at the very end
    ],
)
def test_the_namespace_is_counted_across_block_boundaries(text, expected, block, monkeypatch, tmp_path):
    """Whether the root's namespace may be dropped: found exactly once, wherever the blocks of the read end."""
    from koppel.xaf import source

    monkeypatch.setattr(source, "SCAN_BLOCK", block)
    path = tmp_path / "ns.xaf"
    path.write_text(text, encoding="utf-8")
    assert source.namespace_only_once(path, "urn:x:ns") is expected
