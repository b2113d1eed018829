"""Open items on generated administrations: partial payments, credit notes, overpayments, unreferenced payments.

The expected open amount per invoice is computed from the generated events themselves, not by koppel.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koppel.model import Administration, Header
from koppel.openitems.engine import compute_open_items
from koppel.openitems.opening import opening_with_open_items

START = date(2025, 1, 1)
CONTROL = {"customer": "1300", "supplier": "1600"}
REVENUE = {"customer": "8000", "supplier": "4000"}
JOURNAL = {"customer": "VK", "supplier": "IK"}
SIGN = {"customer": 1, "supplier": -1}

invoice_st = st.tuples(
    st.sampled_from(["customer", "supplier"]),
    st.integers(0, 2),  # relation
    st.integers(1, 500_000),  # cents
    st.integers(0, 300),  # day
    st.booleans(),  # a credit note (own number, opposite sign)
)
payment_st = st.tuples(
    st.integers(0, 30),  # invoice index (modulo)
    st.sampled_from(["part", "full", "over", "creditnote"]),
    st.integers(1, 100),  # part in percent
    st.integers(0, 64),  # days after the invoice
)
loose_st = st.tuples(st.sampled_from(["customer", "supplier"]), st.integers(1, 90_000), st.integers(0, 364))


def build(invoices, payments, loose, ob_invoices):
    """An administration from events; returns it with the expected open amount per invoice number."""
    lines, expected, dates = [], {}, {}
    relations = [
        {"relation_id": f"{k[0].upper()}{i}", "kind": k, "name": f"{k} {i}"}
        for k in ("customer", "supplier")
        for i in range(4)
    ]
    n = 0

    def entry(journal, day, postings):
        nonlocal n
        n += 1
        for i, (acc, cents, rel, inv) in enumerate(postings, 1):
            lines.append(
                {
                    "journal_id": journal,
                    "entry_nr": f"{journal}{n:05d}",
                    "line_nr": str(i),
                    "date": (START + timedelta(days=day)).isoformat(),
                    "account_id": acc,
                    "amount": cents,
                    "relation_id": rel,
                    "invoice_ref": inv,
                }
            )

    ob_rows = [{"line_nr": "1", "account_id": "1100", "amount": 10_000_000}]
    for i, (side, rel, cents) in enumerate(ob_invoices):
        number = f"OB{i}"
        amount = SIGN[side] * cents
        ob_rows.append(
            {
                "line_nr": str(i + 2),
                "account_id": CONTROL[side],
                "amount": amount,
                "relation_id": f"{side[0].upper()}{rel}",
                "invoice_ref": number,
            }
        )
        expected[number] = (side, amount, amount)  # side, original, open
        dates[number] = -1
    ob_rows.append({"line_nr": "99", "account_id": "0500", "amount": -sum(r["amount"] for r in ob_rows)})
    numbers = []
    for i, (side, rel, cents, day, credit) in enumerate(invoices):
        number = f"F{i}"
        amount = SIGN[side] * cents * (-1 if credit else 1)
        r = f"{side[0].upper()}{rel}"
        entry(JOURNAL[side], day, [(CONTROL[side], amount, r, number), (REVENUE[side], -amount, None, None)])
        expected[number] = (side, amount, amount)
        dates[number] = day
        numbers.append((number, side, r, day))
    for idx, kind, part, after in payments:
        if not numbers:
            break
        number, side, r, day = numbers[idx % len(numbers)]
        _side, original, open_ = expected[number]
        sign = 1 if original > 0 else -1
        if kind == "creditnote":  # a credit note on the invoice itself, in the sales/purchase journal
            cents = -sign * (abs(original) * part // 100) or -original
            entry(JOURNAL[side], day + after, [(CONTROL[side], cents, r, number), (REVENUE[side], -cents, None, None)])
        else:
            cents = {"part": -sign * (abs(original) * part // 100), "full": -open_, "over": -open_ - sign * part}[kind]
            if cents == 0:
                continue
            entry("BNK", day + after, [(CONTROL[side], cents, r, number), ("1100", -cents, None, None)])
        expected[number] = (side, original, open_ + cents)
    for side, cents, day in loose:  # payments without any reference, from relation 3 only
        r = f"{side[0].upper()}3"
        entry("BNK", day, [(CONTROL[side], -SIGN[side] * cents, r, None), ("1100", SIGN[side] * cents, None, None)])
    frame = pd.DataFrame(lines) if lines else pd.DataFrame(columns=["journal_id"])
    adm = Administration.from_frames(
        header=Header(
            start_date="2025-01-01", end_date="2025-12-31", opening_source="openingBalance", opening_date="2025-01-01"
        ),
        lines=frame if lines else None,
        accounts=pd.DataFrame(
            {
                "account_id": ["0500", "1100", "1300", "1600", "4000", "8000"],
                "name": ["Eigen vermogen", "Bank", "Debiteuren", "Crediteuren", "Inkoop", "Omzet"],
                "kind": ["B", "B", "B", "B", "P", "P"],
            }
        ),
        relations=pd.DataFrame(relations),
        journals=pd.DataFrame({"journal_id": ["VK", "IK", "BNK"], "kind": ["S", "P", "B"]}),
        opening_balance=pd.DataFrame(ob_rows),
    )
    return adm, expected, lines, ob_rows


def closing(lines, ob_rows, at: date) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in ob_rows:
        out[row["account_id"]] = out.get(row["account_id"], 0) + row["amount"]
    for row in lines:
        if date.fromisoformat(row["date"]) <= at:
            out[row["account_id"]] = out.get(row["account_id"], 0) + row["amount"]
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(invoice_st, max_size=12),
    st.lists(payment_st, max_size=14),
    st.lists(loose_st, max_size=4),
    st.lists(
        st.tuples(st.sampled_from(["customer", "supplier"]), st.integers(0, 2), st.integers(1, 9_999)), max_size=3
    ),
)
def test_generated_open_items_are_exact_and_reconcile(invoices, payments, loose, ob_invoices):
    adm, expected, lines, ob_rows = build(invoices, payments, loose, ob_invoices)
    result = compute_open_items(adm, date(2025, 12, 31))
    assert [(c.account_id, c.side) for c in result.control] == [("1300", "customer"), ("1600", "supplier")]
    items = result.items.set_index("invoice")
    for number, (side, original, open_) in expected.items():
        row = items.loc[number]
        assert row["open_amount"] == open_, number
        assert row["control_account"] == CONTROL[side]
        credit = original * SIGN[side] < 0
        assert row["kind"] == ("credit note" if credit else "invoice")
        if open_ == 0:
            assert row["status"] == "paid"
        elif open_ * original < 0:
            assert row["status"] == "overpaid"
        elif open_ == original:
            assert row["status"] == "open"
        else:
            assert row["status"] == "partly paid"
    # the unreferenced payments of relation 3 are matched on amount or left unallocated — never spread
    loose_items = result.items[result.items["relation_id"].isin(["C3", "S3"])]
    assert len(loose_items) == len(loose) and set(loose_items["status"]) <= {"unallocated"}
    # every posting on a control account is in exactly one item, and the items reconcile to the cent
    assert int(result.items["postings"].sum()) == len(result.postings)
    balances = closing(lines, ob_rows, date(2025, 12, 31))
    recon = result.reconciliation.set_index("control_account")
    for acc in ("1300", "1600"):
        assert recon.loc[acc, "closing_balance"] == recon.loc[acc, "open_items_total"] == balances.get(acc, 0)
        assert recon.loc[acc, "difference"] == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(invoice_st, min_size=1, max_size=10),
    st.lists(payment_st, max_size=10),
    st.integers(0, 364),
)
def test_opening_with_open_items_carries_one_line_per_open_item(invoices, payments, day):
    adm, _expected, lines, ob_rows = build(invoices, payments, [], [])
    at = START + timedelta(days=day)
    new = opening_with_open_items(adm, at, result_account="0500")
    ob = new.opening_balance
    assert int(ob["amount"].sum()) == 0
    balances = closing(lines, ob_rows, at)
    pl = sum(balances.pop(acc, 0) for acc in ("4000", "8000"))
    balances["0500"] = balances.get("0500", 0) + pl
    got = ob.groupby("account_id")["amount"].sum().to_dict()
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in balances.items() if v}
    open_items = compute_open_items(adm, at).open_items()
    on_control = ob[ob["account_id"].isin(["1300", "1600"])]
    assert sorted(
        zip(on_control["relation_id"], on_control["invoice_ref"], on_control["amount"], strict=True)
    ) == sorted(zip(open_items["relation_id"], open_items["invoice"], open_items["open_amount"], strict=True))
    assert new.lines.rows == sum(1 for row in lines if date.fromisoformat(row["date"]) > at)
    assert new.header.opening_date == (at + timedelta(days=1)).isoformat()


def test_opening_without_a_result_account_is_refused_when_there_is_a_result():
    adm, *_ = build([("customer", 0, 1000, 10, False)], [], [], [])
    try:
        opening_with_open_items(adm, date(2025, 12, 31))
    except Exception as exc:
        assert "result_account" in str(exc) and "equity account" in str(exc)
    else:
        raise AssertionError("a result without result_account must be refused")


def test_relation_plus_amount_fallback_is_named_and_picks_the_item_due_first():
    adm, *_ = build([("customer", 3, 5000, 1, False), ("customer", 3, 5000, 40, False)], [], [], [])
    extra = pd.DataFrame(
        [
            {
                "journal_id": "BNK",
                "entry_nr": "X1",
                "line_nr": "1",
                "date": "2025-03-01",
                "account_id": "1300",
                "amount": -5000,
                "relation_id": "C3",
            },
            {
                "journal_id": "BNK",
                "entry_nr": "X1",
                "line_nr": "2",
                "date": "2025-03-01",
                "account_id": "1100",
                "amount": 5000,
            },
        ]
    )
    merged = Administration.from_frames(
        header=adm.header,
        lines=[adm.lines.frame(), extra],
        accounts=adm.accounts,
        relations=adm.relations,
        journals=adm.journals,
        opening_balance=adm.opening_balance,
    )
    result = compute_open_items(merged, date(2025, 12, 31))
    items = result.items.set_index("invoice")
    assert items.loc["F0", "status"] == "paid" and items.loc["F0", "matched_by"] == "relation+amount 1"
    assert items.loc["F1", "status"] == "open"
