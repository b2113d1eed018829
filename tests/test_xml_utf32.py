"""libxml2 cannot read UTF-32: every XML reader names the encoding in one line instead of "Start tag expected"."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import SAMPLES


@pytest.mark.parametrize(("codec", "name"), [("utf-32", "UTF-32 LE"), ("utf-32-be", "UTF-32 BE")])
def test_inspect_and_check_name_utf32(tmp_path, codec, name):
    path = tmp_path / "wide.xaf"
    path.write_bytes((SAMPLES / "voorbeeld_xaf32.xaf").read_text(encoding="utf-8").encode(codec))
    inspect = subprocess.run(
        [sys.executable, "-m", "koppel", "inspect", str(path)], capture_output=True, text=True, check=False
    )
    assert inspect.returncode == 2
    assert inspect.stderr.strip().splitlines() == [
        f"koppel: {path}:1: the file is {name}, which XML readers do not take "
        "(save it as UTF-8, the encoding bookkeeping packages write, and read that file)"
    ]
    check = subprocess.run(
        [sys.executable, "-m", "koppel", "check", str(path), "--json", str(tmp_path / "c.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert check.returncode == 2
    assert f"the file is {name}" in (tmp_path / "c.json").read_text(encoding="utf-8")
