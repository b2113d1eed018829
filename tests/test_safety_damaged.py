"""Truncated and damaged auditfiles: a clear one-line error with a position and exit 2, or — when the damage is
harmless — the same money as the intact file; never a traceback, never an output left behind."""

from __future__ import annotations

import codecs
import random
import re
from pathlib import Path

import pytest

from koppel.cli import main
from koppel.registry import read_input
from tests.conftest import SAMPLES, XAF_SAMPLES

FILES = sorted(p for p in XAF_SAMPLES.glob("*") if p.suffix in (".xml", ".xaf")) + sorted(SAMPLES.glob("*.xa*")) + [
    SAMPLES / "voorbeeld_clair2.xml"
]
POSITION = re.compile(r":\d+: |offset \d+")


def damaged(data: bytes, seed: str) -> list[tuple[str, bytes]]:
    """Seeded damage: cuts, flipped bytes (XOR 0xFF: a digit never becomes another digit), a doubled BOM, and
    text in the other encoding inside the first description."""
    rnd = random.Random(seed)
    n = len(data)
    out = []
    for _ in range(3):
        cut = rnd.randrange(1, n)
        out.append((f"cut@{cut}", data[:cut]))
    for _ in range(3):
        at = rnd.randrange(0, n)
        out.append((f"flip@{at}", data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]))
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    out.append(("bom2", codecs.BOM_UTF8 * 2 + body))
    latin = re.search(rb"encoding=[\"'](iso-8859-1|windows-1252|latin-?1)", data[:200], re.IGNORECASE)
    foreign = "één € café".encode("utf-8" if latin else "latin-1", errors="replace")
    desc = data.find(b"<desc>")
    if desc >= 0:
        at = desc + len(b"<desc>")
        out.append(("mixed-encoding", data[:at] + foreign + data[at:]))
    return out


def cases():
    for path in FILES:
        for name, _ in damaged(path.read_bytes(), path.name):
            yield pytest.param(path, name, id=f"{path.name[:30]}-{name}")


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def _totals(path: Path) -> tuple[int, int, int]:
    adm = read_input(path)
    lines = count = debit = 0
    for batch in adm.lines.batches():
        amounts = batch["amount"]
        lines += len(batch)
        debit += int(amounts[amounts > 0].sum())
        count += int(amounts.sum())
    return lines, debit, count


@pytest.mark.parametrize(("path", "damage"), list(cases()))
def test_damaged_file(tmp_path: Path, capsys, path: Path, damage: str) -> None:
    data = dict(damaged(path.read_bytes(), path.name))[damage]
    bad = tmp_path / ("damaged" + path.suffix)
    bad.write_bytes(data)
    code, out, err = run(["inspect", str(bad)], capsys)
    if code == 0:
        # harmless damage: the money read is the money of the intact file
        assert _totals(bad) == _totals(path), damage
    else:
        assert code == 2 and out == "", err
        assert err.startswith("koppel: ") and len(err.strip().splitlines()) == 1, err
        assert POSITION.search(err), f"no line or offset in: {err}"
    if damage == "bom2":
        assert "two byte-order marks" in err
    target = tmp_path / "out"
    code2, _out, err2 = run(["convert", str(bad), "--to", "minox", "-o", str(target)], capsys)
    assert code2 in (0, 2), err2
    if code != 0:
        assert code2 == 2 and POSITION.search(err2), err2
    if code2 == 2:
        assert err2.startswith("koppel: ") and len(err2.strip().splitlines()) == 1, err2
        # the output folder may remain (empty), as AtomicDir made it; no file in it
        assert not target.exists() or list(target.iterdir()) == [], sorted(target.iterdir())
