"""CAMT.053: every refusal is one line that names the line of the file it is about; UTF-16 is read, UTF-32 named."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES

from koppel.cli import main
from koppel.errors import KoppelError
from koppel.sources.banks import read_camt053

SAMPLE = SAMPLES / "sources" / "bank_camt053.xml"
NTRY_LINES = [i for i, t in enumerate(SAMPLE.read_text(encoding="utf-8").splitlines(), start=1) if "<Ntry>" in t]


def damaged(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "statement.xml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def line_of(path: Path, mark: str) -> int:
    return next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if mark in t)


def test_each_entry_carries_the_line_of_its_ntry():
    assert list(read_camt053(SAMPLE)["_row"]) == NTRY_LINES


@pytest.mark.parametrize(
    ("old", "new", "mark", "says"),
    [
        ("<Sts>BOOK</Sts>\n        <BookgDt><Dt>2024-03-05", "<Sts>BOOK\n        <BookgDt><Dt>2024-03-05", "</Ntry>",
         "mismatch"),
        ("Factuur 24017", "Factuur &onbekend;", "&onbekend;", "onbekend"),
        ("Factuur 24017", "Factuur \x00", "Factuur \x00", "Char"),
        ("<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>CRED</CdtDbtInd>", "<Ntry>", "CRED"),
        ('<Amt Ccy="EUR">1210.00</Amt>', '<Amt Ccy="EUR"></Amt>', "<Ntry>", "without an amount"),
    ],
    ids=["tag mismatch", "undefined entity", "NUL byte", "unknown direction", "no amount"],
)  # fmt: skip
def test_a_damaged_statement_is_one_line_naming_its_line(tmp_path, capfd, old, new, mark, says):
    path = damaged(tmp_path, old, new)
    expected = line_of(path, mark) if mark != "<Ntry>" else NTRY_LINES[1]
    with pytest.raises(KoppelError) as err:
        read_camt053(path)
    assert says in err.value.message and "\n" not in str(err.value)
    if mark == "</Ntry>":  # libxml2 notices the mismatch where the element closes
        assert err.value.line == line_of(path, "</Ntry>")
    else:
        assert err.value.line == expected
    capfd.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["inspect", str(path), "--profile", "bank-camt053"])
    out = capfd.readouterr()
    assert exit_.value.code == 2 and out.err.count("\n") == 1, out.err
    assert out.err.startswith(f"koppel: {path}:{err.value.line}: ")


def test_an_attribute_beyond_the_parser_limit_is_one_line(tmp_path):
    path = damaged(tmp_path, "<BkToCstmrStmt>", '<BkToCstmrStmt a="' + "x" * 11_000_000 + '">')
    with pytest.raises(KoppelError) as err:
        read_camt053(path)
    assert err.value.line == 3 and "\n" not in str(err.value)


def test_a_bad_amount_names_the_line_of_its_entry(tmp_path, capfd):
    path = damaged(tmp_path, '<Amt Ccy="EUR">1210.00</Amt>', '<Amt Ccy="EUR">1.210,00</Amt>')
    with pytest.raises(SystemExit) as exit_:
        main(["inspect", str(path), "--profile", "bank-camt053"])
    err = capfd.readouterr().err
    assert exit_.value.code == 2 and err.startswith(f"koppel: {path}:{NTRY_LINES[1]}: amount: not an amount")


def test_utf16_is_read_and_utf32_is_named(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    utf16 = tmp_path / "utf16.xml"
    utf16.write_bytes(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    assert list(read_camt053(utf16)["amount"]) == ["-45.95", "1210.00", "-3.20"]
    for name, data in (
        ("bom", text.replace('encoding="UTF-8"', 'encoding="UTF-32"').encode("utf-32")),
        ("be", text.replace('encoding="UTF-8"', 'encoding="UTF-32"').encode("utf-32-be")),
    ):
        path = tmp_path / f"{name}.xml"
        path.write_bytes(data)
        with pytest.raises(KoppelError) as err:
            read_camt053(path)
        assert "UTF-32" in err.value.message and "Document is empty" not in str(err.value)
