"""What a command costs as the user runs it: wall, CPU and peak RSS of the whole process tree.

Each round runs the real ``koppel`` command (a fresh process) on the synthetic 1.2M-line auditfile, once with
the default reader and once per ``--workers N`` asked for (default N = 1), the order rotating from round to
round so that machine noise hits all of them alike.
Peak RSS is the sum over the process tree (the command and every worker it starts), sampled every 50 ms;
CPU seconds are the command's own plus those of the workers it waited for (``wait4``).

    .venv/bin/python bench/bench_tree.py                          # inspect, export, check, convert; 3 rounds
    .venv/bin/python bench/bench_tree.py --only inspect --rounds 5 --other 1,2   # default vs 1 and 2 readers
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from common import ROOT, synthetic_file

KOPPEL = str(Path(sys.executable).with_name("koppel"))

COMMANDS = {
    "inspect": ["inspect", "{file}"],
    "export": ["export", "{file}", "--format", "parquet", "-o", "{out}/tables"],
    "check": ["check", "{file}", "-q"],
    "convert": ["convert", "{file}", "--to", "minox", "-o", "{out}/minox", "--option", "entry_numbers=renumber"],
}


READS_IN_PARALLEL = ("inspect", "export", "convert")  # check parses in its own process (+ one XSD process)


def tree_rss(proc: psutil.Process) -> int:
    """RSS of ``proc`` and all its descendants, in bytes (a process that just ended counts 0)."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            total += p.memory_info().rss
    return total


def measure(argv: list[str], interval: float = 0.05) -> dict:
    """Run ``koppel argv``; wall seconds, CPU seconds of the tree and its sampled peak RSS (MB)."""
    start = time.perf_counter()
    popen = subprocess.Popen([KOPPEL, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proc = psutil.Process(popen.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, tree_rss(proc))
            except psutil.NoSuchProcess:
                return
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(popen.pid, 0)  # usage includes the workers the command waited for
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    popen.returncode = os.waitstatus_to_exitcode(status)
    stderr = popen.stderr.read().decode("utf-8", "replace") if popen.stderr else ""
    if popen.returncode != 0 and not (popen.returncode == 1 and argv[0] == "check"):
        raise RuntimeError(f"koppel {' '.join(argv)} exited {popen.returncode}: {stderr[-1000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "tree_peak_mb": peak / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default=",".join(COMMANDS), help="commands to measure, comma-separated")
    parser.add_argument("--other", default="1", help="--workers values compared with the default, e.g. 1,2")
    args = parser.parse_args()
    path = synthetic_file(args.lines)
    size_mb = path.stat().st_size / 1e6
    others = [n for n in args.other.split(",") if n and n != "none"]
    variants = {"default": [], **{f"--workers {n}": ["--workers", n] for n in others}}
    results: dict[str, dict[str, list[dict]]] = {}
    load = os.getloadavg()
    print(f"{path.name}: {size_mb:.0f} MB, {os.cpu_count()} cores, load {load[0]:.1f} at the start", flush=True)
    for command in args.only.split(","):
        mine = {k: v for k, v in variants.items() if not v or command in READS_IN_PARALLEL}
        results[command] = {name: [] for name in mine}
        for rnd in range(args.rounds):
            order = list(mine.items())
            order = order[rnd % len(order) :] + order[: rnd % len(order)]  # A B C, B C A, ...: each goes first
            for name, extra in order:
                out = Path(tempfile.mkdtemp(prefix="koppel-bench-"))
                try:
                    argv = [a.format(file=path, out=out) for a in COMMANDS[command]] + extra
                    r = measure(argv)
                finally:
                    shutil.rmtree(out, ignore_errors=True)
                results[command][name].append(r)
                print(f"  {command:<8} {name:<12} round {rnd + 1}: {r['wall']:6.1f} s wall {r['cpu']:6.1f} s CPU "
                      f"{r['tree_peak_mb']:6.0f} MB tree peak", flush=True)
    print(f"\nmedians of {args.rounds} alternated rounds (load {os.getloadavg()[0]:.1f} at the end)")
    print(f"{'command':<9} {'readers':<12} {'wall s':>7} {'CPU s':>7} {'tree peak MB':>13} {'wall/default':>14}")
    summary = {}
    for command, by_variant in results.items():
        med = {
            name: {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "tree_peak_mb")}
            for name, runs in by_variant.items()
        }
        base = med["default"]
        if command not in READS_IN_PARALLEL:
            print(f"{command:<9} {'(one process; --workers does not apply)'}")
        for name, m in med.items():
            ratio = f"{m['wall'] / base['wall']:.2f}x" if name != "default" else "1.00x"
            print(f"{command:<9} {name:<12} {m['wall']:7.1f} {m['cpu']:7.1f} {m['tree_peak_mb']:13.0f} {ratio:>14}")
        summary[command] = {"medians": med, "runs": by_variant}
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (results_dir / f"tree-{stamp}.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
