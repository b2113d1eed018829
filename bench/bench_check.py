"""Benchmark: ``koppel check`` (XSD included) against ``pyxaf.validate(..., xsd=True)``.

Files: the cached ~250 MB synthetic XAF 3.2 (1.2M lines, bench/common.synthetic_file) and a copy with
1,000 seeded content errors, 125 of each of 8 slots: unknown account, unbalanced entry, unknown
relation, unknown VAT code (the chosen lines carry no VAT in the synthetic file, so this slot falls back
to a second unknown account), repeated line number, booking date outside its period, invoice date
outside the year, a negative amount. The seeded errors keep the file XSD-valid (3.2 keys are inert), so both tools run
their whole pipeline. Every run is a fresh Python process, which reports its own seconds and peak RSS (ru_maxrss).

    .venv/bin/python bench/bench_check.py [--repeat 3] [--lines 1200000] [--skip-pyxaf]

Writes bench/results/check.json and prints a table with medians and the pyxaf/koppel ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import DATA, ROOT, synthetic_file

KINDS = ("K01", "T07", "K03", "K04", "U08", "D02", "D03", "V02")


def seeded_copy(source: Path, errors: int = 1000) -> Path:
    """A copy of ``source`` with ``errors`` seeded content errors, spread evenly over the trLines."""
    target = source.with_name(source.stem + f"_seeded{errors}.xaf")
    if target.exists():
        return target
    total = sum(1 for line in source.open("rb") if line.startswith(b"<trLine>"))
    step = max(1, total // errors)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    seeded = n = 0
    pending_tx = False
    with source.open("rb") as src, tmp.open("wb") as out:
        for line in src:
            if pending_tx and line.startswith(b"<transaction>"):
                # D02: booking date in the month before its period (still inside the year)
                start = line.index(b"<trDt>") + 6
                month = int(line[start + 5 : start + 7])
                new_month = 12 if month == 1 else month - 1
                line = line[: start + 5] + b"%02d" % new_month + line[start + 7 :]
                pending_tx = False
            elif line.startswith(b"<trLine>"):
                n += 1
                if n % step == step // 2 and seeded < errors:
                    kind = KINDS[seeded % len(KINDS)]
                    line, ok = _mutate(line, kind)
                    if kind == "D02":
                        pending_tx, ok = True, True
                    seeded += ok
            out.write(line)
    os.replace(tmp, target)
    return target


def _mutate(line: bytes, kind: str) -> tuple[bytes, bool]:
    import re

    if kind == "K01":
        return re.sub(rb"<accID>[^<]*</accID>", b"<accID>9999</accID>", line, count=1), True
    if kind == "T07":
        m = re.search(rb"<amnt>(\d+)\.(\d\d)</amnt>", line)
        cents = int(m.group(1)) * 100 + int(m.group(2)) + 1
        return line[: m.start()] + b"<amnt>%d.%02d</amnt>" % divmod(cents, 100) + line[m.end() :], True
    if kind == "K03":
        if b"<custSupID>" in line:
            return re.sub(rb"<custSupID>[^<]*</custSupID>", b"<custSupID>ONBEKEND</custSupID>", line, count=1), True
        return line.replace(b"</amntTp>", b"</amntTp><custSupID>ONBEKEND</custSupID>", 1), True
    if kind == "K04":
        if b"<vatID>" in line:
            return re.sub(rb"<vatID>[^<]*</vatID>", b"<vatID>V99</vatID>", line, count=1), True
        return re.sub(rb"<accID>[^<]*</accID>", b"<accID>9998</accID>", line, count=1), True
    if kind == "U08":  # the line number of a neighbour in the same transaction
        nr = re.match(rb"<trLine><nr>(\d+)</nr>", line).group(1)
        return line.replace(b"<nr>%s</nr>" % nr, b"<nr>2</nr>" if nr == b"1" else b"<nr>1</nr>", 1), True
    if kind == "D03":
        return re.sub(rb"<effDate>\d{4}", b"<effDate>2019", line, count=1), True
    if kind == "V02":
        m = re.search(rb"<amnt>([^<]*)</amnt><amntTp>([DC])</amntTp>", line)
        flip = b"C" if m.group(2) == b"D" else b"D"
        new = b"<amnt>-" + m.group(1) + b"</amnt><amntTp>" + flip + b"</amntTp>"
        return line[: m.start()] + new + line[m.end() :], True
    return line, False


def measure(argv: list[str]) -> dict:
    """Run ``argv`` in a fresh process; its JSON (seconds, peak RSS of that process) plus wall seconds."""
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.decode()[-2000:])
    result = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    result["wall"] = wall
    return result


KOPPEL = r"""
import json, resource, sys, time
from koppel.checks import check_file
t, c = time.perf_counter(), time.process_time()
r = check_file(sys.argv[1])
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
rss = me.ru_maxrss / 1024  # the forked XSD validator is reported beside it
print(json.dumps({"seconds": time.perf_counter() - t, "cpu": time.process_time() - c + kids.ru_utime + kids.ru_stime,
                  "rss_mb": rss, "xsd_child_rss_mb": kids.ru_maxrss / 1024,
                  "finding_groups": len(r["findings"]), "findings": sum(f["count"] for f in r["findings"]),
                  "codes": {f["code"]: f["count"] for f in r["findings"]}}))
"""
PYXAF = r"""
import collections, json, resource, sys, time
import pyxaf
t, c = time.perf_counter(), time.process_time()
r = pyxaf.validate(sys.argv[1], xsd=True, max_findings_per_code=None, max_findings=None)
codes = collections.Counter(f.code for f in r.findings)
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
rss = me.ru_maxrss / 1024  # the forked XSD validator is reported beside it
print(json.dumps({"seconds": time.perf_counter() - t, "cpu": time.process_time() - c + kids.ru_utime + kids.ru_stime,
                  "rss_mb": rss, "xsd_child_rss_mb": kids.ru_maxrss / 1024,
                  "finding_groups": len(codes), "findings": len(r.findings), "codes": dict(codes)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lines", type=int, default=1_200_000)
    parser.add_argument("--skip-pyxaf", action="store_true")
    args = parser.parse_args()
    clean = synthetic_file(lines=args.lines, version="3.2")
    seeded = seeded_copy(clean)
    results: dict = {"files": {}, "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()}}
    for label, path in (("clean", clean), ("seeded_1000", seeded)):
        row: dict = {"size_mb": round(path.stat().st_size / 1e6, 1)}
        tools = [("koppel", KOPPEL)] + ([] if args.skip_pyxaf else [("pyxaf", PYXAF)])
        for tool, code in tools:
            runs = []
            for _ in range(args.repeat):
                # a separate python per run: RSS of that run only
                runs.append(measure([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r})\n" + code,
                                     str(path)]))
                print(f"{label:12} {tool:7} {runs[-1]['seconds']:8.1f} s (cpu {runs[-1]['cpu']:6.1f} s) "
                      f"{runs[-1]['rss_mb']:7.0f} MB "
                      f"{runs[-1]['findings']:7} findings", flush=True)
            row[tool] = {
                "seconds_median": statistics.median(r["seconds"] for r in runs),
                "seconds": [round(r["seconds"], 1) for r in runs],
                "cpu_seconds_median": statistics.median(r["cpu"] for r in runs),
                "peak_rss_mb_max": max(r["rss_mb"] for r in runs),
                "xsd_child_rss_mb_max": max(r.get("xsd_child_rss_mb", 0) for r in runs),
                "findings": runs[-1]["findings"],
                "finding_groups": runs[-1]["finding_groups"],
                "codes": runs[-1]["codes"],
            }
        if "pyxaf" in row:
            k, p = row["koppel"], row["pyxaf"]
            row["ratio_pyxaf_over_koppel"] = round(p["seconds_median"] / k["seconds_median"], 2)
            row["cpu_ratio_pyxaf_over_koppel"] = round(p["cpu_seconds_median"] / k["cpu_seconds_median"], 2)
        results["files"][label] = row
    out = ROOT / "bench" / "results" / "check.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print()
    head = ("file", "MB", "koppel s", "RSS MB", "pyxaf s", "RSS MB", "ratio", "cpu ratio")
    print("{:12} {:>6} {:>9} {:>7} {:>8} {:>7} {:>6} {:>9}".format(*head))
    for label, row in results["files"].items():
        k, p = row["koppel"], row.get("pyxaf", {})
        print(f"{label:12} {row['size_mb']:6.0f} {k['seconds_median']:9.1f} {k['peak_rss_mb_max']:7.0f} "
              f"{p.get('seconds_median', float('nan')):8.1f} {p.get('peak_rss_mb_max', float('nan')):7.0f} "
              f"{row.get('ratio_pyxaf_over_koppel', float('nan')):6} "
              f"{row.get('cpu_ratio_pyxaf_over_koppel', float('nan')):9}")
    print(f"\n(results in {out}; data in {DATA})")


if __name__ == "__main__":
    main()
