"""Inputs are recognised by their content: auditfiles and package XML by the root, koppel's own output
folders by the target their control.json names."""

from __future__ import annotations

import pytest

from koppel.errors import KoppelError
from koppel.pipeline import convert
from koppel.registry import detect_format, read_input
from tests.conftest import SAMPLES


@pytest.mark.parametrize("target", ["asperion", "minox", "exact-online", "twinfield"])
def test_own_output_folder_is_recognised(tmp_path, target):
    out = tmp_path / target
    convert(SAMPLES / "voorbeeld_xaf40.xaf", target, out, options={"entry_numbers": "renumber", "office": "VB001"})
    assert detect_format(out) == target
    adm = read_input(out)  # no --from needed
    assert adm.stats.lines > 0


def test_package_xml_by_root(tmp_path):
    out = tmp_path / "eo"
    convert(SAMPLES / "voorbeeld_xaf40.xaf", "exact-online", out)
    transactions = next(out.glob("*GLTransactions.xml"))
    assert detect_format(transactions) == "exact-online"


def test_unknown_content_asks_for_from(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Datum;Bedrag\n01-01-2025;12,50\n", encoding="utf-8")
    with pytest.raises(KoppelError, match="cannot tell the format"):
        detect_format(path)
