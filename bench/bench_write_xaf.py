"""Benchmark: write 1.2M lines as XAF 4.0 and 3.2, with and without XSD validation.

Source: the cached synthetic 3.2 auditfile (bench/common.py). Each repeat is a fresh process that reads the
source once, then writes every configuration in turn; each write is timed on its own and its peak RSS is
measured by resetting the process's high-water mark (/proc/self/clear_refs) before it. Also times the
streaming validation alone, and the same write into split files.

    .venv/bin/python bench/bench_write_xaf.py [--lines 1200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys

from common import ROOT, median, run_measured, synthetic_file

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, ".")
from koppel.xaf import read_xaf
from koppel.xaf.schema import validate_file
from koppel.xaf.writer import write_xaf

def hwm_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

def reset_hwm():  # Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) of this process
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")

src, out, configs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
t = time.perf_counter(); adm = read_xaf(src); read_s = time.perf_counter() - t
result = {"read_s": read_s, "after_read_mb": hwm_mb(), "configs": {}}
for version, validate, split in configs:
    reset_hwm()
    base = hwm_mb()
    t = time.perf_counter()
    written = write_xaf(adm, out, version, validate=validate, split_mb=split or None)
    write_s = time.perf_counter() - t
    peak = hwm_mb()
    size = sum(os.path.getsize(p) for p in written.paths)
    validate_s = None
    if len(written.paths) == 1:
        t = time.perf_counter(); validate_file(written.paths[0], version); validate_s = time.perf_counter() - t
    for p in written.paths:
        os.unlink(p)
    result["configs"][f"{version}|{validate}|{split}"] = {
        "write_s": write_s, "validate_s": validate_s, "mb": size / 1e6, "parts": len(written.paths),
        "lines": written.lines, "peak_mb": peak, "rss_before_mb": base}
print(json.dumps(result))
"""

CONFIGS = [("4.0", False, 0), ("4.0", True, 0), ("3.2", False, 0), ("3.2", True, 0), ("4.0", True, 100)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = synthetic_file(args.lines, "3.2")
    out = ROOT / "bench" / "data" / "bench_write.xaf"
    runs = []
    for i in range(args.repeat):
        runs.append(run_measured(CHILD, str(source), str(out), json.dumps(CONFIGS)))
        print(f"run {i + 1}:", json.dumps(runs[-1]), file=sys.stderr, flush=True)
    results = {
        "source": source.name,
        "read_s_median": round(median([r["read_s"] for r in runs]), 1),
        "rss_after_read_mb_median": round(median([r["after_read_mb"] for r in runs])),
        "child_peak_rss_mb_median": round(median([r["rss_mb"] for r in runs])) if "rss_mb" in runs[0] else None,
    }
    base = None
    for version, validate, split in CONFIGS:
        key = f"{version}|{validate}|{split}"
        rs = [r["configs"][key] for r in runs]
        write_s = median([r["write_s"] for r in rs])
        base = base or write_s
        name = f"xaf{version} validate={'yes' if validate else 'no'}" + (f" split={split}MB" if split else "")
        vals = [r["validate_s"] for r in rs if r["validate_s"] is not None]
        results[name] = {
            "lines": rs[0]["lines"],
            "write_s_median": round(write_s, 1),
            "write_s_all": [round(r["write_s"], 1) for r in rs],
            "mb": round(rs[0]["mb"], 1),
            "mb_per_s": round(rs[0]["mb"] / write_s, 1),
            "lines_per_s": round(rs[0]["lines"] / write_s),
            "validate_alone_s_median": round(median(vals), 1) if vals else None,
            "peak_rss_during_write_mb_median": round(median([r["peak_mb"] for r in rs])),
            "rss_before_write_mb_median": round(median([r["rss_before_mb"] for r in rs])),
            "parts": rs[0]["parts"],
            "ratio_to_first": round(write_s / base, 2),
        }
        print(name, json.dumps(results[name]), flush=True)
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
