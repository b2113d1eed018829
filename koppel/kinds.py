"""Account kinds: what sources write for "balance" and "profit and loss", and what a target may do with it.

The model's ``accounts.kind`` is ``B`` (balance sheet), ``P`` (profit and loss), ``M`` (mixed, XAF 3.x),
:data:`UNKNOWN` when the source wrote a value koppel does not know, or missing when the source says nothing.
Neither of the last two is ever turned into B or P by a guess: a target that needs the kind refuses with a
hint to state it in the mapping file's ``[account_kinds]`` section (``koppel mapping init`` lists them).
"""

from __future__ import annotations

import re

import pandas as pd

from .errors import KoppelError

UNKNOWN = "?"
KNOWN = ("B", "P", "M")

# What producers write in CLAIR2 accountType (free text) and, outside the code list, in XAF 3.x accTp;
# compared in upper case with runs of white space made one space. Evidence per group:
#   B/P/M: the XAF 3.x code list [FUNHIE32]; lower case b/p/m written by some exporters (pyxaf reads them).
#   P: EekBoek's CLAIR2 export writes P for profit-and-loss accounts; pyxaf reads P, V, W, WV as P&L [3P].
#   BAL, VW: e-Boekhouden.nl's account categories (BAL balans, VW verlies en winst) [3P].
#   Dutch and English words: formats.md §2.4 and pyxaf's AccountType.from_code [3P].
ACCOUNT_KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "B", "BAL", "BALANS", "BALANSREKENING", "BALANCE", "BALANCE SHEET", "A", "ACTIVA", "PASSIVA", "ACTIEF",
            "PASSIEF", "ASSET", "ASSETS", "LIABILITY", "LIABILITIES", "EQUITY",
        ],
        "B",
    ),
    **dict.fromkeys(
        [
            "P", "W", "V", "WV", "VW", "W&V", "W/V", "V&W", "WINST EN VERLIES", "WINST- EN VERLIES",
            "WINST & VERLIES", "VERLIES EN WINST", "VERLIES & WINST", "R", "RES", "RESULTAAT", "RESULTATEN",
            "RESULTATENREKENING", "EXPLOITATIE", "KOSTEN", "OPBRENGSTEN", "COSTS", "EXPENSES", "REVENUE",
            "INCOME", "INCOME STATEMENT", "PL", "P&L", "P/L", "PNL", "PROFIT AND LOSS", "PROFIT & LOSS",
        ],
        "P",
    ),
    **dict.fromkeys(["M", "MIXED", "GEMENGD"], "M"),
}  # fmt: skip

KIND_TEXT = {"B": "balance sheet (B)", "P": "profit and loss (P)", "M": "mixed (M)"}


def account_kind(raw: str | None) -> str | None:
    """The model's kind of a written account type: B, P, M, :data:`UNKNOWN`, or None when nothing is written."""
    if raw is None:
        return None
    text = re.sub(r"\s+", " ", raw.strip()).upper()
    if not text:
        return None
    return ACCOUNT_KIND_WORDS.get(text, UNKNOWN)


def kinds_unknown(accounts: pd.DataFrame, allowed: tuple[str, ...] = KNOWN) -> pd.Series:
    """Mask of the accounts whose kind is missing or not one of ``allowed``."""
    return ~accounts["kind"].isin(list(allowed)).fillna(False).astype(bool)


def require_account_kinds(accounts: pd.DataFrame, target: str, allowed: tuple[str, ...] = KNOWN) -> None:
    """Refuse, in one line, when an account's kind is unknown or missing and ``target`` needs it.

    ``accounts`` holds the (mapped) target ids in ``account_id`` and, where known, the source ids in
    ``source_account_id``; the hint names the source id, which is what ``[account_kinds]`` takes.
    """
    if accounts.empty:
        return
    bad = kinds_unknown(accounts, allowed)
    if not bad.any():
        return
    rows = accounts.loc[bad]
    first = rows.iloc[0]
    source_id = first.get("source_account_id", first["account_id"])
    if pd.isna(source_id):
        source_id = first["account_id"]
    n = int(bad.sum())
    more = f" and {n - 1} more" if n > 1 else ""
    what = "an unknown kind" if isinstance(first["kind"], str) and first["kind"] == UNKNOWN else "no kind"
    raise KoppelError(
        f"account {source_id!r}{more} has {what} in the source; {target} needs to know whether it is a balance "
        "sheet (B) or profit and loss (P) account",
        field="kind",
        hint=f'state it in the mapping file: [account_kinds] "{source_id}" = "P" (or "B"); '
        f"koppel mapping init --to {target} lists every such account",
    )


def record_unknown(store: dict[str, dict[str, int]], field: str, value: str) -> None:
    """Count a written value koppel does not understand (``Administration.unknown_codes``)."""
    values = store.setdefault(field, {})
    values[value] = values.get(value, 0) + 1
