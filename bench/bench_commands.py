"""A/B of whole koppel commands on the 1.2M-line synthetic auditfile: wall, CPU and peak RSS of the process tree.

Two source trees run the same CLI commands in fresh processes, rounds alternated (A, B, A, B, ...) so that the
machine's noise hits both alike. ``--base`` is a checkout of the tree to compare with, e.g. made by
``git archive main | tar -x -C /tmp/koppel-main``; it runs with this venv's Python (same dependencies).
Peak RSS is that of the whole process tree (main process + parallel reader workers, sampled every 20 ms);
CPU seconds are those of the tree (user + system, children included).

    .venv/bin/python bench/bench_commands.py --base /tmp/koppel-main --rounds 3
    .venv/bin/python bench/bench_commands.py --base /tmp/koppel-main --this /tmp/koppel-branch  # both exported
    .venv/bin/python bench/bench_commands.py --base /tmp/koppel-main --only xaf40,minox --lines 200000
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, synthetic_file

COMMANDS = {
    "inspect": ["inspect", "{src}", "--json"],
    "check": ["check", "{src}"],  # with the XSD layer (the default)
    "minox": ["convert", "{src}", "--to", "minox", "-o", "{out}/minox"],
    "xaf40": ["convert", "{src}", "--to", "xaf40", "-o", "{out}/out.xaf"],
}


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # a worker that ended between listing and reading
            total += p.memory_info().rss
    return total


def run(tree: Path, name: str, src: Path) -> dict:
    """One command in a fresh process tree; its wall, CPU and peak RSS, and its exit code."""
    out = Path(tempfile.mkdtemp(prefix="koppel-bench-"))
    argv = [a.format(src=src, out=out) for a in COMMANDS[name]]
    code = f"import sys; sys.argv = ['koppel', *{argv!r}]; from koppel.cli import main; sys.exit(main())"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tree, env=env, stdout=subprocess.DEVNULL)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, _tree_rss(ps))
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    after = os.times()
    shutil.rmtree(out, ignore_errors=True)
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu, "rss_mb": peak / 2**20, "rc": proc.returncode}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, required=True, help="the source tree to compare with (A)")
    ap.add_argument("--this", type=Path, default=ROOT, help="the source tree measured (B; default: this checkout)")
    ap.add_argument("--lines", type=int, default=1_200_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default=",".join(COMMANDS))
    args = ap.parse_args()
    src = synthetic_file(args.lines)
    trees = {"base": args.base.resolve(), "this": args.this.resolve()}
    names = args.only.split(",")
    results: dict[tuple[str, str], list[dict]] = {}
    for r in range(args.rounds):
        for name in names:
            order = ("base", "this") if r % 2 == 0 else ("this", "base")
            for label in order:
                res = run(trees[label], name, src)
                results.setdefault((name, label), []).append(res)
                print(f"round {r + 1} {name:8} {label:5} wall {res['wall']:6.1f} s  cpu {res['cpu']:6.1f} s  "
                      f"rss {res['rss_mb']:6.0f} MB  rc {res['rc']}", flush=True)
    print(f"\n{src.name}, {args.rounds} rounds alternated; medians (base -> this)")
    print("| command | wall base | wall this | ratio | CPU base | CPU this | peak RSS base | peak RSS this |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        a, b = results[(name, "base")], results[(name, "this")]

        def med(rs, key):
            return statistics.median(x[key] for x in rs)

        wa, wb = med(a, "wall"), med(b, "wall")
        print(f"| {name} | {wa:.1f} s | {wb:.1f} s | {wa / wb:.2f}× | {med(a, 'cpu'):.1f} s | {med(b, 'cpu'):.1f} s | "
              f"{med(a, 'rss_mb'):.0f} MB | {med(b, 'rss_mb'):.0f} MB |")


if __name__ == "__main__":
    main()
