"""koppel check stays linear in the number of schema errors: one element with 50,000 attributes (a 715 KB file)
took quadratic time in the second schema pass (minutes); libxml2 alone needs a fraction of a second."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from koppel.checks import xsd as xsd_layer
from koppel.checks.xsd import Reported, XsdError, drop_reported_attributes
from tests.conftest import SAMPLES


def test_an_element_with_50000_attributes_is_checked_in_seconds(tmp_path: Path) -> None:
    text = (SAMPLES / "voorbeeld_xaf32.xaf").read_text(encoding="utf-8")
    attributes = " ".join(f'a{i}="v"' for i in range(50_000))
    path = tmp_path / "attributes.xaf"
    path.write_text(text.replace("<header>", f"<header {attributes}>", 1), encoding="utf-8")
    report = tmp_path / "report.json"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from koppel.cli import main; main()", "check", str(path), "-q", "--json", str(report)],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    assert done.returncode == 1 and done.stderr == ""
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert [(f["code"], f["count"]) for f in findings] == [("XAF-S01", 50_000)]
    first = findings[0]["places"][0]["values"]["melding"]
    assert first == "Element 'header', attribute 'a0': The attribute 'a0' is not allowed."
    # about 5 s on an idle core (most of it loading the schema twice and the sample's own second pass);
    # the old code gave no answer in 300 s
    assert seconds < 90


def test_reported_attributes_leave_the_tree_before_the_second_pass_and_declared_ones_stay() -> None:
    from lxml import etree

    doc = etree.fromstring(b'<r>\n<h keep="1" bad1="x" bad2="y"/>\n<h bad1="z"/></r>').getroottree()
    first = [XsdError(2, "Element 'h', attribute 'bad1': The attribute 'bad1' is not allowed.", "h"),
             XsdError(2, "Element 'h', attribute 'bad2': The attribute 'bad2' is not allowed.", "h")]  # fmt: skip
    assert drop_reported_attributes(doc, first) == 2
    assert [dict(h.attrib) for h in doc.getroot()] == [{"keep": "1"}, {"bad1": "z"}]


def test_restated_errors_are_found_through_the_index() -> None:
    first = [XsdError(10, "Element 'amnt': 'x' is not a valid value", "amnt"), XsdError(None, "no line", "")]
    reported = Reported(first)
    assert reported.restates(XsdError(10, "other words, same element and line", "amnt"))
    assert reported.restates(XsdError(8, "Unexpected child with tag 'amnt' at position 3", "trLine"))
    assert not reported.restates(XsdError(11, "Unexpected child with tag 'amnt' at position 3", "trLine"))
    assert not reported.restates(XsdError(10, "a different element on the line", "desc"))
    assert reported.restates(XsdError(None, "no line either", "x"))
    assert xsd_layer.duplicate_of(XsdError(10, "same", "amnt"), first)
