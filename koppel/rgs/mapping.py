"""The ``[rgs]`` section of a mapping: proposed by ``mapping init --rgs``, applied by ``convert``.

``[rgs]`` maps a source account to its RGS code, ``[rgs_release]`` names the release (``version``), which
XAF 4.0 writes as ``RGSVersion``. Beside the mapping, a review list (CSV, ``;``) holds per account the top
three candidates with their score and the reason, so the bookkeeper decides with the evidence in view.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from ..atomic import atomic_open
from ..model import Administration
from ..reports.safe_text import safe_cell_text
from .propose import AccountFacts, Proposer
from .release import RgsRelease

REVIEW_COLUMNS = ("rekening", "naam", "soort", "saldo", "rang", "rgs_code", "omschrijving", "score", "naam_score",
                  "nummer_score", "saldo_score", "hoofd_score", "reden")  # fmt: skip


_TEXT = ("naam", "omschrijving", "reden")  # text from the file or the release: never a formula


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def account_facts(adm: Administration) -> list[AccountFacts]:
    """The accounts of ``adm`` with their balance (opening + movements) for the side part of the score."""
    from ..checks.previous_year import closing_balances

    balances = closing_balances(adm)
    out = []
    for a in adm.accounts.itertuples(index=False):
        kind = None if pd.isna(a.kind) else str(a.kind)
        out.append(AccountFacts(str(a.account_id), None if pd.isna(a.name) else str(a.name),
                                kind if kind in ("B", "P") else None, balances.get(str(a.account_id))))  # fmt: skip
    return out


def rgs_section(adm: Administration, release: RgsRelease, review_name: str) -> tuple[str, list[dict]]:
    """The ``[rgs]`` and ``[rgs_release]`` sections, and the rows of the review list."""
    proposer = Proposer(release)
    have = {str(a.account_id): str(a.rgs_code) for a in adm.accounts.itertuples(index=False)
            if not pd.isna(a.rgs_code)}  # fmt: skip
    lines = [
        "[rgs]",
        f"# RGS code per source account; release {release.version or '(version unknown)'}"
        f" ({Path(release.source).name}).",
        f"# Codes marked 'proposed' were chosen by koppel; the top three per account and why: {review_name}.",
        "# Keep, change or delete each line; convert --to xaf40 writes the codes that remain.",
    ]  # fmt: skip
    review: list[dict] = []
    for acc in account_facts(adm):
        label = f"  # {acc.name}" if acc.name else ""
        if acc.account_id in have:
            lines.append(f"{_q(acc.account_id)} = {_q(have[acc.account_id])}{label} (from the file)")
            continue
        candidates = proposer.propose(acc)
        for rank, cand in enumerate(candidates, start=1):
            review.append({
                "rekening": acc.account_id, "naam": acc.name or "", "soort": acc.kind or "",
                "saldo": "" if acc.balance is None else f"{acc.balance / 100:.2f}", "rang": rank,
                "rgs_code": cand.code.code, "omschrijving": cand.code.description or "",
                "score": f"{cand.score:.3f}", "naam_score": f"{cand.parts['naam']:.3f}",
                "nummer_score": f"{cand.parts['nummer']:.3f}", "saldo_score": f"{cand.parts['saldo']:.3f}",
                "hoofd_score": f"{cand.parts.get('hoofd', 0.0):.3f}",
                "reden": cand.reason,
            })  # fmt: skip
        if candidates:
            best = candidates[0]
            lines.append(f"{_q(acc.account_id)} = {_q(best.code.code)}  # proposed {best.score:.2f}: "
                         f"{acc.name or acc.account_id} -> {best.code.description or best.code.code}")  # fmt: skip
        else:
            lines.append(f"# {_q(acc.account_id)} = \"\"{label}: no candidate of its kind in the release")
    lines += ["", "[rgs_release]", f"version = {_q(release.version or '')}  # written as RGSVersion in XAF 4.0", ""]
    return "\n".join(lines), review


def write_review(path: Path, rows: list[dict]) -> None:
    """The review list as CSV (``;``, UTF-8 with BOM so Excel opens it right); text never starts a formula."""
    with atomic_open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REVIEW_COLUMNS, delimiter=";")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell_text(v) if k in _TEXT else v for k, v in row.items()})


def apply_rgs(adm: Administration, codes: dict[str, str], release: dict) -> int:
    """Set the accounts' RGS codes from a mapping's ``[rgs]`` (source account ids) and the header's
    RGSVersion from ``[rgs_release]``; returns the number of accounts given a code."""
    if release.get("version"):
        adm.header.rgs_version = str(release["version"])
    if not codes:
        return 0
    ids = adm.accounts["account_id"].astype(str)
    new = ids.map(codes)
    hit = new.notna() & (new != "")
    adm.accounts = adm.accounts.copy()
    adm.accounts.loc[hit, "rgs_code"] = new[hit]
    adm.accounts["rgs_code"] = adm.accounts["rgs_code"].astype("string")
    return int(hit.sum())
