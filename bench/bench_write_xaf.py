"""Benchmark: write 1.2M lines as XAF 4.0 and 3.2, with and without XSD validation.

Source: the cached synthetic 3.2 auditfile (bench/common.py). Each configuration runs in a fresh process
(read, then write); the write is timed on its own, peak RSS is the child's (ru_maxrss, read included).
Also times the streaming validation alone, and the same write into split files.

    .venv/bin/python bench/bench_write_xaf.py [--lines 1200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys

from common import ROOT, median, run_measured, synthetic_file

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, ".")
from converters.xaf import read_xaf
from converters.xaf.schema import validate_file
from converters.xaf.writer import write_xaf
src, version, validate, out, split = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4], sys.argv[5]
t = time.perf_counter(); adm = read_xaf(src); read_s = time.perf_counter() - t
t = time.perf_counter()
result = write_xaf(adm, out, version, validate=validate, split_mb=float(split) or None)
write_s = time.perf_counter() - t
size = sum(os.path.getsize(p) for p in result.paths)
t = time.perf_counter(); validate_file(result.paths[0], version) if len(result.paths) == 1 else None
validate_s = time.perf_counter() - t
for p in result.paths:
    os.unlink(p)
print(json.dumps({"read_s": read_s, "write_s": write_s, "validate_s": validate_s, "mb": size / 1e6,
                  "parts": len(result.paths), "lines": result.lines,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CONFIGS = [("4.0", False, 0), ("4.0", True, 0), ("3.2", False, 0), ("3.2", True, 0), ("4.0", True, 100)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = synthetic_file(args.lines, "3.2")
    out_dir = ROOT / "bench" / "data"
    results = {}
    for version, validate, split in CONFIGS:
        runs = []
        for _ in range(args.repeat):
            out = out_dir / f"bench_write_{version}.xaf"
            runs.append(run_measured(CHILD, str(source), version, "1" if validate else "0", str(out), str(split)))
        write_s = median([r["write_s"] for r in runs])
        mb = runs[0]["mb"]
        name = f"xaf{version} validate={'yes' if validate else 'no'}" + (f" split={split}MB" if split else "")
        results[name] = {
            "lines": runs[0]["lines"],
            "write_s_median": round(write_s, 1),
            "write_s_all": [round(r["write_s"], 1) for r in runs],
            "mb": round(mb, 1),
            "mb_per_s": round(mb / write_s, 1),
            "lines_per_s": round(runs[0]["lines"] / write_s),
            "validate_alone_s_median": round(median([r["validate_s"] for r in runs]), 1),
            "read_s_median": round(median([r["read_s"] for r in runs]), 1),
            "peak_rss_mb_median": round(median([r["rss_mb"] for r in runs])),
            "parts": runs[0]["parts"],
        }
        print(name, json.dumps(results[name]), flush=True)
    base = results["xaf4.0 validate=no"]["write_s_median"]
    for r in results.values():
        r["ratio_to_40_no_validation"] = round(r["write_s_median"] / base, 2)
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
