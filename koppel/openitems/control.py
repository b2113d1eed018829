"""Which accounts are debtors/creditors control accounts, and which side (customer or supplier) each serves.

Sources, strongest first: an explicit override; ``relations.control_account``; accounts of the trLines
that subledger lines point to (``sbType`` CU/SU); balance accounts whose name or RGS code says
debtors/creditors and whose lines carry relation ids. As a last resort, balance accounts on which every
line carries a relation id. Every account found says why (``reason``), so a wrong guess is visible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

CUSTOMER_NAME = re.compile(r"debiteur|debtor|receivable|vordering(en)? op (handels)?klant", re.IGNORECASE)
SUPPLIER_NAME = re.compile(r"crediteur|creditor|payable|leverancier", re.IGNORECASE)
NOT_CONTROL_NAME = re.compile(r"btw|vat|belasting|betalingsverschil|dubieu|voorziening", re.IGNORECASE)
CUSTOMER_RGS = ("BVorDeb",)
SUPPLIER_RGS = ("BSchCre",)
SB_SIDE = {"CU": "customer", "SU": "supplier"}


@dataclass(frozen=True)
class ControlAccount:
    account_id: str
    side: str  # customer, supplier or unknown
    reason: str


@dataclass
class AccountUse:
    """Per account: lines, lines with a relation id, their net amount, and relation kinds seen."""

    lines: int = 0
    with_relation: int = 0
    customer_lines: int = 0
    supplier_lines: int = 0


def account_use(batches, relation_kinds: dict[str, str]) -> dict[str, AccountUse]:
    """Stream the lines once and count, per account, how many carry a relation id and of which kind."""
    use: dict[str, AccountUse] = {}
    for batch in batches:
        has_rel = batch["relation_id"].notna()
        kinds = batch["relation_id"].map(relation_kinds)
        frame = pd.DataFrame(
            {
                "account_id": batch["account_id"],
                "n": 1,
                "rel": has_rel.astype(int),
                "cust": (kinds == "customer").fillna(False).astype(int),
                "supp": (kinds == "supplier").fillna(False).astype(int),
            }
        )
        for account, row in frame.groupby("account_id", sort=False)[["n", "rel", "cust", "supp"]].sum().iterrows():
            u = use.setdefault(str(account), AccountUse())
            u.lines += int(row["n"])
            u.with_relation += int(row["rel"])
            u.customer_lines += int(row["cust"])
            u.supplier_lines += int(row["supp"])
    return use


def detect_control_accounts(
    accounts: pd.DataFrame,
    relations: pd.DataFrame,
    use: dict[str, AccountUse],
    subledger_accounts: dict[str, str] | None = None,
    overrides: dict[str, str] | None = None,
) -> list[ControlAccount]:
    """The control accounts of an administration, each with its side and the reason it was chosen."""
    if overrides:
        return [ControlAccount(acc, side or "unknown", "given") for acc, side in sorted(overrides.items())]
    info = {str(r.account_id): r for r in accounts.itertuples(index=False)}
    found: dict[str, ControlAccount] = {}

    def side_of(account: str, hint: str | None = None) -> str:
        if hint in ("customer", "supplier"):
            return hint
        row = info.get(account)
        name = str(row.name) if row is not None and pd.notna(row.name) else ""
        rgs = str(row.rgs_code) if row is not None and pd.notna(row.rgs_code) else ""
        if CUSTOMER_NAME.search(name) or rgs.startswith(CUSTOMER_RGS):
            return "customer"
        if SUPPLIER_NAME.search(name) or rgs.startswith(SUPPLIER_RGS):
            return "supplier"
        u = use.get(account)
        if u is not None and u.customer_lines != u.supplier_lines:
            return "customer" if u.customer_lines > u.supplier_lines else "supplier"
        return "unknown"

    for row in relations.itertuples(index=False):
        acc = row.control_account
        if pd.notna(acc) and str(acc) not in found:
            kind = row.kind if pd.notna(row.kind) else None
            found[str(acc)] = ControlAccount(str(acc), side_of(str(acc), kind), "relations.control_account")
    for acc, sb_type in sorted((subledger_accounts or {}).items()):
        if acc not in found:
            found[acc] = ControlAccount(acc, side_of(acc, SB_SIDE.get(sb_type)), f"subledger {sb_type}")
    for acc, row in info.items():
        if acc in found:
            continue
        kind = str(row.kind) if pd.notna(row.kind) else ""
        if kind == "P":
            continue
        name = str(row.name) if pd.notna(row.name) else ""
        rgs = str(row.rgs_code) if pd.notna(row.rgs_code) else ""
        u = use.get(acc, AccountUse())
        by_rgs = rgs.startswith(CUSTOMER_RGS + SUPPLIER_RGS)
        by_name = bool(CUSTOMER_NAME.search(name) or SUPPLIER_NAME.search(name)) and not NOT_CONTROL_NAME.search(name)
        if (by_rgs or by_name) and (u.lines == 0 or u.with_relation * 2 >= u.lines):
            found[acc] = ControlAccount(acc, side_of(acc), "RGS code" if by_rgs else "account name")
    if found:
        return sorted(found.values(), key=lambda c: c.account_id)
    for acc, u in sorted(use.items()):
        row = info.get(acc)
        if row is not None and pd.notna(row.kind) and str(row.kind) == "P":
            continue
        if u.lines >= 2 and u.with_relation == u.lines:
            found[acc] = ControlAccount(acc, side_of(acc), "every line carries a relation id")
    return sorted(found.values(), key=lambda c: c.account_id)
