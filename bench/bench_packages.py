"""Benchmark: convert the cached synthetic auditfile to the package targets of issue 8.

Each conversion runs in a fresh Python process that reports its wall seconds and peak RSS. King and SnelStart
need numeric relation numbers, so a mapping renumbers them (as a user's mapping file would).

    .venv/bin/python bench/bench_packages.py [--lines 200000] [--targets exact-online,twinfield,king]

Writes bench/results/packages.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import ROOT, run_measured, synthetic_file

CODE = """
import json, sys, time, resource
from koppel.pipeline import convert
start = time.perf_counter()
opts = json.loads(sys.argv[4])
r = convert(sys.argv[1], sys.argv[2], sys.argv[3], mapping=opts.pop("mapping", None), options=opts)
seconds = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "cpu": use.ru_utime + use.ru_stime, "rss_mb": use.ru_maxrss / 1024,
                  "equal": r.equal, "lines": r.control["counts"]["lines"]}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--targets", default="exact-online,twinfield,king,afas,exact-globe,snelstart,multivers")
    args = parser.parse_args()
    source = synthetic_file(args.lines)
    mb = source.stat().st_size / 1e6
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        mapping = Path(tmp) / "numbers.toml"
        sys_path = str(ROOT)
        run_measured(
            "import sys; sys.path.insert(0, sys.argv[3]); from koppel.xaf import read_xaf; "
            "from tests.package_helpers import numeric_mapping; import json; "
            "numeric_mapping(read_xaf(sys.argv[1]), __import__('pathlib').Path(sys.argv[2]), journals=True); "
            "print(json.dumps({}))",
            str(source), str(mapping), sys_path,
        )  # fmt: skip
        for target in args.targets.split(","):
            opts: dict = {"office": "1", "entry_numbers": "renumber", "truncate": True}
            if target in ("king", "snelstart", "exact-globe", "multivers"):
                opts["mapping"] = str(mapping)
            out = Path(tmp) / target
            res = run_measured(CODE, str(source), target, str(out), json.dumps(opts))
            res["mb_per_s"] = mb / res["seconds"]
            results[target] = res
            print(f"{target:<14} {res['seconds']:7.1f} s wall {res['cpu']:7.1f} s CPU {res['mb_per_s']:6.1f} MB/s"
                  f"  peak RSS {res['rss_mb']:6.0f} MB"
                  f"  money equal {res['equal']}  lines {res['lines']}")  # fmt: skip
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "packages.json").write_text(json.dumps({"file_mb": mb, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
