"""MT940: koppel's own reader against the ``mt-940`` package, on one large generated statement.

    .venv/bin/python bench/bench_mt940.py [--transactions 100000] [--repeat 5]

The statement has the shape of ING's (SWIFT blocks, ``/TRCD/`` line, structured ``:86:`` over two lines), so
both readers can read it. Contenders, each in a fresh process (``common.run_measured``), rounds interleaved:

* ``mt-940 parse``: ``mt940.parse`` alone (no counterparty or text taken out of ``:86:``) — what a
  pre-processing step in front of the package could at best cost;
* ``koppel read``: :func:`koppel.sources.banks.mt940_frames`, the rows koppel books (dates, cents,
  counterparty, text, line numbers, balance check), as frames.

Wall and CPU seconds, median of ``--repeat`` rounds; µs per transaction; peak RSS.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics

from common import DATA, MEASURED_PRELUDE, run_measured

PACKAGE = (
    MEASURED_PRELUDE
    + """
import mt940
t0, c0 = time.perf_counter(), time.process_time()
n = len(mt940.parse(path))
done(n, t0, c0)
"""
)
KOPPEL = (
    MEASURED_PRELUDE
    + """
from pathlib import Path
from koppel.sources.banks import mt940_frames
t0, c0 = time.perf_counter(), time.process_time()
n = sum(len(frame) for frame in mt940_frames(Path(path)))
done(n, t0, c0)
"""
)


def statement(transactions: int, seed: int = 1) -> str:
    """A one-statement ING-shaped MT940 file of ``transactions`` lines (cached in bench/data)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"ing_{transactions}_s{seed}.sta"
    if path.exists():
        return str(path)
    rng = random.Random(seed)
    lines = ["{1:F01INGBNL2ABXXX0000000000}", "{2:I940INGBNL2AXXXN}", "{4:", ":20:P240301000000001",
             ":25:NL20INGB0001234567EUR", ":28C:00000", ":60F:C240229EUR0,00"]  # fmt: skip
    balance = 0
    for i in range(transactions):
        mark, cents = rng.choice("CD"), rng.randint(1, 999_999)
        balance += cents if mark == "C" else -cents
        lines += [
            f":61:2403010301{mark}{cents // 100},{cents % 100:02d}NTRFNONREF//{i:014d}",
            "/TRCD/00100/",
            f":86:/EREF/E2E{i}//CNTP/NL44RABO0123456789/RABONL2U/Bakkerij de Vries {i}///REMI/USTD//Factuur",
            f" 2024-{i} omschrijving van de betaling/",
        ]
    mark = "C" if balance >= 0 else "D"
    lines += [f":62F:{mark}240301EUR{abs(balance) // 100},{abs(balance) % 100:02d}", "-}"]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text("\r\n".join(lines) + "\r\n", encoding="ascii")
    os.replace(tmp, path)
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = statement(args.transactions)
    results: dict[str, list[dict]] = {"mt-940 parse": [], "koppel read": []}
    for _ in range(args.repeat):
        for name, code in (("mt-940 parse", PACKAGE), ("koppel read", KOPPEL)):
            results[name].append(run_measured(code, path))
    print(f"{args.transactions} transactions, {os.path.getsize(path) / 1e6:.1f} MB, median of {args.repeat}")
    base = statistics.median(r["wall"] for r in results["mt-940 parse"])
    for name, runs in results.items():
        assert all(r["lines"] == args.transactions for r in runs), name
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        rss = max(r["rss_mb"] for r in runs)
        per = wall / args.transactions * 1e6
        print(f"{name:<14} wall {wall:6.2f} s  cpu {cpu:6.2f} s  {per:6.1f} µs/tx  rss {rss:6.0f} MB  "
              f"ratio {wall / base:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
