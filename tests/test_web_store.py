"""The viewer's store (koppel/web/store.py): running balances, paging, search, and a store that appears whole."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koppel.model import Administration, Header
from koppel.web.pages_browse import parse_amount
from koppel.web.store import PAGE, Store, arrow_lines


def _adm(lines: list[tuple], opening: dict[str, int] | None = None) -> Administration:
    """lines: (journal, entry, date, account, cents, description, relation)."""
    frame = pd.DataFrame(
        [
            {"journal_id": j, "entry_nr": e, "line_nr": str(i), "date": d, "account_id": a, "amount": c,
             "description": text, "relation_id": r, "entry_description": f"Boeking {e}"}
            for i, (j, e, d, a, c, text, r) in enumerate(lines, 1)
        ]
    )
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[s]")
    ob = pd.DataFrame({"line_nr": [str(i) for i in range(len(opening or {}))],
                       "account_id": list((opening or {}).keys()), "amount": list((opening or {}).values())})
    adm = Administration.from_frames(
        Header(company_name="Test B.V."),
        lines=frame,
        accounts=pd.DataFrame({"account_id": ["1000", "1300", "8000"], "name": ["Kas", "Debiteuren", "Omzet"]}),
        relations=pd.DataFrame({"relation_id": ["D1"], "name": ["Klant Één"]}),
        opening_balance=ob,
    )
    return adm


def _load(adm: Administration, folder) -> Store:
    store = Store(folder)
    store.load(arrow_lines(adm), accounts=adm.accounts, relations=adm.relations, journals=adm.journals,
               opening=adm.opening_balance)
    return store


def test_ledger_card_is_in_date_order_with_the_running_balance_from_the_opening(tmp_path):
    adm = _adm(
        [
            ("VK", "2", "2025-03-01", "1300", 500, "later", "D1"),
            ("VK", "2", "2025-03-01", "8000", -500, "later", None),
            ("VK", "1", "2025-01-15", "1300", 1210, "eerder", "D1"),
            ("VK", "1", "2025-01-15", "8000", -1210, "eerder", None),
            ("KAS", "7", "2025-02-01", "1000", 300, "ontvangst", None),
            ("KAS", "7", "2025-02-01", "1300", -300, "ontvangst", "D1"),
        ],
        opening={"1300": 10000, "1000": -10000},
    )
    store = _load(adm, tmp_path)
    card = store.ledger("1300")
    assert [(r["date"], r["amount"], r["running"]) for r in card.rows] == [
        ("2025-01-15", 1210, 11210),
        ("2025-02-01", -300, 10910),
        ("2025-03-01", 500, 11410),
    ]
    account = store.account("1300")
    assert (account["opening"], account["debit"], account["credit"], account["closing"]) == (10000, 1710, 300, 11410)
    totals = {a["account_id"]: a["closing"] for a in store.accounts()}
    assert totals == {"1000": -9700, "1300": 11410, "8000": -1710}
    assert sum(totals.values()) == 0
    relation = store.relation_lines("D1")
    assert [r["running"] for r in relation.rows] == [1210, 910, 1410]
    assert store.relation("D1")["name"] == "Klant Één"
    entry = store.entry("KAS", "7")
    assert [(r["account_id"], r["amount"], r["account_name"]) for r in entry] == [("1000", 300, "Kas"),
                                                                                   ("1300", -300, "Debiteuren")]
    assert [(j["journal_id"], j["entries"], j["lines"]) for j in store.journals()] == [("KAS", 1, 2), ("VK", 2, 4)]


def test_pages_of_a_long_card_join_up(tmp_path):
    lines = []
    for n in range(PAGE * 2 + 7):
        lines += [("MEM", str(n), f"2025-01-{1 + n % 28:02d}", "1000", n + 1, f"regel {n}", None),
                  ("MEM", str(n), f"2025-01-{1 + n % 28:02d}", "8000", -(n + 1), f"regel {n}", None)]
    store = _load(_adm(lines), tmp_path)
    pages = [store.ledger("1000", p) for p in (1, 2, 3)]
    assert [len(p.rows) for p in pages] == [PAGE, PAGE, 7] and pages[0].pages == 3 and pages[0].total == 2 * PAGE + 7
    rows = [r for p in pages for r in p.rows]
    assert [r["n"] for r in rows] == list(range(1, 2 * PAGE + 8))
    assert rows[-1]["running"] == sum(range(1, 2 * PAGE + 8))
    assert store.ledger("1000", 99).page == 3  # a page past the end shows the last one
    entries = [store.journal_entries("MEM", p) for p in (1, 2, 3)]
    assert sum(len(p.rows) for p in entries) == 2 * PAGE + 7


def test_text_search_is_case_blind_finds_non_ascii_and_pages_on(tmp_path):
    lines = []
    for n in range(400):
        text = "Huur kantoor ÉÉN" if n % 3 == 0 else f"omzet\nregel {n}"  # a line break inside a text
        lines += [("MEM", str(n), "2025-01-01", "1000", 100, text, None),
                  ("MEM", str(n), "2025-01-01", "8000", -100, "tegenboeking", None)]
    store = _load(_adm(lines), tmp_path)
    first, more = store.search(text="KANTOOR één")
    assert len(first) == PAGE and more
    assert all(r["description"] == "Huur kantoor ÉÉN" for r in first)
    rest, more = store.search(text="kantoor één", after=first[-1]["seq"])
    assert len(rest) == 134 - PAGE and not more  # 134 lines hold it: the first line of every third entry
    assert not {r["seq"] for r in first} & {r["seq"] for r in rest}
    assert store.search(text="regel 398")[0][0]["entry_nr"] == "398"
    assert store.search(text="omzet regel 7")[0][0]["entry_nr"] == "7"  # the line break became a space
    assert store.search(text="zzz") == ([], False)
    assert store.search(text="boeking 12")[0][0]["entry_nr"] == "12"  # the entry's description too


def test_search_by_amount_on_either_side_and_by_entry_number(tmp_path):
    adm = _adm([("VK", "A1", "2025-01-01", "1300", 123456, "x", None),
                ("VK", "A1", "2025-01-01", "8000", -123456, "x", None),
                ("VK", "A2", "2025-01-02", "1300", 99, "y", None),
                ("VK", "A2", "2025-01-02", "8000", -99, "y", None)])
    store = _load(adm, tmp_path)
    hits, _ = store.search(cents=123456)
    assert [r["amount"] for r in hits] == [123456, -123456]
    assert [r["account_id"] for r in store.search(entry_nr="A2")[0]] == ["1300", "8000"]
    assert store.search(entry_nr="A") == ([], False)  # exact, not a prefix


def test_a_store_that_fails_to_build_leaves_nothing(tmp_path):
    adm = _adm([("VK", "1", "2025-01-01", "1300", 1, "x", None), ("VK", "1", "2025-01-01", "8000", -1, "x", None)])

    def broken():
        yield from arrow_lines(adm)
        raise OSError("disk full")

    with pytest.raises(OSError):
        Store(tmp_path).load(broken())
    assert list(tmp_path.iterdir()) == []
    assert not Store(tmp_path).ready


def test_leftovers_of_a_killed_build_are_removed(tmp_path):
    dead = tmp_path / ".view.sqlite.999999999.part"  # no such process
    dead.write_bytes(b"half a store")
    kept = tmp_path / f".search.txt.{os.getppid()}.part"  # a live process may still be writing it
    kept.write_bytes(b"")
    adm = _adm([("VK", "1", "2025-01-01", "1300", 1, "x", None), ("VK", "1", "2025-01-01", "8000", -1, "x", None)])
    _load(adm, tmp_path)
    assert not dead.exists() and kept.exists()


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("1.234,56", 123456), ("1234,56", 123456), ("1234.56", 123456), ("1,234.56", 123456), ("€ 12,5", 1250),
     ("-12,50", 1250), ("1.234", 123400), ("1.234.567", 123456700), ("12", 1200), ("0,01", 1)],
)
def test_amounts_as_a_bookkeeper_types_them(typed, cents):
    assert parse_amount(typed) == cents


@pytest.mark.parametrize("typed", ["twaalf", "1,2,3", "", "12,345", "--1", "1e5"])
def test_what_is_not_an_amount(typed):
    assert parse_amount(typed) is None


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet="abcXYZé \n|", min_size=0, max_size=12), min_size=1, max_size=30),
       st.text(alphabet="abcé", min_size=1, max_size=3))
def test_text_search_agrees_with_a_plain_scan(tmp_path_factory, texts, term):
    lines = []
    for n, text in enumerate(texts):
        lines += [("M", str(n), "2025-01-01", "1000", 1, text, None), ("M", str(n), "2025-01-01", "8000", -1, "", None)]
    store = _load(_adm(lines), tmp_path_factory.mktemp("s"))
    found = [r["seq"] for r in store.search(text=term)[0]]
    expected = [2 * n + 1 for n, text in enumerate(texts)
                if term.lower() in f"boeking {n} | {' '.join(text.lower().split(chr(10)))} |  | "]
    expected += [2 * n + 2 for n in range(len(texts)) if term.lower() in f"boeking {n} |  |  | "]
    assert found == sorted(expected)[:PAGE]


def test_open_items_come_a_page_at_a_time_with_their_totals(tmp_path):
    import datetime

    adm = _adm([("VK", "1", "2025-01-01", "1300", 1, "x", "D1"), ("VK", "1", "2025-01-01", "8000", -1, "x", None)])
    store = _load(adm, tmp_path)
    assert store.open_items("D1") is None and store.relations()[0]["open"] is None  # not computed yet
    day = datetime.date(2025, 1, 1)
    items = pd.DataFrame([
        {"relation_id": "D1", "control_account": "1300", "invoice": f"F{n:04d}", "kind": "invoice",
         "invoice_date": day + datetime.timedelta(days=n % 300), "due_date": None, "original_amount": 100,
         "paid_amount": 100 if n < 3 else 0, "open_amount": 0 if n < 3 else 100, "days_overdue": None,
         "status": "paid" if n < 3 else "open", "matched_by": ""}
        for n in range(253)
    ])
    store.save_open_items(items, "per 2025-12-31")
    pages = [store.open_items("D1", p) for p in (1, 2, 3)]
    assert [len(p.rows) for p in pages] == [100, 100, 50] and pages[0].total == 250
    dates = [r["invoice_date"] for p in pages for r in p.rows]
    assert dates == sorted(dates) and all(r["open_amount"] == 100 for p in pages for r in p.rows)
    assert store.open_summary("D1") == {"open": 25000, "open_count": 250, "paid_count": 3}
    assert store.open_summary("D9") == {"open": 0, "open_count": 0, "paid_count": 0}
    assert store.relations()[0]["open"] == 25000
    assert store.open_items_note() == "per 2025-12-31"
