"""Messages a new user meets: each says what is wrong, where, and how to fix it, in one line (docs/style.md).

Every case of issue 21's "Messages that mislead" has a test here, and ``test_error_paths`` runs one error path per
kind of mistake and checks the line: ``koppel: PLACE: what (remedy)``, exit 2, no nested brackets.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from koppel.cli import run
from tests.conftest import SAMPLES

XAF = SAMPLES / "voorbeeld_xaf32.xaf"


def koppel(capsys, *args) -> tuple[int, str, str]:
    code = run([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("koppel: ")
    return lines[0]


def bracket_depth(line: str) -> int:
    """The deepest nesting of ( ) outside quoted values ('…')."""
    depth = deepest = 0
    for part in re.split(r"'[^']*'", line):
        for char in part:
            depth += {"(": 1, ")": -1}.get(char, 0)
            deepest = max(deepest, depth)
    return deepest


def has_remedy(line: str) -> bool:
    return line.endswith(")") or " — " in line


# -- the messages the issue listed ----------------------------------------------------------------------------


def test_minox_first_try_adapts_the_entry_numbers(capsys, tmp_path: Path) -> None:
    """Was: "bkstnr … longer than 8 characters (map the code …)"; now adapted, and said so with the file."""
    code, out, _err = koppel(capsys, "convert", XAF, "--to", "minox", "-o", tmp_path / "minox")
    assert code == 0
    assert "adapted: entry numbers (213): entry numbers up to 11 characters; minox takes 8" in out
    assert (tmp_path / "minox" / "boekstuknummers.csv").is_file()


def test_e_boekhouden_is_neither_read_nor_written(capsys, tmp_path: Path) -> None:
    """Was: "koppel reads e-Boekhouden.nl" although `koppel formats` says it does not."""
    code, _out, err = koppel(capsys, "convert", XAF, "--to", "e-boekhouden", "-o", tmp_path / "x")
    line = one_error_line(err)
    assert code == 2
    assert "koppel can neither read nor write e-Boekhouden.nl files" in line
    assert "--to xaf32 or --to xaf40" in line and "reads e-Boekhouden" not in line


def test_csv_is_koppels_own_tables_not_a_package(capsys, tmp_path: Path) -> None:
    """Was: "unknown format 'csv'" with read-only formats in the list and no way out."""
    code, _out, err = koppel(capsys, "convert", XAF, "--to", "csv", "-o", tmp_path / "x")
    line = one_error_line(err)
    assert code == 2
    assert "'csv' is not a package target" in line
    assert "koppel export INPUT -o DIR --format csv" in line
    targets = line.split("package targets: ")[1]
    assert "minox" in targets and "adf" not in targets and "profile" not in targets and "e-boekhouden" not in targets


def test_a_mistyped_target_gets_did_you_mean(capsys, tmp_path: Path) -> None:
    code, _out, err = koppel(capsys, "convert", XAF, "--to", "asperon", "-o", tmp_path / "x")
    assert code == 2 and "did you mean 'asperion'?" in one_error_line(err)


def test_a_mistyped_command_gets_did_you_mean(capsys) -> None:
    code, _out, err = koppel(capsys, "chek", XAF)
    assert code == 2 and "did you mean 'check'?" in one_error_line(err)


def test_inspect_of_a_package_folder_prints_no_none(capsys, tmp_path: Path) -> None:
    """Was: `format minox None` and `(None .. None)`."""
    assert koppel(capsys, "convert", XAF, "--to", "minox", "-o", tmp_path / "minox")[0] == 0
    code, out, _err = koppel(capsys, "inspect", tmp_path / "minox")
    assert code == 0
    assert "None" not in out
    assert re.search(r"^format\s+minox$", out, re.M)
    assert re.search(r"^fiscal year\s+- \(the input does not say\)$", out, re.M)


def test_check_of_a_missing_file_gives_no_verdict(capsys, tmp_path: Path) -> None:
    """Was: the verdict ONBRUIKBAAR with 0 findings, and then "file not found"."""
    code, out, err = koppel(capsys, "check", tmp_path / "nope.xaf")
    assert code == 2 and out == ""
    assert one_error_line(err) == f"koppel: {tmp_path / 'nope.xaf'}: file not found (check the name; koppel check " \
        "takes auditfiles)"


def test_no_nested_brackets(capsys, tmp_path: Path) -> None:
    """Was: "(… (see 'koppel formats'))": a hint with brackets of its own follows a dash."""
    from koppel.errors import KoppelError

    line = str(KoppelError("no office code", field="--to twinfield", hint="pass --option office=CODE (Twinfield: "
                           "Administratie > code)"))
    assert line == "--to twinfield: no office code — pass --option office=CODE (Twinfield: Administratie > code)"
    assert bracket_depth(line) == 1
    _code, _out, err = koppel(capsys, "convert", XAF, "--to", "e-boekhouden", "-o", tmp_path / "x")
    assert bracket_depth(one_error_line(err)) == 1


def test_openitems_takes_a_dutch_date(capsys, tmp_path: Path) -> None:
    """Was: `--at 31-12-2016` refused; a Dutch accountant writes day-month-year."""
    dutch, iso = tmp_path / "nl.csv", tmp_path / "iso.csv"
    assert koppel(capsys, "openitems", XAF, "--at", "31-12-2016", "-o", dutch)[0] == 0
    assert koppel(capsys, "openitems", XAF, "--at", "2016-12-31", "-o", iso)[0] == 0
    assert dutch.read_bytes() == iso.read_bytes()
    code, _out, err = koppel(capsys, "openitems", XAF, "--at", "12/31/2016", "-o", tmp_path / "us.csv")
    assert code == 2
    assert one_error_line(err) == "koppel: --at: not a date: '12/31/2016' (write a real day as YYYY-MM-DD or " \
        "DD-MM-YYYY, e.g. 2016-12-31 or 31-12-2016)"


def test_relations_export_with_error_findings_exits_1(capsys, tmp_path: Path) -> None:
    """Was: 63 error findings and exit 0; now as `koppel check`: 1 at --fail-on, and the list is written anyway."""
    code, out, _err = koppel(capsys, "relations", "export", XAF, "-o", tmp_path / "rel.xlsx")
    assert "39 errors" in out and (tmp_path / "rel.xlsx").is_file()
    assert code == 1


def test_relations_export_without_findings_exits_0(capsys, tmp_path: Path) -> None:
    code, out, _err = koppel(capsys, "relations", "export", SAMPLES / "voorbeeld_clair2.xml", "-o", tmp_path / "r.csv")
    assert ", 0 errors, 0 warnings" in out
    assert code == 0


def test_check_refuses_negative_places(capsys) -> None:
    """Was: `check --places -1` accepted."""
    code, out, err = koppel(capsys, "check", XAF, "--places", "-1")
    assert code == 2 and out == ""
    assert one_error_line(err) == "koppel: Invalid value for '--places': -1 is not in the range x>=0 " \
        "(see 'koppel check --help')"


# -- every kind of mistake: a place and a remedy -------------------------------------------------------------


def _bad_xaf(tmp_path: Path) -> Path:
    path = tmp_path / "kapot.xaf"
    path.write_text('<?xml version="1.0"?>\n<auditfile>\n<header>\n</auditfile>\n', encoding="utf-8")
    return path


def _bad_job(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.toml"
    path.write_text('[[job]]\nname = "a"\ninbox = { folder = "in", glob = "*.xaf" }\ntarget = "minx"\n',
                    encoding="utf-8")  # fmt: skip
    (tmp_path / "in").mkdir()
    return path


ERROR_PATHS = {
    # case: (argv builder, what the place is)
    "missing input": (lambda t: ["inspect", t / "nope.xaf"], "nope.xaf"),
    "unknown target": (lambda t: ["convert", XAF, "--to", "minx", "-o", t / "o"], "--to"),
    "table target": (lambda t: ["convert", XAF, "--to", "xlsx", "-o", t / "o"], "--to"),
    "unwritable target": (lambda t: ["convert", XAF, "--to", "adf", "-o", t / "o"], "--to"),
    "unreadable source": (lambda t: ["convert", XAF, "--from", "afas", "--to", "minox", "-o", t / "o"], "--from"),
    "unknown option": (lambda t: ["convert", XAF, "--to", "minox", "--option", "entry_number=renumber", "-o",
                                  t / "o"], "--option"),
    "bad option value": (lambda t: ["convert", XAF, "--to", "minox", "--option", "entry_numbers=yes", "-o",
                                    t / "o"], "--option"),
    "not KEY=VALUE": (lambda t: ["convert", XAF, "--to", "minox", "--option", "renumber", "-o", t / "o"],
                      "--option"),
    "unknown read option": (lambda t: ["inspect", XAF, "--read-option", "clair_negative=abs"], "--read-option"),
    "bad date": (lambda t: ["openitems", XAF, "--at", "2016-13-01", "-o", t / "o.csv"], "--at"),
    "broken xml": (lambda t: ["inspect", _bad_xaf(t)], "kapot.xaf:"),
    "output exists": (lambda t: ["export", XAF, "-o", SAMPLES], str(SAMPLES)),
    "wrong output suffix": (lambda t: ["relations", "export", XAF, "-o", t / "rel.pdf"], "rel.pdf"),
    "bad job file": (lambda t: ["run", _bad_job(t)], "jobs.toml"),
    "unknown profile": (lambda t: ["inspect", SAMPLES / "sources" / "pos_zrapport.csv", "--profile", "pos-y"],
                        "pos-y"),
    "missing previous year": (lambda t: ["check", XAF, "--previous", t / "2015.xaf"], "2015.xaf"),
    "usage: bad choice": (lambda t: ["export", XAF, "-o", t / "o", "--format", "ods"], "--format"),
    "usage: missing option": (lambda t: ["convert", XAF, "-o", t / "o"], "--to"),
}


@pytest.mark.parametrize("case", sorted(ERROR_PATHS))
def test_error_paths(case: str, capsys, tmp_path: Path) -> None:
    argv, place = ERROR_PATHS[case]
    code, _out, err = koppel(capsys, *argv(tmp_path))
    line = one_error_line(err)
    assert code == 2, line
    assert place in line, f"no place ({place}) in: {line}"
    assert has_remedy(line), f"no remedy in: {line}"
    assert bracket_depth(line) <= 1, line
    assert "Traceback" not in line and "internal error" not in line and ".part" not in line


def test_a_message_ending_in_brackets_gets_its_remedy_after_a_dash():
    from koppel.errors import KoppelError

    error = KoppelError("the XML ends too early (Premature end of data)", file="a.xaf", line=1, hint="export it again")
    assert str(error) == "a.xaf:1: the XML ends too early (Premature end of data) — export it again"
    plain = KoppelError("file not found", file="a.xaf", hint="check the name")
    assert str(plain) == "a.xaf: file not found (check the name)"
