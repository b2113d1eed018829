"""ADF reading benchmark (issue 24): koppel vs pyxaf on the same synthetic CLAIR1.00.00 auditfile.

The file comes from koppel's ADF generator (known totals) and is cached in bench/data/. Each contender
runs in a fresh subprocess, rounds interleaved; reported: median wall and CPU seconds, lines/s, MB/s and
peak RSS, and koppel's time as a share of pyxaf's.

    .venv/bin/python bench/bench_adf_read.py                     # 100,000 mutation lines, 3 rounds
    .venv/bin/python bench/bench_adf_read.py --lines 400000 --rounds 5
    .venv/bin/python bench/bench_adf_read.py --only koppel
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DATA, MEASURED_PRELUDE, run_measured

CONTENDERS = {
    # koppel: the whole Administration (accounts, relations, journals, lines spooled in typed batches).
    "koppel": MEASURED_PRELUDE
    + """
from koppel.adf import read_adf
t0, c0 = time.perf_counter(), time.process_time()
adm = read_adf(path)
done(adm.stats.lines, t0, c0, debit=adm.stats.debit)
""",
    # pyxaf 0.2: its ADF reader, every transaction line visited.
    "pyxaf": MEASURED_PRELUDE
    + """
import pyxaf
t0, c0 = time.perf_counter(), time.process_time()
af = pyxaf.open(path)
n = 0
debit = 0
for tx in af.transactions():
    for line in tx.lines:
        n += 1
        debit += line.debit or 0
done(n, t0, c0, debit=int(debit * 100))
""",
}


def adf_file(lines: int, seed: int = 11) -> Path:
    from koppel.adf.synthetic import write_synthetic_adf

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"synthetic_adf_{lines}_s{seed}.adf"
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        write_synthetic_adf(tmp, lines=lines, seed=seed)
        os.replace(tmp, path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", choices=sorted(CONTENDERS))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    path = adf_file(args.lines)
    names = [args.only] if args.only else list(CONTENDERS)
    if "pyxaf" in names and importlib.util.find_spec("pyxaf") is None:
        names.remove("pyxaf")
    runs: dict[str, list[dict]] = {n: [] for n in names}
    for _ in range(args.rounds):
        for name in names:
            runs[name].append(run_measured(CONTENDERS[name], str(path)))
    size_mb = path.stat().st_size / 1e6
    out = {"file": path.name, "size_mb": round(size_mb, 1), "results": {}}
    for name, rs in runs.items():
        wall = statistics.median(r["wall"] for r in rs)
        out["results"][name] = {
            "lines": rs[0]["lines"], "debit_cents": rs[0]["debit"], "wall_s": round(wall, 2),
            "cpu_s": round(statistics.median(r["cpu"] for r in rs), 2),
            "lines_per_s": round(rs[0]["lines"] / wall), "mb_per_s": round(size_mb / wall, 1),
            "peak_rss_mb": round(max(r["rss_mb"] for r in rs)),
        }  # fmt: skip
    if "koppel" in out["results"] and "pyxaf" in out["results"]:
        k, p = out["results"]["koppel"], out["results"]["pyxaf"]
        out["koppel_vs_pyxaf"] = round(k["wall_s"] / p["wall_s"], 2)
        out["same_debit"] = k["debit_cents"] == p["debit_cents"] and k["lines"] == p["lines"]
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"{out['file']} ({out['size_mb']} MB), median of {args.rounds} rounds")
    for name, r in out["results"].items():
        print(f"  {name:8} {r['wall_s']:7.2f} s wall {r['cpu_s']:7.2f} s cpu {r['lines_per_s']:>9,} lines/s"
              f" {r['mb_per_s']:6.1f} MB/s  peak RSS {r['peak_rss_mb']} MB")  # fmt: skip
    if "koppel_vs_pyxaf" in out:
        print(f"  koppel/pyxaf wall: {out['koppel_vs_pyxaf']}  same lines and debit total: {out['same_debit']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
