"""Operating-system errors are the user's errors: one line naming the path the user gave (never koppel's temp
file), what is wrong and how to fix it, exit 2 — for every command that writes.

Permission tests run the command as user nobody (``setpriv``), since root may write anywhere and CI runs as root.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from koppel.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
XAF = SAMPLES / "voorbeeld_xaf32.xaf"
CSV = SAMPLES / "sources" / "pos_zrapport.csv"

# (name, argv with OUT for the output path, output kind): every command and option that writes
WRITERS = [
    ("check --html", ["check", str(XAF), "--no-xsd", "--html", "OUT"], "file", ".html"),
    ("check --xlsx", ["check", str(XAF), "--no-xsd", "--xlsx", "OUT"], "file", ".xlsx"),
    ("check --json", ["check", str(XAF), "--no-xsd", "--json", "OUT"], "file", ".json"),
    ("check --report-dir", ["check", str(XAF), "--no-xsd", "--report-dir", "OUT"], "folder", ""),
    ("convert -o", ["convert", str(XAF), "--to", "asperion", "-o", "OUT"], "folder", ""),
    ("convert --to xaf40 -o", ["convert", str(XAF), "--to", "xaf40", "-o", "OUT"], "file", ".xaf"),
    ("export -o", ["export", str(XAF), "-o", "OUT"], "folder", ""),
    ("openitems -o", ["openitems", str(XAF), "-o", "OUT"], "file", ".csv"),
    ("mapping init -o", ["mapping", "init", str(XAF), "--to", "minox", "-o", "OUT"], "file", ".toml"),
    ("profile init -o", ["profile", "init", str(CSV), "-o", "OUT"], "file", ".toml"),
    ("relations export -o", ["relations", "export", str(XAF), "-o", "OUT"], "file", ".xlsx"),
]
IDS = [w[0] for w in WRITERS]


def _run(argv: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    return stop.value.code, capsys.readouterr().err


def _assert_one_line(code: int, err: str, shown: Path, *words: str) -> None:
    """Exit 2 and one line naming ``shown`` (or, for a file output with companions, a file beside it)."""
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("koppel: ") and (str(shown) in line or f"{shown.parent}/" in line), line
    assert ".part" not in line and "internal error" not in line and "Traceback" not in line, line
    for word in words:
        assert word in line, line


def _argv(argv: list[str], out: Path) -> list[str]:
    return [str(out) if a == "OUT" else a for a in argv]


@pytest.mark.parametrize(("name", "argv", "kind", "suffix"), WRITERS, ids=IDS)
def test_missing_parent_folder(name, argv, kind, suffix, tmp_path, capsys):
    out = tmp_path / "no-such-folder" / f"out{suffix}"
    code, err = _run(_argv(argv, out), capsys)
    _assert_one_line(code, err, out, "does not exist", "mkdir")
    assert not (tmp_path / "no-such-folder").exists()


@pytest.mark.parametrize(("name", "argv", "kind", "suffix"), [w for w in WRITERS if w[2] == "file"],
                         ids=[w[0] for w in WRITERS if w[2] == "file"])  # fmt: skip
def test_folder_where_a_file_is_expected(name, argv, kind, suffix, tmp_path, capsys):
    out = tmp_path / f"a-folder{suffix}"
    out.mkdir()
    code, err = _run(_argv(argv, out), capsys)
    _assert_one_line(code, err, out, "is a folder, where a file is expected")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(("name", "argv", "kind", "suffix"), [w for w in WRITERS if w[2] == "folder"],
                         ids=[w[0] for w in WRITERS if w[2] == "folder"])  # fmt: skip
def test_file_where_a_folder_is_expected(name, argv, kind, suffix, tmp_path, capsys):
    out = tmp_path / "a-file"
    out.write_text("mine\n", encoding="utf-8")
    code, err = _run(_argv(argv, out), capsys)
    _assert_one_line(code, err, out, "is a file, where a folder is expected")
    assert out.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize(("name", "argv", "kind", "suffix"), WRITERS, ids=IDS)
def test_no_space_left_on_the_disk(name, argv, kind, suffix, tmp_path, capsys, monkeypatch):
    """The disk fills up while koppel publishes: the user's path is named, nothing half-written remains."""
    import koppel.atomic

    def full(tmp: Path, target: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))

    monkeypatch.setattr(koppel.atomic, "publish", full)
    out = tmp_path / f"out{suffix}"
    code, err = _run(_argv(argv, out), capsys)
    _assert_one_line(code, err, out, "no space left on the disk", "free some space")
    assert sorted(os.listdir(tmp_path)) == [], "no temp file, no half-made output"


def test_no_space_left_while_writing_is_named_too(tmp_path, capsys, monkeypatch):
    """ENOSPC from a plain write (no file name in the error) still names the output."""
    import koppel.export

    real = koppel.export._write

    def write(out, name, batches, fmt):
        if name == "lines":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(out, name, batches, fmt)

    monkeypatch.setattr(koppel.export, "_write", write)
    out = tmp_path / "tables"
    code, err = _run(["export", str(XAF), "-o", str(out)], capsys)
    _assert_one_line(code, err, out, "no space left on the disk")
    assert not out.exists()


def _nobody_can_run_koppel() -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    probe = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", "import koppel.cli"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _nobody_can_run_koppel(), reason="needs root, setpriv and a checkout user nobody may read")
@pytest.mark.parametrize(("name", "argv", "kind", "suffix"), WRITERS, ids=IDS)
def test_permission_denied(name, argv, kind, suffix, tmp_path):
    """As user nobody, in a folder nobody may not write to (mode 755, owned by root)."""
    tmp_path.chmod(0o755)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o755)
    out = locked / f"out{suffix}"
    home = tmp_path / "home"
    home.mkdir(mode=0o777)
    proc = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
         "from koppel.cli import main; main()", *_argv(argv, out)],
        capture_output=True, text=True, check=False, cwd=home,
        env={**os.environ, "HOME": str(home), "TMPDIR": str(home)},
    )  # fmt: skip
    _assert_one_line(proc.returncode, proc.stderr, out, "permission denied", "write permission")
    assert list(locked.iterdir()) == []


@pytest.mark.skipif(not _nobody_can_run_koppel(), reason="needs root, setpriv and a checkout user nobody may read")
def test_permission_denied_on_an_existing_output_folder(tmp_path):
    """An empty output folder that exists but is not writable: the folder itself is named."""
    tmp_path.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir(mode=0o755)
    proc = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
         "from koppel.cli import main; main()", "export", str(XAF), "-o", str(out)],
        capture_output=True, text=True, check=False, cwd="/", env={**os.environ, "TMPDIR": "/tmp"},
    )  # fmt: skip
    _assert_one_line(proc.returncode, proc.stderr, out, "permission denied")
