"""RGS proposal quality (issue 24): hide the RGS codes an auditfile carries, propose, compare.

The known code of an account is its ``RGScode`` (XAF 4.0) or, in 3.x files whose software put RGS there,
its ``leadReference`` / ``conceptRef`` when that value is an account-level code of the release. The
proposal sees only what ``mapping init --rgs`` sees for an account without a code: number, name, kind and
balance. Accounts whose known code is not an account-level code of the release passed (another RGS
version, a rubric instead of an account) cannot be hit and are counted apart, not scored.

    .venv/bin/python bench/bench_rgs_proposal.py --rgs RELEASE.xlsx FILE.xaf [FILE.xaf ...]
    .venv/bin/python bench/bench_rgs_proposal.py --rgs RELEASE.xlsx FILE.xaf --misses 20   # show misses
    .venv/bin/python bench/bench_rgs_proposal.py --rgs RELEASE.xlsx FILE.xaf --json

koppel bundles no RGS data: pass the official release workbook (or any RGS-shaped one).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from koppel.registry import read_input  # noqa: E402
from koppel.rgs.mapping import account_facts  # noqa: E402
from koppel.rgs.propose import Proposer  # noqa: E402
from koppel.rgs.release import load_release  # noqa: E402


def known_codes(path: Path) -> dict[str, str]:
    """accID -> the RGS code the file carries (RGScode, else leadReference/conceptRef)."""
    out: dict[str, str] = {}
    for _ev, el in etree.iterparse(str(path), events=("end",), tag="{*}ledgerAccount", recover=True, huge_tree=True):
        values = {etree.QName(c).localname: (c.text or "").strip() for c in el if isinstance(c.tag, str)}
        acc = values.get("accID") or values.get("accountID")
        code = values.get("RGScode") or values.get("leadReference") or values.get("conceptRef")
        if acc and code:
            out[acc] = code
        el.clear()
    return out


def measure(release_path: Path, files: list[Path], show_misses: int = 0) -> dict:
    release = load_release(release_path)
    proposer = Proposer(release)
    account_level = {c.code for c in release.account_codes()}
    per_file = []
    total = {"accounts": 0, "scored": 0, "top1": 0, "top3": 0, "not_in_release": 0}
    misses = []
    for path in files:
        codes = known_codes(path)
        adm = read_input(path)
        row = {"file": path.name, "accounts": 0, "scored": 0, "top1": 0, "top3": 0, "not_in_release": 0}
        for facts in account_facts(adm):
            known = codes.get(facts.account_id)
            if not known:
                continue
            row["accounts"] += 1
            if known not in account_level:
                row["not_in_release"] += 1
                continue
            row["scored"] += 1
            got = [c.code.code for c in proposer.propose(facts, top=3)]
            row["top1"] += got[:1] == [known]
            row["top3"] += known in got
            if known not in got[:1]:
                misses.append((path.name, facts.account_id, facts.name, known, got))
        per_file.append(row)
        for k in total:
            total[k] += row[k]
    for row in [*per_file, total]:
        n = row["scored"] or 1
        row["top1_pct"] = round(100 * row["top1"] / n, 1)
        row["top3_pct"] = round(100 * row["top3"] / n, 1)
    return {"release": release_path.name, "release_version": release.version, "account_codes": len(account_level),
            "files": per_file, "total": total, "misses": misses[:show_misses]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rgs", required=True, type=Path, help="RGS release workbook (.xlsx)")
    ap.add_argument("files", nargs="+", type=Path, help="auditfiles that carry RGS codes")
    ap.add_argument("--misses", type=int, default=0, help="show this many top-1 misses")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = measure(args.rgs, args.files, args.misses)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    print(f"release {result['release']} (version {result['release_version'] or '?'}),"
          f" {result['account_codes']} account-level codes")  # fmt: skip
    print(f"{'file':60} {'with code':>9} {'scored':>6} {'top-1':>12} {'top-3':>12} {'not in release':>14}")
    for row in [*result["files"], {"file": "TOTAL", **result["total"]}]:
        print(f"{row['file'][:60]:60} {row['accounts']:9} {row['scored']:6}"
              f" {row['top1']:5} {row['top1_pct']:5.1f}% {row['top3']:5} {row['top3_pct']:5.1f}%"
              f" {row['not_in_release']:14}")  # fmt: skip
    for name, acc, desc, known, got in result["misses"]:
        print(f"  miss {name[:30]} {acc} {desc!r}: known {known}, proposed {', '.join(got)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
