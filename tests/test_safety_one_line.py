"""Every error is one line with the user's file and the line where it is: libxml2's trailing newlines, its
follow-up errors and its buffer position must not leak into what the user reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from koppel.cli import main
from koppel.errors import KoppelError
from koppel.registry import read_input
from tests.conftest import SAMPLES

SAMPLE = (SAMPLES / "voorbeeld_xaf32.xaf").read_bytes()


def with_line_7(tail: bytes) -> bytes:
    lines = SAMPLE.split(b"\n")
    lines[6] += tail
    return b"\n".join(lines)


CASES = {
    "nul": (lambda: with_line_7(b"\x00"), 7, "not well-formed XML: Invalid character: Char 0x0 out of allowed range"),
    "entity": (lambda: with_line_7(b"&nbsp;"), 7, "not well-formed XML: Entity 'nbsp' not defined"),
    "attribute": (lambda: SAMPLE.replace(b"<header>", b'<header a="' + b"x" * (12 << 20) + b'">', 1), 3,
                  "refused: a text or attribute value longer than 10,000,000 bytes"),
}  # fmt: skip


def cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    captured = capsys.readouterr()
    return exit_.value.code, captured.out, captured.err


@pytest.mark.parametrize("case", sorted(CASES))
def test_inspect_says_it_in_one_line_at_the_right_line(tmp_path: Path, capsys, case: str) -> None:
    make, line, message = CASES[case]
    path = tmp_path / "audit.xaf"
    path.write_bytes(make())
    code, out, err = cli(["inspect", str(path)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"koppel: {path}:{line}: {message}")


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_reports_the_same_place(tmp_path: Path, capsys, case: str) -> None:
    make, line, message = CASES[case]
    path = tmp_path / "audit.xaf"
    path.write_bytes(make())
    code, _, err = cli(["check", str(path), "--no-xsd", "-q", "--json", str(tmp_path / "r.json")], capsys)
    finding = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["findings"][0]
    assert code == 2 and err == ""
    assert (finding["code"], finding["line"]) == ("XAF-F01", line)
    problem = finding["places"][0]["values"]["problem"]
    assert "\n" not in problem and problem.startswith(message)


def test_an_earlier_failed_parse_in_the_same_process_does_not_change_the_cause(tmp_path: Path) -> None:
    other = tmp_path / "other.xaf"
    other.write_bytes(SAMPLE[:5000])
    path = tmp_path / "audit.xaf"
    path.write_bytes(with_line_7(b"&nbsp;"))
    for first in (other, path):
        with pytest.raises(KoppelError):
            read_input(first)
    with pytest.raises(KoppelError) as caught:
        read_input(path)
    assert (caught.value.line, caught.value.message) == (7, "not well-formed XML: Entity 'nbsp' not defined")


def test_an_error_line_never_breaks_or_drives_the_terminal() -> None:
    error = KoppelError("value 'a\r\nb\x1b[2J\u202eexe.pdf' is not a number\n", file="x.csv", line=4, hint="fix\n")
    assert str(error) == "x.csv:4: value 'a b\\x1b[2J\\u202eexe.pdf' is not a number (fix)"
