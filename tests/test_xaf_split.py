"""Split auditfiles: written as parts with the Vervolgbestand comment, read back as one administration."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from koppel.errors import KoppelError
from koppel.registry import read_input
from koppel.synthetic import write_synthetic_xaf
from koppel.xaf import read_xaf
from koppel.xaf.split import join_parts, read_xaf_set
from koppel.xaf.writer import write_xaf


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("src") / "synth.xaf"
    write_synthetic_xaf(path, lines=3000, version="3.2", seed=5)
    return read_xaf(path)


def _write(source, folder, version="4.0", split_mb=None):
    return write_xaf(source, folder / "X.xaf", version, split_mb=split_mb, date_created="2026-01-01")


@pytest.mark.parametrize("version", ["4.0", "3.2"])
def test_split_parts_follow_the_rules_and_join_to_the_whole(tmp_path, source, version):
    whole = _write(source, tmp_path / "whole", version)
    limit = 0.15
    parts = _write(source, tmp_path / "split", version, split_mb=limit).paths
    y = len(parts)
    assert y >= 3
    assert [p.name for p in parts] == ["X.xaf", *[f"X-{x}.xaf" for x in range(2, y + 1)]]
    first = parts[0].read_text(encoding="utf-8")
    assert "<header>" in first and "<journal>" not in first and "<transaction>" not in first
    for x, part in enumerate(parts[1:], start=2):
        text = part.read_text(encoding="utf-8")
        assert text.startswith(f"<!-- Vervolgbestand {x} van {y} -->\n")
        body = text.split("\n", 1)[1]
        assert re.match(r"<(journal|transaction)>", body)  # only whole journals/transactions
        assert part.stat().st_size <= limit * 1_000_000
    joined = tmp_path / "joined.xaf"
    join_parts(parts, joined)
    assert joined.read_bytes() == whole.paths[0].read_bytes()
    back = read_xaf_set(parts[0])
    pd.testing.assert_frame_equal(back.lines.frame(), read_xaf(whole.paths[0]).lines.frame())
    assert read_input(parts[0]).stats.lines == source.stats.lines  # the registry reader reads sets too


def test_missing_part_is_f08(tmp_path, source):
    parts = _write(source, tmp_path, split_mb=0.15).paths
    parts[1].unlink()
    with pytest.raises(KoppelError, match=rf"part 2 of {len(parts)} \(X-2.xaf\) is missing|X-2"):
        read_xaf_set(parts[0])


def test_missing_middle_part_is_f08(tmp_path, source):
    parts = _write(source, tmp_path, split_mb=0.15).paths
    parts[2].unlink()
    with pytest.raises(KoppelError, match=rf"part 3 of {len(parts)} \(X-3.xaf\) is missing.*XAF-F08"):
        read_xaf_set(parts[0])


def test_continuation_part_as_input_names_the_first(tmp_path, source):
    parts = _write(source, tmp_path, split_mb=0.15).paths
    with pytest.raises(KoppelError, match="continuation part 2") as err:
        read_xaf_set(parts[1])
    assert "X.xaf" in err.value.hint


def test_parts_that_disagree_are_f08(tmp_path, source):
    parts = _write(source, tmp_path, split_mb=0.15).paths
    text = parts[2].read_text(encoding="utf-8")
    parts[2].write_text(text.replace(f"Vervolgbestand 3 van {len(parts)}", "Vervolgbestand 3 van 9"), encoding="utf-8")
    with pytest.raises(KoppelError, match="expected 'Vervolgbestand 3 van"):
        read_xaf_set(parts[0])


def test_small_file_is_not_split(tmp_path, source):
    result = _write(source, tmp_path, split_mb=50)
    assert [p.name for p in result.paths] == ["X.xaf"]
    assert "Vervolgbestand" not in result.paths[0].read_text(encoding="utf-8")


def test_split_set_upgrades_through_convert(tmp_path, source):
    from koppel.pipeline import convert

    parts = write_xaf(source, tmp_path / "in" / "X.xaf", "3.2", split_mb=0.15).paths
    result = convert(parts[0], "xaf40", tmp_path / "out" / "Y.xaf", options={"split_mb": "0.2"})
    assert result.equal
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "Y-2.xaf" in written and "Y.upgrade-report.json" in written and "Y.control.json" in written
    assert read_xaf_set(tmp_path / "out" / "Y.xaf").stats.lines == source.stats.lines
