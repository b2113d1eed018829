"""Convert benchmark (issue 3): the synthetic auditfile -> Minox, Asperion, AccountView, Cash, against the lxml floor.

Each contender runs in a fresh subprocess (its own peak RSS), rounds interleaved so machine noise hits all
alike. Reported per contender: median wall and CPU seconds, MB/s of input, peak RSS, ratio to the floor.
"read" is koppel's reading alone, so the cost of writing is visible as convert minus read.

koppel runs as `koppel convert` does by default: a large auditfile is parsed on all cores (``--workers auto``);
``--workers 1`` measures one process. CPU seconds include the worker processes; peak RSS is the larger of the
main process and one worker.

    .venv/bin/python bench/bench_convert.py                      # 1.2M lines (~300 MB), 3 rounds
    .venv/bin/python bench/bench_convert.py --workers 1          # koppel in one process
    .venv/bin/python bench/bench_convert.py --lines 200000 --rounds 3 --only floor,minox
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import MEASURED_PRELUDE, ROOT, run_measured, synthetic_file

PRELUDE = MEASURED_PRELUDE + """
workers = None if sys.argv[-1] == "auto" else int(sys.argv[-1])
"""

FLOOR = (
    PRELUDE
    + """
from lxml import etree
t0, c0 = time.perf_counter(), time.process_time()
n = 0
for _ev, el in etree.iterparse(path, events=("end",), tag="{*}trLine"):
    row = tuple(c.text for c in el)
    n += 1
    el.clear()
    while el.getprevious() is not None:
        del el.getparent()[0]
done(n, t0, c0)
"""
)

READ = (
    PRELUDE
    + """
from koppel.registry import read_input
t0, c0 = time.perf_counter(), time.process_time()
adm = read_input(path, workers=workers)
done(adm.stats.lines, t0, c0)
"""
)

CONVERT = (
    PRELUDE
    + """
from koppel.pipeline import convert
target, out = sys.argv[2], sys.argv[3]
t0, c0 = time.perf_counter(), time.process_time()
result = convert(path, target, out, options={"entry_numbers": "renumber"}, reader_options={"workers": workers})
done(result.control["counts"]["lines"][1], t0, c0, equal=result.equal)
"""
)

TARGETS = ("minox", "asperion", "accountview", "cash")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated: floor, read, minox, asperion, accountview, cash")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--workers", default="auto", help="koppel's reading processes: auto (default) or N")
    args = parser.parse_args()
    path = synthetic_file(args.lines)
    mb = path.stat().st_size / 1e6
    names = ["floor", "read", *TARGETS]
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    runs: dict[str, list[dict]] = {n: [] for n in names}
    work = Path(tempfile.mkdtemp(prefix="koppel-bench-"))
    try:
        for r in range(args.rounds):
            for name in names:
                if name == "floor":
                    res = run_measured(FLOOR, str(path), args.workers)
                elif name == "read":
                    res = run_measured(READ, str(path), args.workers)
                else:
                    out = work / f"{name}-{r}"
                    res = run_measured(CONVERT, str(path), name, str(out), args.workers)
                    shutil.rmtree(out, ignore_errors=True)
                runs[name].append(res)
                line = f"{res['wall']:7.1f} s wall {res['cpu']:6.1f} s cpu {res['rss_mb']:5.0f} MB"
                print(f"round {r + 1} {name:<12} {line}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    floor = statistics.median(x["wall"] for x in runs["floor"]) if "floor" in runs else None
    rows = []
    for name, values in runs.items():
        wall = statistics.median(x["wall"] for x in values)
        rows.append(
            {
                "contender": name,
                "file_mb": round(mb, 1),
                "lines": values[0]["lines"],
                "wall_s": round(wall, 2),
                "cpu_s": round(statistics.median(x["cpu"] for x in values), 2),
                "mb_per_s": round(mb / wall, 1),
                "peak_rss_mb": round(max(x["rss_mb"] for x in values)),
                "x_floor": round(wall / floor, 2) if floor else None,
                "money_equal": all(x.get("equal", True) for x in values),
            }
        )
    cpu_floor = statistics.median(x["cpu"] for x in runs["floor"]) if "floor" in runs else None
    for row in rows:
        row["cpu_x_floor"] = round(row["cpu_s"] / cpu_floor, 2) if cpu_floor else None
    print(f"{'contender':<12} {'wall s':>8} {'cpu s':>8} {'MB/s':>7} {'peak MB':>8} {'x floor':>8} {'cpu x':>6}")
    for row in rows:
        print(
            f"{row['contender']:<12} {row['wall_s']:>8} {row['cpu_s']:>8} {row['mb_per_s']:>7} "
            f"{row['peak_rss_mb']:>8} {row['x_floor'] if row['x_floor'] is not None else '-':>8} "
            f"{row['cpu_x_floor'] if row['cpu_x_floor'] is not None else '-':>6}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"file": str(path.relative_to(ROOT)), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
