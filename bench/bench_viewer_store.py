"""Benchmark: which embedded engine should hold what ``koppel serve``'s viewer (Browse) queries?

The lines of the cached 1.2M-line synthetic auditfile (bench/common.synthetic_file) are read once with koppel
and kept as an Arrow file; then each engine builds the viewer's store from it (lines, ledger cards with running
balances, entries per journal, relation cards, trial balance) and answers the viewer's queries. Every engine runs
in its own fresh process, so its load time and peak RSS are its own.

    .venv/bin/python bench/bench_viewer_store.py [--repeat 15] [--lines 1200000] [--engines sqlite,duckdb,parquet]

Contenders: SQLite (stdlib; indexes and WITHOUT ROWID tables clustered on the page keys), DuckDB (columnar,
tables ordered on the page keys so zone maps prune, ART index for point look-ups) and Parquet read with pyarrow
(files sorted on the page keys, row-group statistics prune; text search scans the columns). The ``sqlite`` engine
is koppel's own store (koppel/web/store.py); the other two are written here with the same queries.

Writes bench/results/viewer_store.json and prints load seconds, store size, peak RSS and, per query, the median
milliseconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from common import DATA, ROOT, run_measured, synthetic_file

RESULTS = ROOT / "bench" / "results"

# The lines of the auditfile as the viewer needs them, made once per file (reading XAF is not what is compared).
PREPARE = """
import sys, time, json
sys.path.insert(0, "bench")
from pathlib import Path
import pyarrow as pa, pyarrow.ipc as ipc
from koppel.registry import read_input
from koppel.web.store import arrow_lines
src, dst = sys.argv[1], Path(sys.argv[2])
t0 = time.perf_counter()
adm = read_input(src)
tmp = dst.with_suffix(".part")
writer = None
for batch in arrow_lines(adm):
    if writer is None:
        writer = ipc.new_file(str(tmp), batch.schema)
    writer.write_batch(batch)
writer.close()
tmp.replace(dst)
print(json.dumps({"read_seconds": time.perf_counter() - t0, "lines": adm.stats.lines}))
"""

# The body each engine runs in a fresh process: build, then time the viewer's queries.
RUN = """
import gc, json, resource, sys, time, statistics, shutil
sys.path.insert(0, "bench")
from pathlib import Path
import pyarrow.ipc as ipc
import viewer_engines
engine, lines_file, folder, repeat = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
shutil.rmtree(folder, ignore_errors=True)
folder.mkdir(parents=True)
t0 = time.perf_counter()
store = viewer_engines.ENGINES[engine](folder)
reader = ipc.open_file(lines_file)
store.load(reader.get_batch(i) for i in range(reader.num_record_batches))
load = time.perf_counter() - t0
size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
t1 = time.perf_counter()
store = viewer_engines.ENGINES[engine](folder)  # reopen, as a second visit does
reopen = time.perf_counter() - t1
times = {}
answers = {}
for name, query in viewer_engines.queries(store):
    runs = []
    for _ in range(repeat):
        s = time.perf_counter()
        answer = query()
        runs.append((time.perf_counter() - s) * 1000)
    times[name] = statistics.median(runs)
    times[name + " (max)"] = max(runs)
    answers[name] = answer
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load": load, "reopen_ms": reopen * 1000, "size_mb": size / 1e6, "rss_mb": rss,
                  "ms": times, "answers": answers}, default=str))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_200_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--engines", default="sqlite,sqlite-like,duckdb,parquet")
    args = parser.parse_args()
    source = synthetic_file(args.lines)
    lines_file = DATA / f"viewer_lines_{args.lines}.arrow"
    prepared = {}
    if not lines_file.exists():
        prepared = run_measured(PREPARE, str(source), str(lines_file))
        print(f"read {source.name} with koppel: {prepared['read_seconds']:.1f} s, {prepared['lines']:,} lines")
    results = {}
    for engine in args.engines.split(","):
        folder = DATA / f"viewer_store_{engine}"
        out = run_measured(RUN, engine, str(lines_file), str(folder), str(args.repeat))
        results[engine] = out
        print(f"\n{engine}: load {out['load']:.1f} s, reopen {out['reopen_ms']:.0f} ms, "
              f"store {out['size_mb']:.0f} MB, peak RSS {out['rss_mb']:.0f} MB")
        for name, ms in out["ms"].items():
            if not name.endswith("(max)"):
                print(f"  {name:<34} {ms:8.1f} ms  (max {out['ms'][name + ' (max)']:.1f})")
    engines = list(results)
    first = results[engines[0]]["answers"]
    for engine in engines[1:]:  # the engines must agree, or the timing means nothing
        for name, answer in results[engine]["answers"].items():
            if answer != first[name]:
                print(f"! {engine} answers {name!r} differently from {engines[0]}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    payload = {"when": stamp, "lines": args.lines, "repeat": args.repeat, "prepared": prepared, "engines": results}
    (RESULTS / "viewer_store.json").write_text(json.dumps(payload, indent=2, default=str))
    worst = {e: max(v for k, v in r["ms"].items() if not k.endswith("(max)")) for e, r in results.items()}
    print("\nslowest median query per engine: " + ", ".join(f"{e} {ms:.0f} ms" for e, ms in worst.items()))
    print(f"(medians of {args.repeat}, one fresh process per engine; results in {RESULTS})")


if __name__ == "__main__":
    sys.exit(main())
