"""No silent overwrite, no mixing: an existing output is refused unless --force, which replaces it whole;
a file output's extension must match its format; an interrupted or failed command leaves no output folder."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from koppel.atomic import AtomicDir, replacing
from koppel.cli import main

ROOT = Path(__file__).resolve().parents[1]
XAF = ROOT / "samples" / "voorbeeld_xaf32.xaf"
CLAIR2 = ROOT / "samples" / "voorbeeld_clair2.xml"


def _run(argv: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        main([str(a) for a in argv])
    captured = capsys.readouterr()
    return stop.value.code, captured.err


def test_second_target_into_the_same_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "o"
    code, _ = _run(["convert", XAF, "--to", "asperion", "-o", out], capsys)
    assert code == 0
    before = sorted(os.listdir(out))
    code, err = _run(["convert", XAF, "--to", "exact-online", "-o", out], capsys)
    assert code == 2
    assert err.startswith(f"koppel: {out}: -o: the folder is not empty: it holds an earlier output of koppel;")
    assert "--force" in err and len(err.strip().splitlines()) == 1
    assert sorted(os.listdir(out)) == before


def test_force_replaces_the_earlier_output_whole(tmp_path, capsys):
    out = tmp_path / "o"
    assert _run(["convert", XAF, "--to", "asperion", "-o", out], capsys)[0] == 0
    assert _run(["convert", XAF, "--to", "exact-online", "-o", out, "--force"], capsys)[0] == 0
    control = json.loads((out / "control.json").read_text(encoding="utf-8"))
    assert control["target"] == "exact-online"
    assert sorted(os.listdir(out)) == sorted([*control["files"], "control.json"])  # nothing of asperion left
    assert [p.name for p in tmp_path.iterdir()] == ["o"]  # no staging or old folder beside it


def test_force_never_empties_a_folder_koppel_did_not_write(tmp_path, capsys):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "letter.txt").write_text("keep me\n", encoding="utf-8")
    code, err = _run(["export", XAF, "-o", out, "--force"], capsys)
    assert code == 2 and "--force replaces only a folder with an earlier output" in err
    assert os.listdir(out) == ["letter.txt"]


def test_export_twice_needs_force_and_then_holds_only_the_new_tables(tmp_path, capsys):
    out = tmp_path / "t"
    assert _run(["export", XAF, "-o", out], capsys)[0] == 0
    code, err = _run(["export", XAF, "-o", out, "--format", "parquet"], capsys)
    assert code == 2 and "not empty" in err
    assert _run(["export", XAF, "-o", out, "--format", "parquet", "--force"], capsys)[0] == 0
    assert {p.suffix for p in out.iterdir()} == {".parquet", ".json"}


def test_an_empty_existing_folder_is_fine(tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    assert _run(["export", XAF, "-o", out], capsys)[0] == 0
    assert (out / "summary.json").is_file()


@pytest.mark.parametrize(
    "argv",
    [
        ["check", XAF, "--no-xsd", "--html", "OUT.html"],
        ["check", XAF, "--no-xsd", "--json", "OUT.json"],
        ["mapping", "init", XAF, "--to", "minox", "-o", "OUT.toml"],
        ["openitems", XAF, "-o", "OUT.xlsx"],
        ["relations", "export", XAF, "-o", "OUT.csv"],
        ["convert", CLAIR2, "--to", "xaf40", "-o", "OUT.xaf"],
    ],
    ids=["check --html", "check --json", "mapping init", "openitems", "relations export", "convert --to xaf40"],
)
def test_an_existing_file_is_not_overwritten_without_force(argv, tmp_path, capsys):
    name = next(a for a in argv if isinstance(a, str) and a.startswith("OUT."))
    target = tmp_path / name
    target.write_text("the user's own file\n", encoding="utf-8")
    argv = [tmp_path / a if a == name else a for a in argv]
    code, err = _run(argv, capsys)
    assert code == 2 and "exists already; koppel does not overwrite it" in err and "--force" in err, err
    assert target.read_text(encoding="utf-8") == "the user's own file\n"
    code, err = _run([*argv, "--force"], capsys)
    assert code in (0, 1), err
    assert target.read_text(encoding="utf-8", errors="replace") != "the user's own file\n"


def test_a_companion_file_counts_too(tmp_path, capsys):
    """convert --to xaf40 also writes OUT.control.json: an existing one is not overwritten silently either."""
    (tmp_path / "OUT.control.json").write_text("{}", encoding="utf-8")
    code, err = _run(["convert", CLAIR2, "--to", "xaf40", "-o", tmp_path / "OUT.xaf"], capsys)
    assert code == 2 and "OUT.control.json: -o: exists already" in err


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        (["relations", "export", XAF, "-o", "rel.pdf"], "name it rel.xlsx"),
        (["check", XAF, "--no-xsd", "--html", "r.pdf"], "e.g. r.html"),
        (["check", XAF, "--no-xsd", "--xlsx", "r.xls"], "name it r.xlsx"),
        (["check", XAF, "--no-xsd", "--json", "r.txt"], "name it r.json"),
        (["openitems", XAF, "-o", "open.pdf"], "name it .csv, .xlsx or .json, e.g. open.csv"),
        (["mapping", "init", XAF, "--to", "minox", "-o", "m.txt"], "name it m.toml"),
        (["convert", CLAIR2, "--to", "xaf40", "-o", "out.csv"], "e.g. out.xaf"),
        (["convert", CLAIR2, "--to", "xaf40", "-o", "klant.2025"], "e.g. klant.2025.xaf"),  # not "klant.xaf"
        (["relations", "convert", ROOT / "samples" / "sources" / "relaties.xlsx", "--to", "csv", "-o", "r.xlsx"],
         "name it r.csv"),
    ],
    ids=["relations export .pdf", "check --html .pdf", "check --xlsx .xls", "check --json .txt", "openitems .pdf",
         "mapping init .txt", "xaf40 .csv", "xaf40 name with a dot", "relations convert csv .xlsx"],
)  # fmt: skip
def test_extension_must_match_the_format(argv, wanted, tmp_path, capsys):
    argv = [tmp_path / a if isinstance(a, str) and "." in a and "/" not in a else a for a in argv]
    code, err = _run(argv, capsys)
    assert code == 2 and wanted in err, err
    assert os.listdir(tmp_path) == []


def test_atomic_dir_removes_a_folder_it_made_when_the_work_fails(tmp_path):
    target = tmp_path / "new" / "deeper"
    with pytest.raises(RuntimeError), AtomicDir(target) as out:
        out.path("a.csv").write_text("x", encoding="utf-8")
        raise RuntimeError("writer failed")
    assert os.listdir(tmp_path) == []


def test_atomic_dir_replacing_swaps_the_folder_whole_or_not_at_all(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "old.csv").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(folder), AtomicDir(folder) as out:
        out.path("new.csv").write_text("new", encoding="utf-8")
        raise RuntimeError("writer failed")
    assert os.listdir(folder) == ["old.csv"] and os.listdir(tmp_path) == ["out"]
    with replacing(folder), AtomicDir(folder) as out:
        out.path("new.csv").write_text("new", encoding="utf-8")
    assert os.listdir(folder) == ["new.csv"] and os.listdir(tmp_path) == ["out"]


def test_demo_runs_twice(tmp_path):
    """`make demo` twice: the demo passes --force where it writes, so a second run replaces the first."""
    koppel = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "koppel"
    if not koppel.exists():
        pytest.skip("no koppel script beside this python")
    for _ in range(2):
        run = subprocess.run(
            ["bash", str(ROOT / "samples" / "demo.sh"), str(koppel), str(tmp_path / "demo")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-2000:]
