"""Zipped inputs: one auditfile is read as if unpacked; zip-slip, several files and zip bombs are refused."""

from __future__ import annotations

import io
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
    from koppel.pipeline import convert

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


# ---- damaged members, nesting, and which file an error names: the same one line in every command ----------------

COMMANDS = {
    "inspect": lambda z, out: ["inspect", str(z)],
    "convert": lambda z, out: ["convert", str(z), "--to", "xaf40", "-o", str(out / "out.xaf")],
    "export": lambda z, out: ["export", str(z), "-o", str(out / "tables")],
}


def _cli(args: list[str], capsys) -> tuple[int, str, str]:
    from koppel.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(args)
    captured = capsys.readouterr()
    return exit_.value.code, captured.out, captured.err


def _corrupt(path: Path, start: int = 200, length: int = 60) -> Path:
    """Flip bytes inside the packed data of the (only) member."""
    data = bytearray(path.read_bytes())
    for i in range(start, start + length):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))
    return path


def _lying_size(path: Path) -> Path:
    """A stored member whose central directory claims more packed bytes than the file holds (read hits EOF)."""
    data = bytearray(path.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    for field in (20, 24):  # compressed and uncompressed size
        data[cd + field : cd + field + 4] = (10_000_000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


DAMAGED = {
    "deflate": (lambda p: _corrupt(_zip(p, {"a.xaf": GOOD.read_bytes()})), "its deflate data is corrupt"),
    "lzma": (lambda p: _corrupt(_zip(p, {"a.xaf": GOOD.read_bytes()}, zipfile.ZIP_LZMA)), "its LZMA data is corrupt"),
    "bzip2": (lambda p: _corrupt(_zip(p, {"a.xaf": GOOD.read_bytes()}, zipfile.ZIP_BZIP2)),
              "its bzip2 data is corrupt"),
    "truncated": (lambda p: _lying_size(_zip(p, {"a.xaf": GOOD.read_bytes()}, zipfile.ZIP_STORED)),
                  "the archive ends before its data does (truncated)"),
    "crc": (lambda p: _corrupt(_zip(p, {"a.xaf": GOOD.read_bytes()}, zipfile.ZIP_STORED), 5000, 1), "Bad CRC-32"),
}  # fmt: skip


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_a_damaged_member_is_one_line_and_exit_2(tmp_path: Path, capsys, command: str, damage: str) -> None:
    make, what = DAMAGED[damage]
    archive = make(tmp_path / "export.zip")
    code, _, err = _cli(COMMANDS[command](archive, tmp_path), capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"koppel: {archive}: the archive is damaged: member a.xaf (at byte 0")
    assert what in err and "internal error" not in err


@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_check_reports_a_damaged_member_as_unusable(tmp_path: Path, capsys, damage: str) -> None:
    make, what = DAMAGED[damage]
    archive = make(tmp_path / "export.zip")
    code, out, err = _cli(["check", str(archive), "--no-xsd", "--json", str(tmp_path / "r.json")], capsys)
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert code == 2 and err == "" and "internal error" not in out
    assert [f["code"] for f in result["findings"]] == ["XAF-F01"]
    problem = result["findings"][0]["places"][0]["values"]["problem"]
    assert problem.startswith("the archive is damaged: member a.xaf") and what in problem


def _chain(path: Path, depth: int) -> Path:
    """A zip holding a zip holding ... ``depth`` zips deep, the auditfile at the bottom."""
    data, name = GOOD.read_bytes(), "voorbeeld.xaf"
    for level in range(depth):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr(name, data)
        data, name = buffer.getvalue(), f"level{level}.zip"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("depth", [2, 1200])
@pytest.mark.parametrize("command", ["check", *sorted(COMMANDS)])
def test_a_zip_inside_the_zip_is_refused_by_every_command(tmp_path: Path, capsys, command: str, depth: int) -> None:
    archive = _chain(tmp_path / "outer.zip", depth)
    inner = f"level{depth - 2}.zip"
    if command == "check":
        code, out, err = _cli(["check", str(archive), "--no-xsd"], capsys)
        assert code == 2 and err == "" and f"another archive ({inner})" in out.replace("\n", " ")
        assert "koppel-zip-" not in out and "internal error" not in out
        return
    code, _, err = _cli(COMMANDS[command](archive, tmp_path), capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"koppel: {archive}: refused: the archive holds another archive ({inner});")


def test_a_zip_renamed_inside_the_zip_is_refused_too(tmp_path: Path) -> None:
    inner = _zip(tmp_path / "inner.zip", {"a.xaf": GOOD.read_bytes()}).read_bytes()
    with pytest.raises(KoppelError, match=r"another archive \(auditfile.xaf\)"):
        extract_single(_zip(tmp_path / "outer.zip", {"auditfile.xaf": inner}))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_errors_in_the_member_name_the_users_zip_not_the_temp_copy(tmp_path: Path, capsys, command: str) -> None:
    archive = _zip(tmp_path / "export.zip", {"map/a.xaf": GOOD.read_bytes()[:5000]})
    code, _, err = _cli(COMMANDS[command](archive, tmp_path), capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"koppel: {archive} (a.xaf):18: the XML ends too early") and "koppel-zip-" not in err
