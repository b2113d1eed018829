"""Longer fuzzing of every reader (the corpus and targets of tests/fuzz_targets.py).

Seeded random mutations of the sample corpus, bounded by seconds per target; any exception other than
KoppelError is a finding, printed once per (target, exception type, place) with the seed and operations
that reproduce it (``Target.one(seed, ops, work)``).

    .venv/bin/python bench/fuzz.py [--seconds 30] [--seed 1] [--only xaf,minox]
    .venv/bin/python bench/fuzz.py --atheris xaf [--instrument] [-- -max_total_time=60]   # if atheris installs

Writes bench/results/fuzz.json (runs per target, findings).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz_targets import scratch_dir, targets  # noqa: E402


def _place(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{frame.filename.replace(str(ROOT) + '/', '')}:{frame.lineno}"


def run_random(seconds: float, seed: int, only: set[str] | None) -> dict:
    scratch = scratch_dir()
    rnd = random.Random(seed)
    results: dict = {"seconds_per_target": seconds, "seed": seed, "targets": {}, "findings": []}
    seen: set[tuple] = set()
    for name, target in targets(scratch).items():
        if only and name not in only:
            continue
        runs, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            ops = [(rnd.randrange(5), rnd.randrange(1 << 30), rnd.randrange(256)) for _ in range(rnd.randrange(1, 5))]
            corpus_seed = rnd.randrange(1000)
            runs += 1
            try:
                target.one(corpus_seed, ops, scratch / "work")
            except Exception as exc:  # anything but KoppelError (Target.one swallows those)
                key = (name, type(exc).__name__, _place(exc))
                if key not in seen:
                    seen.add(key)
                    finding = {"target": name, "exception": type(exc).__name__, "place": key[2],
                               "message": str(exc)[:300], "seed": corpus_seed, "ops": ops}
                    results["findings"].append(finding)
                    print("FINDING", json.dumps(finding), flush=True)
        results["targets"][name] = runs
        print(f"{name:28} {runs:6d} runs", flush=True)
    return results


def run_atheris(name: str, argv: list[str], instrument: bool = False) -> None:
    import atheris  # optional: pip install atheris (not a dependency of make test)

    scratch = scratch_dir()
    target = targets(scratch)[name]
    seed_bytes = [p.read_bytes() for p in target.seeds if p.is_file()]

    def one(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        ops = [(fdp.ConsumeIntInRange(0, 4), fdp.ConsumeIntInRange(0, 1 << 30), fdp.ConsumeIntInRange(0, 255))
               for _ in range(fdp.ConsumeIntInRange(1, 4))]
        target.one(fdp.ConsumeIntInRange(0, max(len(seed_bytes), 1) - 1), ops, scratch / "work")

    if instrument:  # coverage of every loaded module guides the mutations (instrumenting takes minutes)
        atheris.instrument_all()
    atheris.Setup([sys.argv[0], *argv], one)
    atheris.Fuzz()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds per target")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="comma-separated target names")
    parser.add_argument("--atheris", metavar="TARGET", help="run one target under atheris instead")
    parser.add_argument("--instrument", action="store_true", help="with --atheris: coverage-guided (slow start)")
    args, rest = parser.parse_known_args()
    if args.atheris:
        run_atheris(args.atheris, [a for a in rest if a != "--"], args.instrument)
        return
    results = run_random(args.seconds, args.seed, set(args.only.split(",")) if args.only else None)
    out = ROOT / "bench" / "results" / "fuzz.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"{sum(results['targets'].values())} runs, {len(results['findings'])} findings -> {out}")


if __name__ == "__main__":
    main()
