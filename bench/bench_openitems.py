"""Open-items benchmark (issue 9): read + subledger pass + matching + report, against reading alone.

Each step runs in a fresh subprocess so peak RSS is its own. Reported: wall and CPU seconds, peak RSS,
postings on the control accounts and open items.

    .venv/bin/python bench/bench_openitems.py                  # 250k lines (~60 MB)
    .venv/bin/python bench/bench_openitems.py --lines 1200000  # the ~250 MB file of the other benchmarks
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import run_measured, synthetic_file

PRELUDE = """
import json, resource, sys, time, tempfile
from pathlib import Path
path = sys.argv[1]
t0, c0 = time.perf_counter(), time.process_time()
def done(**extra):
    print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))
"""

STEPS = {
    "read_xaf": PRELUDE
    + """
from koppel.xaf import read_xaf
adm = read_xaf(path)
done(lines=adm.stats.lines)
""",
    "openitems": PRELUDE
    + """
from koppel.xaf import read_xaf
from koppel.openitems.engine import compute_open_items
from koppel.openitems.output import write_report
adm = read_xaf(path, subledgers=True)
result = compute_open_items(adm, subledgers=adm.subledgers)
with tempfile.TemporaryDirectory() as tmp:
    write_report(result, Path(tmp) / "open.csv")
done(lines=adm.stats.lines, postings=len(result.postings), open_items=len(result.open_items()),
     reconciles=bool(result.reconciliation["reconciles"].all()))
""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=250_000)
    args = parser.parse_args()
    path = synthetic_file(args.lines)
    size_mb = path.stat().st_size / 1e6
    results = {name: run_measured(code, str(path)) for name, code in STEPS.items()}
    print(json.dumps({"file": str(path), "size_mb": round(size_mb, 1), **results}, indent=2))


if __name__ == "__main__":
    main()
