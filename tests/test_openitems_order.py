"""The order of the item table and the wording of ``matched_by``, which the report shows as they are.

Items are listed per account and relation by invoice date, then invoice number; items that tie (two unallocated
payments of one day) keep the order the matching made them in. ``matched_by`` counts the postings each rule
placed beyond the invoice's own (a lone payment has none), rules in name order.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from koppel.model import Administration, Header
from koppel.openitems.engine import compute_open_items


def _adm() -> Administration:
    def line(journal, nr, day, cents, ref=None, account="1300"):
        return {
            "journal_id": journal,
            "entry_nr": nr,
            "line_nr": "1",
            "date": day,
            "account_id": account,
            "amount": cents,
            "relation_id": "C1" if account == "1300" else None,
            "invoice_ref": ref,
        }

    lines = [
        line("VK", "V2", "2025-02-01", 1000, "F2"),
        line("VK", "V1", "2025-01-15", 500, "F1"),
        line("BNK", "B1", "2025-03-01", -300, "F2"),  # part of F2, by its number
        line("BNK", "B2", "2025-03-05", -700),  # the rest of F2: no reference, the same amount as F2's open 700
        line("BNK", "B3", "2025-03-05", -50),  # two payments matching nothing, on one day
        line("BNK", "B4", "2025-03-05", -60),
    ]
    return Administration.from_frames(
        header=Header(start_date="2025-01-01", end_date="2025-12-31"),
        lines=pd.DataFrame(lines),
        accounts=pd.DataFrame({"account_id": ["1300", "8000"], "name": ["Debiteuren", "Omzet"], "kind": ["B", "P"]}),
        relations=pd.DataFrame([{"relation_id": "C1", "kind": "customer", "name": "Klant"}]),
        journals=pd.DataFrame({"journal_id": ["VK", "BNK"], "kind": ["S", "B"]}),
    )


def test_items_are_listed_by_date_then_number_and_ties_keep_the_matching_order():
    result = compute_open_items(_adm(), date(2025, 12, 31), control_accounts={"1300": "customer"})
    rows = result.items[["invoice", "invoice_date", "open_amount", "status", "matched_by"]].values.tolist()
    assert rows == [
        ["F1", date(2025, 1, 15), 500, "open", ""],
        ["F2", date(2025, 2, 1), 0, "paid", "invoice_ref 1, relation+amount 1"],
        ["", date(2025, 3, 5), -50, "unallocated", ""],
        ["", date(2025, 3, 5), -60, "unallocated", ""],
    ]
    assert list(result.postings["method"]) == [
        "invoice_ref", "invoice_ref", "invoice_ref", "relation+amount", "unallocated", "unallocated",
    ]  # fmt: skip
    assert list(result.open_items()["open_amount"]) == [500, -50, -60]
