"""Inputs are recognised by their content: auditfiles and package XML by the root, koppel's own output
folders by the target their control.json names."""

from __future__ import annotations

import subprocess
import sys

import pytest

from koppel.errors import KoppelError
from koppel.pipeline import convert
from koppel.registry import detect_format, read_input
from tests.conftest import SAMPLES
from tests.format_params import accepted, formats


@pytest.mark.parametrize("target", formats(lambda f: f.reads and f.writes and f.output == "folder"))
def test_own_output_folder_is_recognised(tmp_path, target):
    out = tmp_path / target
    options = {"entry_numbers": "renumber", **accepted(target, {"office": "VB001"})}
    convert(SAMPLES / "voorbeeld_xaf40.xaf", target, out, options=options)
    assert detect_format(out) == target
    adm = read_input(out)  # no --from needed
    assert adm.stats.lines > 0


@pytest.mark.parametrize("target", formats(lambda f: bool(f.xml_root) and f.writes))
def test_package_xml_by_root(tmp_path, target):
    out = tmp_path / target
    convert(SAMPLES / "voorbeeld_xaf40.xaf", target, out)
    written = sorted(out.glob("*.xml"))
    assert written and all(detect_format(path) == target for path in written)


def test_unknown_content_asks_for_from(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Datum;Bedrag\n01-01-2025;12,50\n", encoding="utf-8")
    with pytest.raises(KoppelError, match="cannot tell the format"):
        detect_format(path)


def test_telling_an_auditfile_apart_reads_the_specs_alone():
    """Detection reads what the specs say (detect, xml_root, fallback_suffixes) without importing every writer
    and reader: koppel's RGS check reads the chart of an auditfile without loading the registry."""
    code = (
        "import koppel.registry as r; import sys; "
        "assert r.detect_format(sys.argv[1]) == 'xaf' and not r._loaded, r._loaded"
    )
    done = subprocess.run([sys.executable, "-c", code, str(SAMPLES / "voorbeeld_xaf32.xaf")], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
