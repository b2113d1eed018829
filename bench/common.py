"""Shared helpers for the benchmarks: the cached synthetic auditfile and peak-RSS measurement."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT))

# The start of a contender's code (run by run_measured): ``path`` is its first argument, and ``done`` prints
# its JSON result. CPU seconds and peak RSS count its child processes (the parallel reader's workers): the
# CPU of all of them, the peak RSS of the largest.
MEASURED_PRELUDE = """
import gc, json, resource, sys, time
path = sys.argv[1]
def done(lines, t0, c0, **extra):
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, kids.ru_maxrss)
    print(json.dumps({"lines": lines, "wall": time.perf_counter() - t0,
                      "cpu": time.process_time() - c0 + kids.ru_utime + kids.ru_stime,
                      "rss_mb": rss / 1024, **extra}))
"""


def synthetic_file(lines: int = 1_200_000, version: str = "3.2", seed: int = 1) -> Path:
    """The cached synthetic auditfile (~250 MB for 1.2M lines of 3.2); made atomically on first use."""
    from koppel.synthetic import write_synthetic_xaf

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"synthetic_{version}_{lines}_s{seed}.xaf"
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        write_synthetic_xaf(tmp, lines=lines, version=version, seed=seed)
        os.replace(tmp, path)
    return path


def run_measured(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh python; return its JSON result plus wall seconds and peak RSS (MB).

    The child prints one JSON object on its last stdout line.
    """
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.setdefault("wall", wall)
    return result


def peak_rss_mb() -> float:
    """Peak RSS of this process in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median(values: list[float]) -> float:
    return statistics.median(values)
