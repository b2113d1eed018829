"""Zipped inputs: one auditfile is read as if unpacked; zip-slip, several files and zip bombs are refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from koppel.archive import extract_single
from koppel.errors import KoppelError
from koppel.registry import read_input
from tests.conftest import SAMPLES

GOOD = SAMPLES / "voorbeeld_xaf32.xaf"


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _money(adm) -> tuple[int, int]:
    lines = total = 0
    for batch in adm.lines.batches():
        lines += len(batch)
        total += int(batch["amount"].abs().sum())
    return lines, total


def test_zip_with_one_auditfile_reads_like_the_file(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "export.zip", {"map/voorbeeld.xaf": GOOD.read_bytes(), "__MACOSX/._x": b"junk"})
    assert _money(read_input(archive)) == _money(read_input(GOOD))


@pytest.mark.parametrize("name", ["../evil.xaf", "/etc/evil.xaf", "a/../../evil.xaf", "C:/evil.xaf"])
def test_zip_slip_is_refused(tmp_path: Path, name: str) -> None:
    archive = _zip(tmp_path / "slip.zip", {name: GOOD.read_bytes()})
    with pytest.raises(KoppelError, match="outside its folder"):
        read_input(archive)
    assert not (tmp_path / "evil.xaf").exists()


def test_more_than_one_candidate_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "two.zip", {"a.xaf": GOOD.read_bytes(), "b.xaf": GOOD.read_bytes()})
    with pytest.raises(KoppelError, match="holds 2 files"):
        read_input(archive)


def test_empty_zip_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KoppelError, match="holds 0 files"):
        read_input(_zip(tmp_path / "empty.zip", {}))


def test_zip_bomb_is_refused_by_ratio(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bomb.zip", {"bomb.xaf": b"\0" * (20 << 20)})  # 20 MB of zeros packs to ~20 KB
    with pytest.raises(KoppelError, match="zip bomb"):
        read_input(archive)


def test_zip_over_the_total_limit_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "big.zip", {"big.xaf": GOOD.read_bytes()}, zipfile.ZIP_STORED)
    with pytest.raises(KoppelError, match=r"unpacks to 176,527 bytes"):
        extract_single(archive, max_total=1_000)


def test_damaged_zip_is_a_clear_error(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "x.zip", {"a.xaf": GOOD.read_bytes()})
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(KoppelError, match="zip"):
        read_input(archive)


def test_convert_reads_a_zipped_auditfile(tmp_path: Path) -> None:
    from koppel.convert import convert

    archive = _zip(tmp_path / "export.zip", {"voorbeeld.xaf": GOOD.read_bytes()})
    convert(archive, "xaf40", tmp_path / "out.xaf")
    assert _money(read_input(tmp_path / "out.xaf")) == _money(read_input(GOOD))
    control = json.loads((tmp_path / "out.control.json").read_text(encoding="utf-8"))
    assert control["source"]["file"] == str(archive)


def test_check_takes_a_zipped_auditfile_and_refuses_a_hostile_one(tmp_path: Path) -> None:
    from koppel.checks import check_file

    archive = _zip(tmp_path / "export.zip", {"voorbeeld.xaf": GOOD.read_bytes()})
    zipped, plain = check_file(archive, xsd=False), check_file(GOOD, xsd=False)
    assert zipped["file"] == f"{archive} (voorbeeld.xaf)"
    assert zipped["summary"] == plain["summary"] and zipped["verdict"] == plain["verdict"]
    slip = check_file(_zip(tmp_path / "slip.zip", {"../x.xaf": GOOD.read_bytes()}), xsd=False)
    assert [(f["code"], f["severity"]) for f in slip["findings"]] == [("XAF-F01", "error")]
    assert "outside its folder" in slip["findings"][0]["places"][0]["values"]["problem"]
