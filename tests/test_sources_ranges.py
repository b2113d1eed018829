"""Many postings are made into lines a range of whole entries at a time; the result is what one go gives.

``entries.RANGE_ROWS`` is set small here so that a few rows already span several ranges, and each result is
compared with the same file made in one go (a limit larger than the file).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import koppel.sources.entries as entries
from koppel.errors import KoppelError
from koppel.sources import read_export, read_source

PROFILE = """
[dialect]
delimiter = ";"
[columns]
date = "datum"
doc = "bon"
rate = "btw"
category = "groep"
method = "betaling"
gross = "bedrag"
vat = "btw_bedrag"
paid = "betaald"
[dates]
date = "%Y-%m-%d"
[money]
fields = ["gross", "vat", "paid"]
[journal]
id = "VK"
[entries]
aggregate = "none"
numbering = "{numbering}"
{rounding}
[[post]]
amount = "-gross"
vat_rate = "rate"
vat_amount = "-vat"
account = "map:category"
[[post]]
amount = "{paid}"
account = "map:method"
[map.category]
a = "8001"
b = "8002"
[map.method]
pin = "1100"
contant = "1000"
[vat.rates."21"]
code = "H"
account = "1520"
[vat.rates."9"]
code = "L"
account = "1521"
"""

HEADER = "datum;bon;btw;groep;betaling;bedrag;btw_bedrag;betaald\n"


def _write(tmp_path, rows: list[str], numbering: str = "source", rounding: str = 'rounding_account = "8990"'):
    """A receipts CSV and its profile; rows without a paid amount (betaald) are paid their gross."""
    csv = tmp_path / "bonnen.csv"
    csv.write_text(HEADER + "".join(r + ("\n" if r.count(";") == 7 else ";\n") for r in rows), encoding="utf-8")
    profile = tmp_path / "bonnen.toml"
    paid = "paid" if any(r.count(";") == 7 for r in rows) else "gross"
    profile.write_text(PROFILE.format(numbering=numbering, rounding=rounding, paid=paid), encoding="utf-8")
    return csv, profile


def _both(csv, profile):
    """(result in one go, result in ranges of 3 rows): ReadResult or the KoppelError text."""
    out = []
    for limit in (10**9, 3):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(entries, "RANGE_ROWS", limit)
            try:
                out.append(read_export(csv, profile=profile))
            except KoppelError as exc:
                out.append(str(exc))
    return out


def _row(day: int, bon: int, rate: int, group: str, method: str, cents: int, vat_off: int) -> str:
    vat = cents * rate // (100 + rate) + vat_off  # the till's own VAT, sometimes a few cents off
    money = f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else f"-{-cents // 100}.{-cents % 100:02d}"
    vat_text = f"{vat // 100}.{vat % 100:02d}" if vat >= 0 else f"-{-vat // 100}.{-vat % 100:02d}"
    return f"2024-03-{day:02d};{bon};{rate};{group};{method};{money};{vat_text}"


row = st.tuples(
    st.integers(1, 28),
    st.integers(1, 12),  # receipt: rows of one receipt need not be next to each other
    st.sampled_from([9, 21]),
    st.sampled_from("ab"),
    st.sampled_from(["pin", "contant"]),
    st.integers(-50_000, 500_000),
    st.sampled_from([0, 0, 0, 1, -3]),
)


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=30), numbering=st.sampled_from(["source", "sequence", "digits"]))
def test_lines_made_in_ranges_are_the_lines_made_in_one_go(tmp_path_factory, rows, numbering):
    csv, profile = _write(tmp_path_factory.mktemp("r"), [_row(*r) for r in rows], numbering)
    whole, ranged = _both(csv, profile)
    if isinstance(whole, str):
        assert ranged == whole
        return
    pd.testing.assert_frame_equal(ranged.extras["source_report"], whole.extras["source_report"])
    ranged, whole = ranged.adm, whole.adm
    pd.testing.assert_frame_equal(ranged.lines.frame(), whole.lines.frame(), check_exact=True)
    assert vars(ranged.stats) == vars(whole.stats)
    pd.testing.assert_frame_equal(ranged.accounts, whole.accounts)
    pd.testing.assert_frame_equal(ranged.journals, whole.journals)


def test_ranges_report_the_unbalanced_entry_that_one_go_reports(tmp_path):
    # no rounding account: receipts 7 and 3 are paid a cent short; 7 comes first in the file, 3 first in entry order
    rows = [
        "2024-03-01;1;21;a;pin;12.10;2.10;12.10",
        "2024-03-01;7;21;a;pin;12.10;2.10;12.09",
        "2024-03-01;2;21;a;pin;12.10;2.10;12.10",
        "2024-03-02;3;21;b;pin;12.10;2.10;12.09",
        "2024-03-02;4;21;b;pin;12.10;2.10;12.10",
    ]
    csv, profile = _write(tmp_path, rows, rounding="")
    whole, ranged = _both(csv, profile)
    assert isinstance(whole, str) and "entry 7 in journal VK does not balance: off by" in whole
    assert ranged == whole


def test_ranges_report_the_entry_number_clash_that_one_go_reports(tmp_path):
    # digits of "1-" and "1" are both 1: the clash is between entries far apart in entry order
    rows = ["2024-03-01;1;21;a;pin;12.10;2.10"] + [f"2024-03-01;{n};21;a;pin;12.10;2.10" for n in range(2, 9)]
    rows.append("2024-03-02;1-;21;b;pin;12.10;2.10")
    csv, profile = _write(tmp_path, rows, numbering="digits")
    whole, ranged = _both(csv, profile)
    assert whole == ranged
    assert "two entries get number 1 in journal VK" in whole


def test_ranges_report_a_bad_entry_number_before_a_clash_as_one_go_does(tmp_path):
    # one go checks every number for digits before it looks for clashes: receipt x (no digits) is reported,
    # although the clash of 1 and 1- lies in an earlier range
    rows = [f"2024-03-01;{n};21;a;pin;12.10;2.10" for n in ["1", "1-", *map(str, range(2, 9)), "x"]]
    csv, profile = _write(tmp_path, rows, numbering="digits")
    whole, ranged = _both(csv, profile)
    assert "entry 'x' gives no digits entry number" in whole
    assert ranged == whole


def test_a_file_larger_than_a_range_is_made_range_by_range(tmp_path, monkeypatch):
    rows = [_row(1 + n % 28, n, 21, "a", "pin", 1210, 0) for n in range(1, 41)]
    csv, profile = _write(tmp_path, rows)
    made = []
    original = entries.EntryBuilder._lines

    def counting(self, frame, sink, numbers):
        if sink is not None:
            made.append(len(frame))
        return original(self, frame, sink, numbers)

    monkeypatch.setattr(entries.EntryBuilder, "_lines", counting)
    monkeypatch.setattr(entries, "RANGE_ROWS", 10)
    adm = read_source(csv, profile=profile)
    assert adm.stats.transactions == 40
    assert len(made) > 1 and max(made) <= 20  # 40 entries of 3 lines, in ranges of about 10 postings
    assert adm.stats.debit == adm.stats.credit == 40 * 1210
