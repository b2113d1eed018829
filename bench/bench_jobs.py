"""Benchmark koppel run: many small drops in one run, 1 vs 2 workers vs a Dask LocalCluster.

    .venv/bin/python bench/bench_jobs.py [--drops 2000] [--repeat 1] [--no-dask]

Drops are mixed: half small XAF auditfiles (synthetic, 3.2 / 3.2.1 / 4.0, 8 lines), half POS Z-reports
(CSV, source profile pos-z), both converted to the canonical tables (target csv: the package writers
were still changing while this was measured; the job machinery around a conversion is the same).
Each configuration runs on a fresh copy of the same inbox; timings are wall seconds of
``run_job_file`` (pool start-up included; the Dask cluster's start-up is reported apart).
"Alone" converts the same files one after the other in this process with nothing around them
(no hashing, state, publishing, workers): per-file overhead = 1-worker time − alone time, per file.
The 2-worker and Dask outboxes are compared byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import DATA, ROOT  # noqa: F401  (puts the checkout on sys.path)

from koppel.atomic import deferred_fsync
from koppel.jobs import load_job_file, run_job_file
from koppel.jobs.task import convert_into

JOB = """
[[job]]
name = "xaf"
inbox = "inbox"
glob = "*.xaf"
target = "csv"

[[job]]
name = "kassa"
inbox = "inbox"
glob = "*.csv"
profile = "pos-z"
target = "csv"
"""
RATES = ((21, 2100), (9, 900), (0, 0))


def pos_csv(i: int) -> str:
    """One closed day of one register: sales per VAT rate, paid by cash and card (balanced to the cent)."""
    day = f"2025-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}"
    rows = ["date;register;closure_id;closed;kind;key;gross;net;vat"]
    total = 0
    for n, (rate, bp) in enumerate(RATES):
        gross = 1000 + (i * 7919 + n * 104729) % 250000  # cents
        vat = round(gross * bp / (10000 + bp))
        total += gross
        rows.append(
            f"{day};{i % 5 + 1:02d};Z{i:05d};Y;SALE;{rate};{gross / 100:.2f};{(gross - vat) / 100:.2f};{vat / 100:.2f}"
        )
    cash = total * 3 // 10
    rows.append(f"{day};{i % 5 + 1:02d};Z{i:05d};Y;PAYMENT;cash;{cash / 100:.2f};;")
    rows.append(f"{day};{i % 5 + 1:02d};Z{i:05d};Y;PAYMENT;pin;{(total - cash) / 100:.2f};;")
    return "\n".join(rows) + "\n"


def make_drops(n: int) -> Path:
    """The cached inbox of ``n`` mixed drops (made once, atomically)."""
    from koppel.synthetic import write_synthetic_xaf

    folder = DATA / f"jobs_drops_{n}"
    if folder.is_dir():
        return folder
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".jobs_drops.", dir=DATA))
    for i in range(n):
        if i % 2:
            (tmp / f"kassa-{i:05d}.csv").write_text(pos_csv(i), encoding="utf-8")
        else:
            write_synthetic_xaf(
                tmp / f"admin-{i:05d}.xaf", lines=8, seed=1000 + i, version=("3.2", "3.2.1", "4.0")[i % 3]
            )
    os.replace(tmp, folder)
    return folder


def fresh(work: Path, drops: Path) -> Path:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(drops, work / "inbox")
    (work / "job.toml").write_text(JOB, encoding="utf-8")
    return work / "job.toml"


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def cpu_split() -> tuple[float, float]:
    """CPU of this process, and of its reaped children (the pool's workers, once the run closed the pool)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def cpu_seconds() -> float:
    return sum(cpu_split())


COORDINATOR_CPU: dict[str, list[float]] = {}


def timed_run(job: Path, key: str = "", **kwargs) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one run (CPU is meaningless for Dask: its workers are not our children).

    The coordinator's own CPU is kept apart: it is the serial part that limits what a second worker gains.
    """
    me, kids = cpu_split()
    start = time.perf_counter()
    report = run_job_file(job, **kwargs)
    wall = time.perf_counter() - start
    me2, kids2 = cpu_split()
    COORDINATOR_CPU.setdefault(key, []).append(me2 - me)
    return wall, (me2 - me) + (kids2 - kids), report.counts()


def alone(job: Path) -> tuple[float, float]:
    """The same conversions one after the other, nothing around them."""
    jf = load_job_file(job)
    specs = {j.glob: j.spec for j in jf.jobs}
    files = sorted((job.parent / "inbox").iterdir())
    out = Path(tempfile.mkdtemp(prefix="alone.", dir=job.parent))
    start, cpu = time.perf_counter(), cpu_seconds()
    with deferred_fsync():
        for i, path in enumerate(files):
            convert_into(path, out / str(i), specs["*" + path.suffix], frozenset())
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    shutil.rmtree(out)
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drops", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    n = args.drops
    drops = make_drops(n)
    work = DATA / "jobs_work"
    results: dict[str, list[float]] = {"alone": [], "workers1": [], "workers2": [], "dask2": []}
    cpu: dict[str, list[float]] = {"alone": [], "workers1": [], "workers2": []}
    use_dask = not args.no_dask
    cluster_start = 0.0
    outboxes = {}
    for r in range(args.repeat):
        job = fresh(work, drops)
        wall, used = alone(job)
        results["alone"].append(wall)
        cpu["alone"].append(used)
        for key, kwargs in (("workers1", {"workers": 1}), ("workers2", {"workers": 2})):
            job = fresh(work, drops)
            seconds, used, counts = timed_run(job, key, **kwargs)
            assert counts == {"converted": n}, counts
            results[key].append(seconds)
            cpu[key].append(used)
            print(f"run {r + 1}: {key}: {seconds:.1f} s", file=sys.stderr)
            outboxes[key] = tree(work / "outbox")
        if use_dask:
            # The cluster lives only for its own run: its scheduler runs in this process and its idle workers
            # take CPU too, which would be charged to the pool runs.
            from distributed import LocalCluster

            t = time.perf_counter()
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
            cluster_start = time.perf_counter() - t
            try:
                job = fresh(work, drops)
                seconds, _, counts = timed_run(job, scheduler=cluster.scheduler_address)
            finally:
                cluster.close()
            assert counts == {"converted": n}, counts
            results["dask2"].append(seconds)
            print(f"run {r + 1}: dask2: {seconds:.1f} s", file=sys.stderr)
            outboxes["dask2"] = tree(work / "outbox")
    med = {k: statistics.median(v) for k, v in results.items() if v}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items() if v}
    summary = {
        "drops": n,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "median_seconds": {k: round(v, 2) for k, v in med.items()},
        "files_per_second": {k: round(n / v, 1) for k, v in med.items()},
        "speedup_2_vs_1_workers": round(med["workers1"] / med["workers2"], 2),
        "overhead_ms_per_file_1_worker": round((med["workers1"] - med["alone"]) / n * 1000, 1),
        "median_cpu_seconds": {k: round(v, 2) for k, v in med_cpu.items()},
        "cpu_overhead_ms_per_file_1_worker": round((med_cpu["workers1"] - med_cpu["alone"]) / n * 1000, 1),
        "cpu_overhead_ms_per_file_2_workers": round((med_cpu["workers2"] - med_cpu["alone"]) / n * 1000, 1),
        "coordinator_cpu_ms_per_file": {
            k: round(statistics.median(v) / n * 1000, 1) for k, v in COORDINATOR_CPU.items() if k
        },
        "outputs_equal_pool1_pool2": outboxes["workers1"] == outboxes["workers2"],
    }
    if use_dask:
        summary["speedup_dask_vs_1_worker"] = round(med["workers1"] / med["dask2"], 2)
        summary["dask_cluster_start_seconds"] = round(cluster_start, 2)
        summary["outputs_equal_pool2_dask"] = outboxes["workers2"] == outboxes["dask2"]
    print(json.dumps(summary, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
