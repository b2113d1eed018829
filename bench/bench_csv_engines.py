"""How close can any engine come to issue 6's target? Reading and summing a shop CSV, against pandas.read_csv.

    .venv/bin/python bench/bench_csv_engines.py [--rows 1000000] [--repeat 5]

Issue 6 asks for 1M shop rows -> daily entries in <= 2x the time ``pandas.read_csv`` alone takes on the same
file. This measures, on the file of ``bench_sources.py``, the work any design has to do before it makes a
single entry: parse the six columns that decide a posting plus the amount, and sum the amounts exactly per
distinct (date, store, category, rate, method). Contenders (each skipped when its library is not installed;
``pip install -e '.[bench]'`` installs them):

* ``pyarrow parse``: ``pyarrow.csv.read_csv`` of those columns as text, all cores (koppel's parser);
* ``pyarrow parse+sum``: the same, plus an exact cents parse and ``group_by`` sum (koppel's Arrow path);
* ``duckdb parse+sum``: one DuckDB query, ``read_csv`` + ``GROUP BY`` with a DECIMAL(18,2) sum;
* ``polars parse+sum``: one lazy Polars query, ``scan_csv`` + ``group_by`` with a Decimal(18,2) sum;
* ``koppel``: ``read_source`` to the balanced daily entries (everything);
* ``koppel with polars``: the same, with the Arrow read-and-sum step swapped for a Polars query (a prototype
  for this bench profile only, measured to see whether Polars would bring koppel under the target; its lines
  were compared equal to koppel's own when it was written, 2026-11-26).

Each run is a fresh process (``common.run_measured``: one warm-up call, then one timed call), so that no
engine's thread pool or caches touch another's time; rounds interleave the contenders. Wall seconds, median of
``--repeat`` rounds; ratio = wall / pandas.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
from collections.abc import Callable

from bench_sources import PROFILE, shop_csv
from common import DATA, MEASURED_PRELUDE, ROOT, run_measured

KEYS = ["date", "store", "category", "vat_rate", "payment"]
THREADS = os.cpu_count() or 1


def pyarrow_parse(path) -> object:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    return pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(quote_char=False),
        convert_options=pacsv.ConvertOptions(
            include_columns=[*KEYS, "gross"], column_types={c: pa.string() for c in [*KEYS, "gross"]}
        ),
    )


def pyarrow_parse_sum(path) -> int:
    import pyarrow as pa

    from koppel.money import parse_cents_arrow_plain

    table = pyarrow_parse(path)
    cents, present = parse_cents_arrow_plain(table["gross"])
    summed = (
        table.select(KEYS)
        .append_column("cents", pa.array(cents, mask=~present))
        .group_by(KEYS)
        .aggregate([("cents", "sum")])
    )
    return summed.num_rows


def duckdb_parse_sum(path) -> int:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {THREADS}")
    query = (
        f"SELECT {', '.join(KEYS)}, sum(gross::DECIMAL(18, 2)) FROM read_csv('{path}', all_varchar = true, "
        f"header = true, delim = ',', quote = '') GROUP BY ALL"
    )
    return con.sql(query).to_arrow_table().num_rows


def polars_parse_sum(path) -> int:
    import polars as pl

    lazy = pl.scan_csv(path, infer_schema=False, quote_char=None)
    return lazy.group_by(KEYS).agg(pl.col("gross").cast(pl.Decimal(18, 2)).sum()).collect().height


def koppel(path) -> int:
    from koppel.sources import read_source

    return read_source(path, profile=DATA / "bench_shop.toml").stats.transactions


def koppel_with_polars(path) -> int:
    """koppel with its read-and-sum step (``_arrow_reduce_file``) done by Polars: bench profile only (plain
    amounts, no quotes, no totals rows); the sums go to the entry building through koppel's own hand-over."""
    import polars as pl

    import koppel.sources.reader as reader
    from koppel.sources.entries import row_counts

    class Whole:  # stands in for read_csv_blocks' result: the file as one chunk
        def __init__(self, file, head) -> None:
            self.chunks, self.columns, self.skipped_rows = [file], head.columns, []

    def reduce(chunks, prof, colmap, columns, keys, counts):
        money = [name for name in prof.money if colmap.get(name)]
        lazy = pl.scan_csv(
            chunks[0], infer_schema=False, quote_char=None, row_index_name=reader.ROW, row_index_offset=2
        )
        aggs = [pl.col(reader.ROW).min(), pl.len().alias("n:")]
        for name in money:
            cell = pl.col(colmap[name])
            cents = (cell.cast(pl.Decimal(18, 2)).sum().cast(pl.Decimal(38, 2)) * 100).cast(pl.Int64)
            aggs += [
                cents.alias(f"m:{name}"),
                cell.is_not_null().sum().cast(pl.Int64).alias(f"c:{name}"),
                cell.str.contains(r"^-?\d+(\.\d{1,2})?$").all().alias(f"ok:{name}"),
            ]
        sums = lazy.group_by(keys).agg(aggs).collect()
        if not all(sums[f"ok:{name}"].all() for name in money):
            return None
        counts["rows"] += int(sums["n:"].sum())
        sums = sums.with_columns(pl.col(reader.ROW).cast(pl.Int64), pl.col("n:").cast(pl.Int64))
        counted = {reader._count_column(fields) for fields in row_counts(prof).values()}
        columns = [*keys, reader.ROW, *[f"{kind}:{n}" for n in money for kind in "mc"]]
        columns += sorted(counted - set(columns))
        return reader.summed_rows(sums.select(columns).to_arrow(), prof, colmap, keys)

    reader.read_csv_blocks = lambda file, dialect, head, include, block_size=0: Whole(file, head)
    reader._arrow_reduce_file = reduce
    return koppel(path)


def contenders() -> dict[str, Callable]:
    import pandas as pd

    found: dict[str, Callable] = {"pandas.read_csv": pd.read_csv, "pyarrow parse": pyarrow_parse}
    found["pyarrow parse+sum"] = pyarrow_parse_sum
    if importlib.util.find_spec("duckdb"):
        found["duckdb parse+sum"] = duckdb_parse_sum
    if importlib.util.find_spec("polars"):
        found["polars parse+sum"] = polars_parse_sum
    found["koppel"] = koppel
    if importlib.util.find_spec("polars"):
        found["koppel with polars"] = koppel_with_polars
    return found


# One contender in a fresh process (cwd: the checkout): a warm-up call, then one timed call.
ONE_RUN = (
    MEASURED_PRELUDE
    + """
sys.path.insert(0, "bench")
from bench_csv_engines import contenders
run = contenders()[sys.argv[2]]
run(path)
t0, c0 = time.perf_counter(), time.process_time()
run(path)
done(0, t0, c0)
"""
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = shop_csv(args.rows)
    (DATA / "bench_shop.toml").write_text(PROFILE, encoding="utf-8")
    names = list(contenders())
    walls: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(args.repeat):
        for name in names:
            walls[name].append(run_measured(ONE_RUN, str(path), name)["wall"])
    base = statistics.median(walls["pandas.read_csv"])
    results = {"rows": args.rows, "mb": round(path.stat().st_size / 1e6, 1), "repeat": args.repeat, "walls": {}}
    print(f"{path.name}: {results['mb']} MB, {args.rows:,} rows, {THREADS} cores, median of {args.repeat} rounds")
    print(f"{'contender':<20}{'wall s':>9}{'x pandas':>10}")
    for name, values in walls.items():
        median = statistics.median(values)
        results["walls"][name] = round(median, 4)
        print(f"{name:<20}{median:>9.3f}{median / base:>10.2f}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "csv_engines.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
