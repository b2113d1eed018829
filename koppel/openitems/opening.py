"""Migration: an opening balance with one line per open invoice on the control accounts.

``opening_with_open_items(adm, at)`` returns the administration as it would start the day after ``at``:
its opening balance is the position at ``at`` — one line per balance-sheet account, except on the
debtors/creditors control accounts, where each open item becomes its own line carrying the relation and
the invoice number (with invoice and due date). Lines dated after ``at`` stay; everything up to ``at`` is
absorbed into the opening. Without ``at`` the opening balance alone is taken (dated the day before the
fiscal year starts), so the result keeps every entry and only the opening balance is split per invoice
(what ``koppel convert --opening-with-open-items`` writes).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from ..dates import parse_user_date
from ..errors import KoppelError
from ..model import Administration, LineStore, Subledgers, conform
from ..money import format_cents
from ..registry import FormatInfo, all_formats
from .engine import OpenItemsResult, compute_open_items, subledgers_of

if TYPE_CHECKING:
    from ..writejob import WriteJob

CAPABILITY = "opening_items"


def opening_date_before(adm: Administration) -> date:
    """The day before the fiscal year starts (or before the first line)."""
    start = adm.header.start_date
    if start:
        try:
            return date.fromisoformat(start[:10]) - timedelta(days=1)
        except ValueError:
            pass
    first = None
    for batch in adm.lines.batches():
        d = batch["date"].min()
        if pd.notna(d) and (first is None or d < first):
            first = d
    if first is None:
        raise KoppelError("the administration has no start date and no dated lines", hint="give the date explicitly")
    return pd.Timestamp(first).date() - timedelta(days=1)


def _balances_and_rest(adm: Administration, at: pd.Timestamp | None) -> tuple[dict[str, int], LineStore]:
    """Balance per account at ``at`` (opening included) and a new line store with the lines after ``at``;
    ``at`` None: the opening balance alone, every entry stays."""
    balances: dict[str, int] = {}
    if adm.header.opening_source != "period0":
        for acc, cents in adm.opening_balance.groupby("account_id")["amount"].sum().items():
            balances[str(acc)] = balances.get(str(acc), 0) + int(cents)
    opening = adm.opening_entries if adm.header.opening_source == "period0" else set()
    rest = LineStore()
    for batch in adm.lines.batches():
        absorbed = (batch["date"] <= at).fillna(True) if at is not None else pd.Series(False, index=batch.index)
        if opening:
            keys = pd.Series(list(zip(batch["journal_id"], batch["entry_nr"], strict=True)), index=batch.index)
            absorbed = absorbed | keys.isin(opening)
        for acc, cents in batch.loc[absorbed].groupby("account_id")["amount"].sum().items():
            balances[str(acc)] = balances.get(str(acc), 0) + int(cents)
        if (~absorbed).any():
            rest.append(batch.loc[~absorbed].reset_index(drop=True))
    rest.close()
    return balances, rest


def opening_with_open_items(
    adm: Administration,
    at: date | None = None,
    *,
    subledgers: Subledgers | None = None,
    control_accounts: dict[str, str] | None = None,
    result_account: str | None = None,
    result: OpenItemsResult | None = None,
) -> Administration:
    """The administration restarted the day after ``at`` with open items as opening lines (see module doc)."""
    opening_only = at is None
    at = at or opening_date_before(adm)
    result = result or compute_open_items(
        adm, at, subledgers=subledgers, control_accounts=control_accounts, opening_only=opening_only
    )
    balances, rest = _balances_and_rest(adm, None if opening_only else pd.Timestamp(at))
    kinds = {str(a): str(k) for a, k in zip(adm.accounts["account_id"], adm.accounts["kind"], strict=True)}
    names = {
        str(a): str(n) for a, n in zip(adm.accounts["account_id"], adm.accounts["name"], strict=True) if pd.notna(n)
    }
    profit = sum(c for acc, c in balances.items() if kinds.get(acc) == "P")
    if profit:
        if not result_account:
            raise KoppelError(
                f"the result up to {at.isoformat()} ({format_cents(-profit)}) must go to an equity account",
                field="result_account",
                hint="name it: --option result_account=ACCOUNT (or result_account= in opening_with_open_items)",
            )
        balances = {acc: c for acc, c in balances.items() if kinds.get(acc) != "P"}
        balances[result_account] = balances.get(result_account, 0) + profit
    control = {c.account_id for c in result.control}
    rows: list[dict] = []
    not_carried = dict(adm.not_carried)
    open_items = result.open_items()
    for acc in sorted(balances):
        cents = balances[acc]
        if acc not in control:
            if cents:
                rows.append({"account_id": acc, "amount": cents, "description": names.get(acc)})
            continue
        mine = open_items[open_items["control_account"] == acc]
        for item in mine.itertuples(index=False):
            label = item.invoice or {"unallocated": "niet toegewezen betaling", "opening": "beginbalans"}.get(
                item.reference, "zonder factuurnummer"
            )
            rows.append(
                {
                    "account_id": acc,
                    "amount": int(item.open_amount),
                    "relation_id": item.relation_id,
                    "invoice_ref": item.invoice or None,
                    "invoice_date": item.invoice_date,
                    "due_date": item.due_date,
                    "description": f"{label} {_name_or_id(item.relation_name, item.relation_id)}".strip(),
                }
            )
        left = cents - int(mine["open_amount"].sum())
        if left:
            rows.append({"account_id": acc, "amount": left, "description": f"{names.get(acc, acc)} zonder relatie"})
            key = "open items: control-account balance without relation detail (one line, not split)"
            not_carried[key] = not_carried.get(key, 0) + 1
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["line_nr"] = [str(i) for i in range(1, len(frame) + 1)]
        for col in ("invoice_date", "due_date"):
            if col in frame:
                frame[col] = pd.to_datetime(frame[col]).astype("datetime64[s]")
    ob = conform("opening_balance", frame)
    if int(ob["amount"].sum()) != 0:
        raise KoppelError(
            f"the position at {at.isoformat()} does not balance (off by {format_cents(int(ob['amount'].sum()))})",
            hint="check the source's entries and opening balance; koppel never adds a balancing line",
        )
    new = Administration(
        header=_header_after(adm, at),
        accounts=adm.accounts,
        relations=adm.relations,
        vat_codes=adm.vat_codes,
        periods=adm.periods,
        journals=adm.journals,
        opening_balance=ob,
        lines=rest,
        not_carried=not_carried,
        not_carried_why=adm.not_carried_why,
    )
    for batch in rest.batches():
        new.stats.add_batch(batch, batch[["journal_id", "entry_nr"]].drop_duplicates().shape[0])
    return new


def _header_after(adm: Administration, at: date):
    from dataclasses import replace

    day = (at + timedelta(days=1)).isoformat()
    header = replace(adm.header, opening_date=day, opening_source="openingBalance")
    if adm.header.start_date and day > adm.header.start_date[:10]:
        header.start_date = day
    header.opening_description = header.opening_description or "Beginbalans met openstaande posten"
    return header


def can_carry_open_items(info: FormatInfo) -> bool:
    """A target carries per-invoice opening lines: its spec names the fields that carry relation and invoice
    number on every opening line (``opening_items``, checked on real output by tests/test_openitems_targets.py),
    or its writer declares ``carries["opening_items"] = "w"``. Others are refused: AccountView (no
    invoice-number column), King and AFAS (no relation on the line), Multivers, XAF (obLine has neither)."""
    return bool(info.opening_items) or "w" in info.carries.get(CAPABILITY, "")


def targets_with_open_items() -> tuple[list[str], list[str]]:
    """Writable targets that can carry per-invoice opening lines, and those that cannot."""
    can, cannot = [], []
    for info in all_formats():
        if info.writes:
            (can if can_carry_open_items(info) else cannot).append(info.name)
    return can, cannot


def prepare_for_convert(adm: Administration, info: FormatInfo, options: dict) -> Administration:
    """``koppel convert --opening-with-open-items``: refuse targets that cannot carry it, else split the opening."""
    if not can_carry_open_items(info):
        can, cannot = targets_with_open_items()
        raise KoppelError(
            f"{info.name} cannot carry an opening balance with one line per open invoice",
            field="--opening-with-open-items",
            hint=f"targets that can: {', '.join(can) or 'none yet'}; cannot: {', '.join(cannot) or '-'}; "
            "'koppel openitems INPUT -o open.xlsx' gives the open items as a spreadsheet instead",
        )
    subledgers = subledgers_of(adm)
    at = options.get("open_items_at")
    return opening_with_open_items(
        adm,
        parse_user_date(at, field="open_items_at") if at else None,
        subledgers=subledgers,
        result_account=options.get("result_account"),
    )


def opening_step(job: WriteJob) -> dict:
    """The preparation step of ``--opening-with-open-items`` (koppel/preparation.py): replace the job's
    Administration by one whose opening balance has a line per open invoice."""
    if not job.given_options.get("opening_with_open_items"):
        return {"applied": False}
    from ..registry import get_format

    options = {**job.read_options, **job.given_options}
    job.adm = prepare_for_convert(job.adm, get_format(job.target), options)
    return {"applied": True, "opening_lines": len(job.adm.opening_balance)}


def _name_or_id(name, relation_id: str) -> str:
    """The relation's name, or its id where it has none (a missing name in the item table is NaN, which is truthy:
    'F2 nan' was written on the opening line)."""
    return name if isinstance(name, str) and name.strip() else relation_id
