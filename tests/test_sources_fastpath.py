"""The fast paths of summed source files (day/month entries from one CSV) give what the plain paths give.

A file without quote characters is parsed in blocks cut at line breaks (``read_csv_blocks``), summed in
worker threads and partial sums; a file with quotes is streamed with line breaks allowed inside cells.
Anything unusual (a bad amount, a row with a wrong cell count) goes the way that names it in file order.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koppel.errors import KoppelError
from koppel.money import _plain_cents, format_cents, parse_cents_arrow_plain, parse_cents_series
from koppel.sources import load_profile, read_export, read_source
from koppel.sources import reader as source_reader
from koppel.sources import table as table_module
from koppel.sources.entries import Groups, _date_text, _sort_order
from koppel.sources.table import ROW, check_encoding, csv_head, read_csv_blocks, read_csv_chunks

PROFILE = """
[dialect]
delimiter = ","
totals_rows = ["Totaal"]
[columns]
date = "date"
store = "store"
doc = "receipt"
category = "category"
rate = "vat_rate"
method = "payment"
gross = "gross"
[dates]
date = "%Y-%m-%d"
[money]
fields = ["gross"]
[journal]
id = "KAS"
[entries]
aggregate = "day"
group_by = ["store"]
numbering = "date"
rounding_account = "8990"
[[post]]
amount = "-gross"
vat_rate = "rate"
account = "map:category"
[[post]]
amount = "gross"
account = "map:method"
[map.category]
food = "8000"
drinks = "8010"
[map.method]
cash = "1000"
pin = "1100"
[vat.rates."21"]
code = "V21"
account = "1520"
[vat.rates."9"]
code = "V9"
account = "1521"
"""
HEADER = ["date", "store", "receipt", "category", "vat_rate", "payment", "gross"]


def sales(n: int = 240) -> list[list[str]]:
    """Deterministic till rows over five days, two stores, refunds included."""
    rows = []
    for i in range(n):
        category, rate = (("food", "9"), ("drinks", "21"))[i % 2]
        cents = (i * 7919) % 40_000 - 3_000
        sign = "-" if cents < 0 else ""
        rows.append(
            [f"2024-03-0{1 + i % 5}", f"0{1 + i % 2}", str(1000 + i // 3), category, rate,
             ("cash", "pin")[(i // 2) % 2], f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"]
        )  # fmt: skip
    return rows


def write_csv(path: Path, rows: list[list[str]], quote: bool = False, newline: str = "\n") -> Path:
    cell = (lambda v: '"' + v.replace('"', '""') + '"') if quote else (lambda v: v)
    path.write_text(newline.join(",".join(cell(v) for v in row) for row in [HEADER, *rows]) + newline, encoding="utf-8")
    return path


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "shop.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return path


@pytest.fixture
def block_calls(monkeypatch) -> list[Path]:
    """The files read_source parsed with the block reader."""
    calls: list[Path] = []
    original = source_reader.read_csv_blocks

    def spy(path, *args, **kwargs):
        calls.append(Path(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(source_reader, "read_csv_blocks", spy)
    return calls


def expected_by_account(rows: list[list[str]]) -> dict[str, int]:
    """Payment accounts get the gross of their rows (debit positive), computed here row by row."""
    out: dict[str, int] = {}
    for row in rows:
        whole, _, frac = row[6].lstrip("-").partition(".")
        cents = int(whole) * 100 + int((frac + "00")[:2])
        account = {"cash": "1000", "pin": "1100"}[row[5]]
        out[account] = out.get(account, 0) + (-cents if row[6].startswith("-") else cents)
    return out


def test_check_encoding_says_whether_the_quote_character_occurs(tmp_path):
    plain = write_csv(tmp_path / "plain.csv", sales(5))
    quoted = write_csv(tmp_path / "quoted.csv", sales(5), quote=True)
    assert check_encoding(plain, "utf-8", '"') is False
    assert check_encoding(quoted, "utf-8", '"') is True
    assert check_encoding(plain, "utf-8") is True  # not asked: assume quotes
    assert check_encoding(plain, "utf-8", "\u00ab") is True  # not one byte: assume quotes


def test_file_without_quotes_takes_the_block_path_and_books_the_same_entries(tmp_path, profile, block_calls):
    rows = sales()
    plain = read_source(write_csv(tmp_path / "plain.csv", rows), profile=profile)
    assert block_calls == [tmp_path / "plain.csv"]
    quoted = read_source(write_csv(tmp_path / "quoted.csv", rows, quote=True), profile=profile)
    assert block_calls == [tmp_path / "plain.csv"]  # quotes: the streaming reader
    pd.testing.assert_frame_equal(plain.lines.frame(), quoted.lines.frame())
    by_account = plain.stats.cents_by_account
    assert {a: by_account[a] for a in ("1000", "1100")} == expected_by_account(rows)
    assert plain.stats.transactions == 10  # five days x two stores


def test_small_blocks_halves_and_partial_sums_book_the_same_entries(tmp_path, profile, monkeypatch, block_calls):
    rows = sales()
    rows.append(["Totaal", "", "", "", "", "", "123.00"])
    path = write_csv(tmp_path / "plain.csv", rows, newline="\r\n")
    whole = read_export(path, profile=profile).adm
    monkeypatch.setattr(source_reader, "BLOCK_BYTES", 300)  # ~7 rows a block
    monkeypatch.setattr(source_reader, "SPLIT_ROWS", 4)
    monkeypatch.setattr(source_reader, "MAX_PARTIALS", 2)
    read = read_export(path, profile=profile)
    pieces = read.adm
    assert len(block_calls) == 2
    pd.testing.assert_frame_equal(whole.lines.frame(), pieces.lines.frame())
    assert pieces.not_carried == whole.not_carried == {"totals rows of the export (skipped)": 1}
    report = read.extras["source_report"].set_index("item")["count"]
    assert report["rows read"] == 240


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("trailing", [True, False])
def test_block_reader_cuts_at_line_breaks_like_the_streaming_reader(tmp_path, profile, newline, trailing):
    rows = sales(50)
    rows[7][3] = "dranken €"  # a multi-byte character near a cut
    path = write_csv(tmp_path / "plain.csv", rows, newline=newline)
    if not trailing:
        path.write_bytes(path.read_bytes().rstrip(b"\r\n"))
    dialect = load_profile(profile).dialect
    head = csv_head(path, dialect)
    assert head.quoted is False and head.columns == HEADER
    blocks = pa.concat_tables(read_csv_blocks(path, dialect, head, block_size=97).chunks)
    stream = pa.concat_tables(read_csv_chunks(path, dialect, arrow=True, head=head).chunks)
    assert blocks.to_pydict() == stream.to_pydict()
    assert blocks[ROW].to_pylist() == list(range(2, 52))
    assert blocks["category"][7].as_py() == "dranken €"


def test_quoted_file_with_a_line_break_inside_a_cell_reads_right(tmp_path, profile, block_calls):
    rows = sales(30)
    rows[4][2] = "bon\n1001"  # a receipt cell over two lines (the column is not summed, but must not split the row)
    path = write_csv(tmp_path / "quoted.csv", rows, quote=True)
    read = read_export(path, profile=profile)
    assert block_calls == []
    assert {a: read.adm.stats.cents_by_account[a] for a in ("1000", "1100")} == expected_by_account(rows)
    report = read.extras["source_report"].set_index("item")["count"]
    assert report["rows read"] == 30


def test_streaming_block_size_keeps_read_ahead_bounded():
    budget, blocks = table_module.READ_AHEAD_BUDGET, table_module.READ_AHEAD_BLOCKS
    assert table_module.streaming_block_size(42 << 20) == 16 << 20  # fits the budget: the fastest blocks
    assert table_module.streaming_block_size(budget) == 16 << 20
    assert table_module.streaming_block_size(budget + 1) == 4 << 20 == budget // blocks
    assert table_module.streaming_block_size(8 << 30) == 4 << 20  # however large the file
    assert table_module.streaming_block_size(8 << 30, largest=2 << 20) == 2 << 20  # never above the caller's


def test_quoted_file_beyond_the_budget_streams_in_small_blocks_with_the_same_entries(tmp_path, profile, monkeypatch):
    rows = sales(60)
    path = write_csv(tmp_path / "quoted.csv", rows, quote=True)
    whole = read_source(path, profile=profile)
    sizes: list[int] = []
    original = table_module.pacsv.open_csv

    def spy(source, *, read_options, **kwargs):
        sizes.append(read_options.block_size)
        return original(source, read_options=read_options, **kwargs)

    monkeypatch.setattr(table_module.pacsv, "open_csv", spy)
    assert path.stat().st_size > 1000
    monkeypatch.setattr(table_module, "READ_AHEAD_BUDGET", 1000)  # the file is beyond it
    small = read_source(path, profile=profile)
    assert sizes == [1 << 20]  # 1000 / 40 bytes, but never below 1 MB
    sizes.clear()
    monkeypatch.setattr(table_module, "READ_AHEAD_BUDGET", path.stat().st_size)
    read_source(path, profile=profile)
    assert sizes == [16 << 20]  # within the budget: the largest blocks
    pd.testing.assert_frame_equal(whole.lines.frame(), small.lines.frame())


def test_bad_amount_on_the_block_path_names_file_row_and_column(tmp_path, profile, block_calls):
    rows = sales(40)
    rows[22][6] = "12.3x"
    path = write_csv(tmp_path / "plain.csv", rows)
    with pytest.raises(KoppelError) as err:
        read_source(path, profile=profile)
    assert block_calls == [path]
    e = err.value
    assert (Path(e.file).name, e.line, e.field) == ("plain.csv", 24, "gross")
    assert e.message == "not an amount: '12.3x'"


def test_unusual_but_valid_amounts_on_the_block_path_are_read_row_wise(tmp_path, profile, block_calls):
    rows = sales(40)
    plain = read_source(write_csv(tmp_path / "plain.csv", rows), profile=profile)
    for row in rows:  # a sign after the number, as some Dutch exports write
        row[6] = row[6][1:] + "-" if row[6].startswith("-") else row[6]
    trailing = read_source(write_csv(tmp_path / "trailing.csv", rows), profile=profile)
    assert len(block_calls) == 2
    pd.testing.assert_frame_equal(plain.lines.frame(), trailing.lines.frame())


def test_wrong_cell_count_on_the_block_path_names_the_first_such_row(tmp_path, profile, block_calls):
    rows = sales(40)
    rows[10] = rows[10][:5]
    rows[30] = rows[30] + ["extra"]
    path = write_csv(tmp_path / "plain.csv", rows)
    with pytest.raises(KoppelError) as err:
        read_source(path, profile=profile)
    assert block_calls == [path]
    assert err.value.message == f"row has a different number of cells than the header: {','.join(rows[10])!r}"
    assert err.value.line is None  # the streaming reader does not know the line; neither do we


def test_short_totals_row_on_the_block_path_is_counted_not_refused(tmp_path, profile, block_calls):
    rows = sales(40)
    path = write_csv(tmp_path / "plain.csv", rows)
    path.write_text(path.read_text(encoding="utf-8") + "Totaal,,123.00\n", encoding="utf-8")
    adm = read_source(path, profile=profile)
    assert block_calls == [path]
    assert adm.not_carried == {"totals rows of the export (skipped)": 1}
    assert {a: adm.stats.cents_by_account[a] for a in ("1000", "1100")} == expected_by_account(rows)


# --- the numpy grouping behind entries -----------------------------------------------------------------------

cell = st.sampled_from(["a", "b", "B", "é", ""]) | st.none()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(cell, st.sampled_from([1, 2]), cell, st.integers(-10**12, 10**12), st.integers(1, 99)),
             min_size=1, max_size=40)
)  # fmt: skip
def test_groups_number_and_sum_like_pandas_groupby(rows):
    frame = pd.DataFrame(rows, columns=["j", "post", "k", "amount", "row"]).astype(
        {"j": "string", "k": "string", "amount": "int64", "row": "int64"}
    )
    frame["given"] = pd.array([None if r[4] % 3 else r[3] for r in rows], dtype="Int64")
    frame["first"] = frame["row"] * 2
    keys = ["j", "post", "k"]
    groups = Groups(frame, keys)
    pandas = frame.groupby(keys, sort=False, dropna=False)
    assert list(groups.ids) == list(pandas.ngroup())
    how = {"amount": "sum", "given": "sum", "row": "min", "first": "first"}
    pd.testing.assert_frame_equal(groups.aggregate(frame, keys, how), pandas.agg(how).reset_index())
    assert list(groups.max(frame["row"])) == list(pandas["row"].max())
    assert list(groups.size()) == list(pandas.size())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(cell, cell, st.sampled_from([0.0, 1.0, 0.5, 1e9]), cell), min_size=0, max_size=40)
)  # fmt: skip
def test_sort_order_is_a_stable_sort_values(rows):
    frame = pd.DataFrame(rows, columns=["journal_id", "_key", "_post", "account_id"]).astype(
        {"journal_id": "string", "_key": "string", "_post": "float64", "account_id": "string"}
    )
    keys = list(frame.columns)
    expected = frame.sort_values(keys, kind="stable").index.to_numpy()
    assert _sort_order(frame, keys).tolist() == expected.tolist()


def test_groups_aggregate_leaves_missing_firsts_to_pandas():
    frame = pd.DataFrame({"k": ["a", "a"], "v": pd.array([None, "x"], dtype="string")})
    assert Groups(frame, ["k"]).aggregate(frame, ["k"], {"v": "first"}) is None  # pandas' first skips <NA>


def test_groups_renumber_before_the_combined_key_could_overflow():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({f"c{i}": rng.integers(0, 1000, 2000) for i in range(7)})  # 1000**7 > 2**62
    frame.iloc[1] = frame.iloc[0]
    keys = list(frame.columns)
    assert list(Groups(frame, keys).ids) == list(frame.groupby(keys, sort=False).ngroup())


@pytest.mark.parametrize("fmt", ["%Y-%m-%d", "%Y-%m", "%y%m%d", "%Y%m", "day %d of %m"])
def test_date_text_is_strftime(fmt):
    days = pd.to_datetime(["2024-01-31", "1999-12-01", "2024-02-29"]).astype("datetime64[s]")
    dates = pd.Series(days, index=[5, 3, 9])
    expected = dates.dt.strftime(fmt).astype("string")
    pd.testing.assert_series_equal(_date_text(dates, fmt), expected)
    with_missing = pd.concat([dates, pd.Series([pd.NaT], dtype="datetime64[s]", index=[1])])  # strftime's way
    pd.testing.assert_series_equal(_date_text(with_missing, fmt), with_missing.dt.strftime(fmt).astype("string"))


def test_block_path_reads_cp1252_after_preamble_rows_like_the_streaming_reader(tmp_path, block_calls):
    profile = tmp_path / "p.toml"
    text = PROFILE.replace('delimiter = ","', 'delimiter = ","\nencoding = "cp1252"\nskip_rows = 2')
    profile.write_text(text.replace('drinks = "8010"', '"dränks€" = "8010"'), encoding="utf-8")
    rows = sales(60)
    for row in rows:
        row[3] = "dränks€" if row[3] == "drinks" else row[3]

    def export(name: str, quote: bool) -> Path:
        path = write_csv(tmp_path / name, rows, quote=quote)
        body = path.read_text(encoding="utf-8")
        path.write_bytes(f"Kassa export\nperiode maart\n{body}".encode("cp1252"))
        return path

    plain = read_source(export("plain.csv", False), profile=profile)
    quoted = read_source(export("quoted.csv", True), profile=profile)
    assert block_calls == [tmp_path / "plain.csv"]
    pd.testing.assert_frame_equal(plain.lines.frame(), quoted.lines.frame())
    assert plain.stats.cents_by_account["8010"] != 0
    assert {a: plain.stats.cents_by_account[a] for a in ("1000", "1100")} == expected_by_account(rows)


# --- the quick amount parse of the summed path ---------------------------------------------------------------

amount_cell = st.one_of(
    st.integers(-(10**15), 10**15).map(lambda c: format_cents(c)),
    st.integers(-(10**15), 10**15).map(lambda c: format_cents(c)[:-1]),  # one decimal
    st.integers(-(10**13), 10**13).map(str),  # no decimals
    st.integers(-(10**15), 10**15).map(lambda c: format_cents(c, thousands=",")),  # grouped: 1,234.50
    st.text(alphabet="0123456789-.,+ €e", max_size=8),  # anything else
    st.just(""),
)


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(amount_cell, min_size=1, max_size=20),
    dialect=st.sampled_from([(".", ""), (",", "."), (",", "")]),
)
def test_quick_amount_parse_is_the_row_wise_parse(cells, dialect):
    """The Arrow fast path gives the cents the row-wise parse gives (it leaves unusual cells to that parse)."""
    from unittest import mock

    mark, thousands = dialect
    if mark != ".":  # the same amounts in the dialect: '1234.50' -> '1.234,50'
        cells = [c.replace(".", "\x00").replace(",", ".").replace("\x00", ",") for c in cells]
    quick = _plain_cents(pa.array(cells, type=pa.string()), mark, thousands)
    if quick is None:
        return
    with mock.patch("koppel.money._plain_cents", return_value=None):  # the row-wise path alone
        row_wise, bad = parse_cents_series(pd.Series(cells, dtype="string"), decimal_mark=mark, thousands=thousands)
    assert not bad.any()
    assert quick[0].tolist() == row_wise.fillna(0).tolist() and quick[1].tolist() == row_wise.notna().tolist()


def test_quick_amount_parse_leaves_amounts_beyond_int64_to_the_row_wise_path():
    huge = pa.array(["92.233.720.368.547.758,08", "1,00"])  # grouped digits: more than int64 cents hold
    assert _plain_cents(huge, ",", ".") is None
    cents, present = parse_cents_arrow_plain(pa.chunked_array([["1,5", ""], ["-2"]]), decimal_mark=",")
    assert cents.tolist() == [150, 0, -200] and present.tolist() == [True, False, True]


def test_block_path_without_a_memory_map_falls_back_to_streaming(tmp_path, profile, monkeypatch, block_calls):
    rows = sales()
    path = write_csv(tmp_path / "plain.csv", rows)
    mapped = read_source(path, profile=profile)
    parsed: list[int] = []
    original = source_reader.read_csv_chunks
    monkeypatch.setattr(source_reader, "read_csv_chunks", lambda *a, **k: parsed.append(1) or original(*a, **k))

    def no_mmap(*args, **kwargs):
        raise OSError("no memory maps here")

    monkeypatch.setattr(table_module.mmap, "mmap", no_mmap)
    streamed = read_source(path, profile=profile)
    assert len(block_calls) == 2 and parsed == [1]  # the block reader gave up, the streaming reader read it
    pd.testing.assert_frame_equal(mapped.lines.frame(), streamed.lines.frame())
    assert {a: streamed.stats.cents_by_account[a] for a in ("1000", "1100")} == expected_by_account(rows)


def test_vat_rate_without_a_revenue_account_names_file_row_and_rate(tmp_path):
    text = PROFILE.replace('account = "map:category"', 'account = "vat:revenue"')
    text = text.replace('[vat.rates."21"]\n', '[vat.rates."21"]\nrevenue = "8021"\n')
    assert text.count("vat:revenue") == 1 and text.count('revenue = "8021"') == 1
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    rows = [r for r in sales(40) if r[4] == "21"][:3] + [r for r in sales(40) if r[4] == "9"][:1]
    csv = write_csv(tmp_path / "x.csv", rows)
    with pytest.raises(KoppelError) as caught:
        read_source(csv, profile=path, aggregate="none")
    assert caught.value.line == 5 and "no revenue account for VAT rate 9" in str(caught.value)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)), min_size=1, max_size=20),
    st.lists(st.sampled_from(["%Y", "%y", "%m", "%d", "-", "/", " dag ", "é", "x"]), min_size=1, max_size=6),
)
def test_date_text_of_any_dates_and_format_is_strftime(days, tokens):
    fmt = "".join(tokens)
    dates = pd.Series(pd.to_datetime(days).astype("datetime64[s]"), index=range(10, 10 + len(days)))
    pd.testing.assert_series_equal(_date_text(dates, fmt), dates.dt.strftime(fmt).astype("string"))


def test_block_reader_drops_the_pages_it_has_parsed(tmp_path, profile, monkeypatch):
    """Mapped pages once read stay in the process's RSS: each parsed piece's whole pages are given back."""
    import mmap


    rows = sales(3000)
    path = write_csv(tmp_path / "plain.csv", rows)
    dialect = load_profile(profile).dialect
    head = csv_head(path, dialect)
    forgotten: list[tuple[int, int]] = []
    original = table_module._forget_pages

    def spy(mapped, begin, end):
        forgotten.append((begin, end))
        original(mapped, begin, end)

    monkeypatch.setattr(table_module, "_forget_pages", spy)
    blocks = pa.concat_tables(read_csv_blocks(path, dialect, head, block_size=3 * mmap.PAGESIZE).chunks)
    assert blocks.num_rows == 3000  # parsed after each earlier piece's pages were dropped: still all rows
    size = path.stat().st_size
    assert forgotten[0][0] == 0 and forgotten[-1][1] == size
    assert all(a[1] == b[0] for a, b in itertools.pairwise(forgotten))  # every byte, once
    assert len(forgotten) > 5
