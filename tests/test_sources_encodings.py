"""Encodings users really have: Excel's "Unicode text" (UTF-16 + BOM, tabs), UTF-32, UTF-8 with a BOM, and files
cut in the middle of a character — each read right, or refused in one line that names byte, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES

from koppel.cli import main
from koppel.errors import KoppelError
from koppel.relations.read import read_relations
from koppel.sources import load_profile, read_source
from koppel.sources.sniff import starter_profile
from koppel.sources.table import csv_head

SRC = SAMPLES / "sources"
ING_ROWS = [
    ["Datum", "Naam / Omschrijving", "Rekening", "Tegenrekening", "Code", "Af Bij", "Bedrag (EUR)", "Mutatiesoort",
     "Mededelingen", "Saldo na mutatie", "Tag"],
    ["20240305", "Bakkerij Noël", "NL20INGB0001234567", "NL44RABO0123456789", "OV", "Af", "45,95", "Overschrijving",
     "Factuur 2024-118 café", "1154,05", ""],
    ["20240306", "Hendriks BV", "NL20INGB0001234567", "NL02ABNA0123456789", "OV", "Bij", "1210,00", "Overschrijving",
     "Factuur 24017", "2364,05", ""],
]  # fmt: skip


def unicode_text(rows: list[list[str]], encoding: str = "utf-16") -> bytes:
    """What Excel's "Save as Unicode text" writes: tab-separated, CR LF, UTF-16 LE with a BOM."""
    return ("\r\n".join("\t".join(row) for row in rows) + "\r\n").encode(encoding)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run(args: list[str], capfd) -> tuple[int, str]:
    capfd.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(args)
    return exit_.value.code, capfd.readouterr().err


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_unicode_text_from_excel_is_read_with_the_profile_as_it_is(tmp_path, encoding):
    data = unicode_text(ING_ROWS, encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    adm = read_source(write(tmp_path, "ing.txt", data), profile="bank-ing-csv")
    lines = adm.lines.frame()
    assert adm.stats.cents_by_account["1100"] == 121000 - 4595
    assert "Bakkerij Noël" in set(lines["description"])


def test_profile_init_on_unicode_text_writes_a_starter_that_reads_it(tmp_path):
    path = write(tmp_path, "ing.txt", unicode_text(ING_ROWS))
    text = starter_profile(path)
    assert 'encoding = "utf-16"' in text and 'delimiter = "\\t"' in text
    assert 'date = "Datum"' in text and "\\0" not in text and "ÿþ" not in text
    assert "bytes outside UTF-8" not in text
    starter = tmp_path / "starter.toml"
    starter.write_text(text, encoding="utf-8")
    head = csv_head(path, load_profile(starter).dialect)
    assert head.columns == ING_ROWS[0] and (head.encoding, head.delimiter) == ("utf-16", "\t")


def test_a_relations_list_saved_as_unicode_text_keeps_its_column_names(tmp_path):
    rows = [["Relatienummer", "Naam", "Plaats", "Soort"], ["1001", "Café de Kroon", "Utrecht", "Debiteur"]]
    adm = read_relations(write(tmp_path, "relaties.txt", unicode_text(rows)))
    assert adm.relations[["relation_id", "name", "city", "kind"]].values.tolist() == [
        ["1001", "Café de Kroon", "Utrecht", "customer"]
    ]


def test_a_utf8_bom_wins_over_a_cp1252_profile(tmp_path):
    data = (SRC / "journal_lines_en.csv").read_text(encoding="utf-8").replace("Office", "Café", 1)
    profile = tmp_path / "p.toml"
    profile.write_text('[profile]\nextends = "journal-lines-en"\n[dialect]\nencoding = "cp1252"\n', encoding="utf-8")
    adm = read_source(write(tmp_path, "x.csv", b"\xef\xbb\xbf" + data.encode()), profile=profile)
    assert adm.stats.transactions > 0
    assert not any("Ã" in d for d in adm.lines.frame()["description"].dropna())


def test_a_utf16_profile_without_a_bom_in_the_file_is_refused(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text('[profile]\nextends = "bank-ing-csv"\n[dialect]\nencoding = "utf-16"\n', encoding="utf-8")
    path = write(tmp_path, "ing.csv", "\n".join(";".join(r) for r in ING_ROWS).encode())
    with pytest.raises(KoppelError) as err:
        read_source(path, profile=profile)
    assert "byte-order mark" in err.value.message and err.value.hint.startswith('set encoding = "utf-8"')


def test_unicode_text_cut_in_half_a_character_is_one_line(tmp_path, capfd):
    path = write(tmp_path, "ing.txt", unicode_text(ING_ROWS)[:-1])
    code, err = run(["profile", "check", str(path), "--profile", "bank-ing-csv"], capfd)
    assert code == 2 and err.count("\n") == 1
    assert "ends in the middle of a character" in err and "UTF-16 LE" in err and "byte offset" in err


def test_a_csv_that_ends_in_half_a_utf8_character_names_byte_line_and_fix(tmp_path, capfd):
    path = write(tmp_path, "payouts.csv", b"automatic_payout_id,curr\xdf")
    with pytest.raises(KoppelError) as err:
        read_source(path, profile="stripe-payouts")
    assert err.value.line == 1 and "byte offset 24" in err.value.message and "0xDF" in err.value.message
    assert "UTF-8" in err.value.message and "'ß'" in err.value.message and "cp1252" in err.value.hint
    code, out = run(["inspect", str(path), "--profile", "stripe-payouts"], capfd)
    assert code == 2 and out.count("\n") == 1 and "internal error" not in out


SAMPLE_OF = {
    "pos-z": "pos_zrapport.csv",
    "stripe-payouts": "stripe_payouts.csv",
    "shopify-orders": "shopify_orders.csv",
    "mollie-balance": "mollie_balance.csv",
    "journal-lines-en": "journal_lines_en.csv",
}


@pytest.mark.parametrize("profile", sorted(SAMPLE_OF))
def test_a_csv_that_ends_in_a_lone_lead_byte_is_one_line(tmp_path, capfd, profile):
    head = (SRC / SAMPLE_OF[profile]).read_bytes().splitlines(keepends=True)[:2]
    path = write(tmp_path, "cut.csv", b"".join(head) + b"\xc3")
    code, err = run(["inspect", str(path), "--profile", profile], capfd)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"koppel: {path}:3: encoding: the file ends in the middle of a UTF-8 character")
    assert "Exception ignored" not in err and "Traceback" not in err and "Expected" not in err


def test_unicode_text_of_a_profile_that_pins_its_delimiter_says_which_to_set(tmp_path):
    rows = [line.split(",") for line in (SRC / "mollie_balance.csv").read_text(encoding="utf-8").splitlines()]
    with pytest.raises(KoppelError) as err:
        read_source(write(tmp_path, "mollie.txt", unicode_text(rows)), profile="mollie-balance")
    assert err.value.hint == 'the header is one column with tabs in it: set delimiter = "\\t" in [dialect]'
