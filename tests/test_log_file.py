"""--log-file (and log_file in a job file): one line per input and decision, errors with their context; a terminal
sees nothing of it."""

from __future__ import annotations

import re
from pathlib import Path

from koppel.cli import run as run_cli
from koppel.synthetic import write_synthetic_xaf
from tests.conftest import SAMPLES

XAF = SAMPLES / "voorbeeld_xaf32.xaf"
STAMP = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"


def run(*argv) -> int:
    return run_cli([str(a) for a in argv])


def lines(log: Path) -> list[str]:
    text = log.read_text(encoding="utf-8")
    assert all(re.match(STAMP + r" (INFO|WARNING|ERROR) ", line) for line in text.splitlines()), text
    return [re.sub(STAMP + " ", "", line) for line in text.splitlines()]


def test_convert_logs_what_was_read_and_written(tmp_path, capsys):
    log = tmp_path / "koppel.log"
    assert run("--log-file", log, "convert", XAF, "--to", "minox", "-o", tmp_path / "m") == 0
    captured = capsys.readouterr()
    assert "INFO" not in captured.out + captured.err  # quiet on the terminal
    got = lines(log)
    assert got[0] == f"INFO koppel 0.1.0: convert {XAF} --to minox -o {tmp_path / 'm'}"
    assert f"INFO read {XAF} as xaf (detected from its content)" in got
    assert any(line.startswith(f"INFO convert {XAF} -> minox") and line.endswith("money in = money out: yes")
               for line in got)  # fmt: skip
    assert got[-1] == "INFO exit 0"


def test_an_error_is_logged_with_its_place_and_remedy_and_appended(tmp_path, capsys):
    log = tmp_path / "koppel.log"
    assert run("--log-file", log, "check", XAF, "-q") == 0
    assert run("--log-file", log, "convert", tmp_path / "nope.xaf", "--to", "minox", "-o", tmp_path / "m") == 2
    got = lines(log)
    assert f"INFO check {XAF}: ok (0 error, 0 warning, 0 info codes)" in got
    assert f"ERROR {tmp_path / 'nope.xaf'}: file not found (check the name and the folder)" in got
    assert got[-1] == "INFO exit 2" and got.count("INFO exit 0") == 1
    assert capsys.readouterr().err.count("\n") == 1  # the terminal still gets its one line


def test_without_log_file_nothing_is_written(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("inspect", XAF) == 0
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_log_file_is_one_line(tmp_path, capsys):
    assert run("--log-file", tmp_path / "no" / "such" / "k.log", "inspect", XAF) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"koppel: {tmp_path / 'no' / 'such' / 'k.log'}: --log-file: cannot write the log file")
    assert err.count("\n") == 1


def test_a_job_file_log_has_one_line_per_input(tmp_path, capsys):
    (tmp_path / "inbox").mkdir()
    write_synthetic_xaf(tmp_path / "inbox" / "goed.xaf", lines=12, seed=1)
    (tmp_path / "inbox" / "kapot.xaf").write_text("<auditfile><header>", encoding="utf-8")
    job = tmp_path / "job.toml"
    job.write_text('log_file = "nacht.log"\n[[job]]\nname = "xaf"\ninbox = "inbox"\nglob = "*.xaf"\ntarget = "csv"\n',
                   encoding="utf-8")  # fmt: skip
    assert run("run", job, "--workers", "0") == 1
    got = lines(tmp_path / "nacht.log")
    assert any(line.startswith("INFO read ") and line.endswith("goed.xaf as xaf (detected from its content)")
               for line in got)  # fmt: skip
    (done,) = [line for line in got if "job 'xaf': goed.xaf" in line]
    (bad,) = [line for line in got if "job 'xaf': kapot.xaf" in line]
    assert done.startswith("INFO job 'xaf': goed.xaf (") and ": converted -> " in done and done.endswith(" lines")
    assert bad.startswith("WARNING job 'xaf': kapot.xaf (") and ": quarantined -> " in bad
    assert "the XML ends too early" in bad  # the reason, with its place
    assert got[-1] == "INFO exit 1"
