"""Benchmark: source exports in.

1. A 1M-row POS/shop sales CSV (one row per sold item: date, store, receipt, category, VAT rate, payment
   method, gross) -> daily entries per store through a profile (VAT split per rate per entry, payment
   accounts), against ``pandas.read_csv`` alone on the same file. Target: koppel <= 2x pandas.
2. A 100k-row XLSX of journal lines -> entries (profile journal-lines-xlsx, python-calamine), against
   openpyxl read-only iterating the cells and python-calamine reading the sheet alone.
3. With ``--per-document ROWS[,ROWS...]``: the same shop CSV -> one entry per receipt and store (``aggregate =
   "none"``), each size in a fresh process: wall seconds and peak RSS, to show how they grow with the file.

Each timing is the median of ``--repeat`` runs in this process after ``--warmup`` untimed runs per contender
(files are cached in bench/data); wall and CPU seconds (``time.process_time``, all threads) are both reported.
The CSV contenders run in turn (pandas, koppel, pandas, ...) so that both see the same load.

    .venv/bin/python bench/bench_sources.py [--rows 1000000] [--xlsx-rows 100000] [--repeat 3] [--warmup 1]

Writes bench/results/sources.json and prints medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np
from common import DATA, MEASURED_PRELUDE, ROOT, run_measured

PROFILE = """
[profile]
name = "bench-shop"
[dialect]
delimiter = ","
decimal_mark = "."
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
books = "8020"
other = "8090"
[map.method]
cash = "1000"
pin = "1100"
creditcard = "1110"
[vat.rates."21"]
code = "V21"
account = "1520"
[vat.rates."9"]
code = "V9"
account = "1521"
[vat.rates."0"]
code = "V0"
account = "1522"
"""


def shop_csv(rows: int, seed: int = 7) -> Path:
    """A cached sales CSV of ``rows`` rows (~50 bytes a row)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"shop_sales_{rows}_s{seed}.csv"
    if path.exists():
        return path
    import pandas as pd

    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", "2024-12-31").strftime("%Y-%m-%d").to_numpy()
    cats = np.array(["food", "drinks", "books", "other"])
    rates = np.array(["9", "21", "0", "21"])
    methods = np.array(["cash", "pin", "creditcard"])
    c = rng.integers(0, 4, rows)
    cents = rng.integers(-500, 25_000, rows)
    frame = pd.DataFrame(
        {
            "date": np.sort(days[rng.integers(0, len(days), rows)]),
            "store": rng.choice(np.array(["01", "02", "03"]), rows),
            "receipt": np.arange(1, rows + 1) // 3,
            "category": cats[c],
            "vat_rate": rates[c],
            "payment": methods[rng.integers(0, 3, rows)],
            "gross": [f"{v / 100:.2f}" for v in cents],
        }
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    frame.to_csv(tmp, index=False)
    os.replace(tmp, path)
    return path


def journal_xlsx(rows: int) -> Path:
    """A cached workbook of ``rows`` journal lines (balanced pairs) with date and number cells."""
    path = DATA / f"journal_lines_{rows}.xlsx"
    if path.exists():
        return path
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Journaal")
    sheet.append(["Dagboek", "Boekstuk", "Datum", "Rekening", "Omschrijving", "Bedrag", "Btw-code"])
    rng = np.random.default_rng(3)
    for i in range(rows // 2):
        amount = int(rng.integers(1, 1_000_000)) / 100
        date = dt.date(2024, 1, 1) + dt.timedelta(days=i % 365)
        sheet.append(["MEM", str(i + 1), date, "4000", f"Kosten {i}", amount, None])
        sheet.append(["MEM", str(i + 1), date, "1600", f"Te betalen {i}", -amount, None])
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part.xlsx")
    book.save(str(tmp))
    os.replace(tmp, path)
    return path


CPU: dict[str, float] = {}  # label -> median CPU seconds (process_time: all threads of this process)


WARMUP = 1  # untimed runs per contender first (lazy imports, allocator growth), set by --warmup


def timed(func, repeat: int, label: str = "") -> tuple[float, object]:
    """Median wall seconds of ``repeat`` runs (and the median CPU seconds into ``CPU[label]``)."""
    for _ in range(WARMUP):
        func()
    times, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = func()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    CPU[label] = statistics.median(cpus)
    return statistics.median(times), result


def interleaved(funcs: dict, repeat: int) -> list[tuple[float, object]]:
    """Like :func:`timed` for several contenders, run in turn (a, b, a, b, ...) so they share the machine's load."""
    for func in funcs.values():
        for _ in range(WARMUP):
            func()
    walls: dict[str, list[float]] = {k: [] for k in funcs}
    cpus: dict[str, list[float]] = {k: [] for k in funcs}
    results: dict[str, object] = {}
    for _ in range(repeat):
        for label, func in funcs.items():
            start, cpu = time.perf_counter(), time.process_time()
            results[label] = func()
            walls[label].append(time.perf_counter() - start)
            cpus[label].append(time.process_time() - cpu)
    CPU.update({k: statistics.median(v) for k, v in cpus.items()})
    return [(statistics.median(walls[k]), results[k]) for k in funcs]


# One entry per receipt and store: the same postings as PROFILE, without summing rows per day.
PROFILE_DOCS = PROFILE.replace('aggregate = "day"', 'aggregate = "none"').replace(
    'numbering = "date"', 'numbering = "source"'
)

PER_DOCUMENT_RUN = (
    MEASURED_PRELUDE
    + """
from koppel.sources import read_source
t0, c0 = time.perf_counter(), time.process_time()
adm = read_source(path, profile=sys.argv[2])
done(adm.stats.lines, t0, c0, entries=adm.stats.transactions)
"""
)


def per_document(sizes: list[int]) -> list[dict]:
    """Wall, CPU and peak RSS of one entry per receipt, each size in a fresh process."""
    profile = DATA / "bench_shop_docs.toml"
    profile.write_text(PROFILE_DOCS, encoding="utf-8")
    rows = []
    for n in sizes:
        result = run_measured(PER_DOCUMENT_RUN, str(shop_csv(n)), str(profile))
        rows.append({"rows": n, **{k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}})
        print(
            f"per document, {n:,} rows: {result['entries']:,} entries, {result['lines']:,} lines, "
            f"{result['wall']:.1f} s wall, peak RSS {result['rss_mb']:.0f} MB"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs per contender before timing")
    parser.add_argument("--per-document", default="", help="ROWS[,ROWS...]: also time one entry per receipt")
    args = parser.parse_args()
    global WARMUP
    WARMUP = args.warmup

    import pandas as pd

    from koppel.sources import read_source

    results: dict = {"load_average": os.getloadavg()[0], "repeat": args.repeat, "warmup": args.warmup}
    csv = shop_csv(args.rows)
    profile = DATA / "bench_shop.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    (t_pandas, frame), (t_koppel, adm) = interleaved(
        {"pandas": lambda: pd.read_csv(csv), "koppel": lambda: read_source(csv, profile=profile)}, args.repeat
    )
    expected = int(frame["gross"].mul(100).round().astype("int64").sum())  # float ok here: only a check sum
    assert (
        adm.stats.cents_by_account.get("1000", 0)
        + adm.stats.cents_by_account.get("1100", 0)
        + (adm.stats.cents_by_account.get("1110", 0))
        == expected
    ), "money lost"
    results["csv"] = {
        "rows": args.rows,
        "mb": round(csv.stat().st_size / 1e6, 1),
        "pandas_read_csv_s": round(t_pandas, 3),
        "koppel_daily_entries_s": round(t_koppel, 3),
        "ratio": round(t_koppel / t_pandas, 2),
        "pandas_read_csv_cpu_s": round(CPU["pandas"], 3),
        "koppel_daily_entries_cpu_s": round(CPU["koppel"], 3),
        "cpu_ratio": round(CPU["koppel"] / CPU["pandas"], 2),
        "entries": adm.stats.transactions,
        "lines": adm.stats.lines,
    }

    xlsx = journal_xlsx(args.xlsx_rows)

    def openpyxl_read() -> int:
        from openpyxl import load_workbook

        book = load_workbook(str(xlsx), read_only=True, data_only=True)
        n = sum(1 for _ in book.active.iter_rows(values_only=True))
        book.close()
        return n

    def calamine_read() -> int:
        from python_calamine import CalamineWorkbook

        return len(CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python())

    t_openpyxl, _ = timed(openpyxl_read, args.repeat)
    t_calamine, _ = timed(calamine_read, args.repeat)
    t_xlsx, adm_x = timed(lambda: read_source(xlsx, profile="journal-lines-xlsx"), args.repeat)
    results["xlsx"] = {
        "rows": args.xlsx_rows,
        "openpyxl_read_only_s": round(t_openpyxl, 3),
        "calamine_s": round(t_calamine, 3),
        "koppel_entries_s": round(t_xlsx, 3),
        "ratio_vs_openpyxl": round(t_xlsx / t_openpyxl, 2),
        "ratio_vs_calamine": round(t_xlsx / t_calamine, 2),
        "entries": adm_x.stats.transactions,
    }
    if args.per_document:
        results["per_document"] = per_document([int(n) for n in args.per_document.split(",")])
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "sources.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    c, x = results["csv"], results["xlsx"]
    print(
        f"CSV {c['rows']:,} rows ({c['mb']} MB): pandas.read_csv {c['pandas_read_csv_s']} s, "
        f"koppel -> {c['entries']} daily entries {c['koppel_daily_entries_s']} s, ratio {c['ratio']}x (target <= 2)"
    )
    print(
        f"  CPU: pandas.read_csv {c['pandas_read_csv_cpu_s']} s, koppel {c['koppel_daily_entries_cpu_s']} s, "
        f"ratio {c['cpu_ratio']}x (medians of {args.repeat} after {args.warmup} warm-up)"
    )
    print(
        f"XLSX {x['rows']:,} rows: openpyxl read-only {x['openpyxl_read_only_s']} s, calamine {x['calamine_s']} s, "
        f"koppel -> {x['entries']} entries {x['koppel_entries_s']} s "
        f"({x['ratio_vs_openpyxl']}x openpyxl, {x['ratio_vs_calamine']}x calamine)"
    )
    print(f"load average at start: {results['load_average']:.1f}")


if __name__ == "__main__":
    main()
