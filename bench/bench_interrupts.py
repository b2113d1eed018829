"""Many interrupts at random moments: convert, export, check and run, each stopped with SIGINT or SIGTERM.

Counts per command: how often it stopped as promised (within 2 s, exit 130/143, the one line
'koppel: interrupted', no traceback, nothing left in TMPDIR or the output folder, no process left), how often
it had finished before the signal, and every failure with what went wrong; the median and largest time from
the signal to the exit. The judging is tests/interrupt_harness.py, the same as tests/test_interrupts.py.

    .venv/bin/python bench/bench_interrupts.py                    # 50 per command, ~40 MB auditfile
    .venv/bin/python bench/bench_interrupts.py --tries 10 --only convert
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, synthetic_file

sys.path.insert(0, str(ROOT / "tests"))
from interrupt_harness import interrupt, random_delay

JOB = (
    '[[job]]\nname = "adm"\ninbox = { folder = "inbox", glob = "*.xaf" }\ntarget = "asperion"\n'
    'outbox = "outbox"\narchive = "archive"\nquarantine = "quarantine"\n'
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tries", type=int, default=50, help="interrupts per command")
    parser.add_argument("--lines", type=int, default=160_000, help="lines of the auditfile (~250 bytes each)")
    parser.add_argument("--only", default="convert,export,check,run")
    parser.add_argument("--max-delay", type=float, default=4.0, help="latest moment of the signal (s)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    big = synthetic_file(args.lines, seed=3)
    job_files = [synthetic_file(40_000, seed=10 + i) for i in range(3)]
    work_root = Path(tempfile.mkdtemp(prefix="koppel-interrupts-"))
    print(f"{big.name} ({big.stat().st_size / 1e6:.0f} MB), {args.tries} interrupts per command, "
          f"signal after 0.3-{args.max_delay} s", flush=True)  # fmt: skip
    summary = []
    try:
        for command in args.only.split(","):
            stops = []
            for i in range(args.tries):
                sig = signal.SIGINT if i % 2 == 0 else signal.SIGTERM
                work = work_root / f"{command}-{i}"
                work.mkdir()
                out = work / "out"
                watched: tuple[Path, ...] = ()
                marker = None
                if command == "convert":
                    argv, marker = ["convert", str(big), "--to", "asperion", "-o", str(out)], "control.json"
                elif command == "export":
                    argv, marker = ["export", str(big), "-o", str(out)], "summary.json"
                elif command == "check":
                    out = work / "check.json"
                    argv = ["check", str(big), "-q", "--json", str(out)]
                else:
                    (work / "inbox").mkdir()
                    for f in job_files:
                        shutil.copy(f, work / "inbox" / f.name)
                    (work / "jobs.toml").write_text(JOB, encoding="utf-8")
                    argv, out = ["run", str(work / "jobs.toml"), "--workers", "2"], None
                    watched = (work / "outbox", work / "inbox", work / "archive")
                stop = interrupt(command, argv, workdir=work, sig=sig, delay=random_delay(rng, 0.3, args.max_delay),
                                 to_group=rng.random() < 0.5, output=out, marker=marker, watched=watched)  # fmt: skip
                stops.append(stop)
                mark = "finished first" if stop.finished_first else f"{stop.returncode} in {stop.seconds:.2f} s"
                print(f"  {command:<8} {stop.signal:<7} at {stop.delay:4.2f} s: {mark}"
                      + (f"  PROBLEM: {'; '.join(stop.problems)}" if stop.problems else ""), flush=True)  # fmt: skip
                shutil.rmtree(work, ignore_errors=True)
            summary.append((command, stops))
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.1f}")
    print("command  tries  stopped-ok  finished-first  failed  median-s  max-s")
    for command, stops in summary:
        stopped = [s for s in stops if not s.finished_first]
        failed = [s for s in stops if s.problems]
        secs = [s.seconds for s in stopped if s.returncode is not None]
        print(f"{command:<8} {len(stops):5} {len(stopped) - len([s for s in failed if s in stopped]):11} "
              f"{len(stops) - len(stopped):15} {len(failed):7} {statistics.median(secs) if secs else 0:9.2f} "
              f"{max(secs) if secs else 0:6.2f}")  # fmt: skip
    if any(s.problems for _, stops in summary for s in stops):
        sys.exit(1)


if __name__ == "__main__":
    main()
