"""Reading benchmark (issue 2): koppel vs the lxml floor vs pyxaf, on the same synthetic auditfile.

Each contender runs in a fresh subprocess (so peak RSS is its own), several rounds interleaved so
that machine noise hits all of them alike. Reported: median wall and CPU seconds, MB/s, peak RSS and
the ratios against the floor and against pyxaf.

    .venv/bin/python bench/bench_read.py                 # 1.2M lines (~300 MB), 3 rounds
    .venv/bin/python bench/bench_read.py --lines 200000 --rounds 5
    .venv/bin/python bench/bench_read.py --sizes 1200000,4800000 --only koppel   # RSS vs file size
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import MEASURED_PRELUDE, ROOT, run_measured, synthetic_file

PRELUDE = MEASURED_PRELUDE

CONTENDERS = {
    # The floor: iterparse that only pulls each trLine's child texts into tuples (elements freed as it goes).
    "lxml floor": PRELUDE
    + """
from lxml import etree
t0, c0 = time.perf_counter(), time.process_time()
root = None
n = 0
for _ev, el in etree.iterparse(path, events=("end",), tag="{*}trLine"):
    row = tuple(c.text for c in el)
    n += 1
    el.clear()
    while el.getprevious() is not None:
        del el.getparent()[0]
done(n, t0, c0)
""",
    # koppel: canonical lines (typed pandas batches: int64 cents, dates, ids) streamed from the file.
    "koppel": PRELUDE
    + """
from koppel.xaf import iter_xaf
t0, c0 = time.perf_counter(), time.process_time()
reader, batches = iter_xaf(path)
n = sum(len(batch) for batch in batches)
done(n, t0, c0)
""",
    # koppel read_xaf: the same plus the Administration (master tables, stats, lines spooled to Arrow).
    "koppel read_xaf": PRELUDE
    + """
from koppel.xaf import read_xaf
t0, c0 = time.perf_counter(), time.process_time()
adm = read_xaf(path)
done(adm.stats.lines, t0, c0)
""",
    # koppel in parallel: byte ranges split at transaction boundaries, parsed on all cores.
    "koppel parallel": PRELUDE
    + """
from koppel.xaf.parallel import iter_xaf_parallel
t0, c0 = time.perf_counter(), time.process_time()
n = sum(len(batch) for batch in iter_xaf_parallel(path))
done(n, t0, c0)
""",
    # A Rust XML-to-Arrow parser (xml2arrow, bench extra): the trLine child texts of XAF 3.2 as untyped Arrow
    # columns in bounded batches, the same work as the lxml floor. It shows what a faster parsing engine
    # would leave for koppel's typing (see the README's Benchmarks section); koppel does not use it yet.
    "xml2arrow lines": PRELUDE
    + """
import os, tempfile
from xml2arrow import XmlToArrowParser
base = "/auditfile/company/transactions/journal/transaction"
names = ["nr", "accID", "docRef", "effDate", "desc", "amnt", "amntTp", "custSupID", "invRef", "costID", "prodID",
         "projID", "qntity", "bankAccNr"]
fields = "".join(
    f"      - {{name: {n}, xml_path: {base}/trLine/{n}, data_type: Utf8, nullable: true}}\\n" for n in names
)
config = f"tables:\\n  - name: lines\\n    xml_path: {base}\\n    levels: [trLine]\\n    fields:\\n{fields}"
with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
    handle.write(config)
parser = XmlToArrowParser(handle.name)
os.unlink(handle.name)
t0, c0 = time.perf_counter(), time.process_time()
n = 0
for _name, batch in parser.parse_batches(path, max_rows_per_batch=20000):
    n += batch.num_rows - batch.column("accID").null_count  # every child of a transaction is a row; lines have accID
done(n, t0, c0)
""",
    # The peer: pyxaf 0.2.0, the documented streaming API.
    "pyxaf": PRELUDE
    + """
import pyxaf
t0, c0 = time.perf_counter(), time.process_time()
with pyxaf.open(path) as af:
    n = sum(1 for _ in af.lines())
done(n, t0, c0)
""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_200_000)
    parser.add_argument("--sizes", default="", help="comma-separated line counts (overrides --lines)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated contenders")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.lines]
    names = [n.strip() for n in args.only.split(",")] if args.only else list(CONTENDERS)
    if "koppel parallel" in names and not (ROOT / "koppel" / "xaf" / "parallel.py").exists():
        names.remove("koppel parallel")
    if "xml2arrow lines" in names and importlib.util.find_spec("xml2arrow") is None:
        print("xml2arrow is not installed (make bench installs the bench extra): left out")
        names.remove("xml2arrow lines")
    report = []
    for lines in sizes:
        path = synthetic_file(lines)
        mb = path.stat().st_size / 1e6
        runs: dict[str, list[dict]] = {name: [] for name in names}
        for _ in range(args.rounds):
            for name in names:
                runs[name].append(run_measured(CONTENDERS[name], str(path)))
        print(f"\n{path.name}: {mb:,.0f} MB, {lines:,} lines, median of {args.rounds} rounds")
        print(f"{'contender':<18}{'wall s':>9}{'cpu s':>9}{'MB/s':>8}{'peak RSS MB':>13}{'x floor':>9}{'vs pyxaf':>10}")
        med = {}
        for name, rs in runs.items():
            med[name] = {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "rss_mb")}
            med[name]["lines"] = rs[0]["lines"]
        floor = med.get("lxml floor")
        peer = med.get("pyxaf")
        for name, m in med.items():
            x_floor = f"{m['cpu'] / floor['cpu']:.2f}" if floor else "-"
            vs_peer = f"{peer['cpu'] / m['cpu']:.2f}x" if peer else "-"
            print(
                f"{name:<18}{m['wall']:>9.2f}{m['cpu']:>9.2f}{mb / m['wall']:>8.1f}{m['rss_mb']:>13.0f}"
                f"{x_floor:>9}{vs_peer:>10}"
            )
            report.append({"file_mb": mb, "lines": lines, "contender": name, **m, "rounds": runs[name]})
    print("\nx floor and vs pyxaf compare CPU seconds (less sensitive to other load than wall time); the")
    print("parallel reader's CPU includes its workers, and its peak RSS is the larger of main and one worker.")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
