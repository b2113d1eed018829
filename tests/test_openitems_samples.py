"""Open items on the shared real auditfiles, checked against figures computed here straight from lxml."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from koppel.openitems.engine import compute_open_items
from koppel.openitems.opening import opening_with_open_items
from koppel.xaf.reader import read_xaf
from tests.conftest import shared_sample

EXACT = "rxaf__exact-online_xaf3.2_2016.xaf"
MULTIVERS = "rxaf__unit4-multivers_xaf3.2_2017.xaf"
TWINFIELD = "rxaf__twinfield_xaf3.1_2016.xaf"
EBOEK = "mikel-dataloader__e-boekhouden_xaf3.2_2019.xaf.xml"


def _cents(text: str, side: str) -> int:
    cents = int(Decimal(text.strip()) * 100)
    return cents if side.strip() == "D" else -cents


def _tr_lines(name: str) -> list[dict]:
    """Every trLine with its journal and transaction, amounts in signed cents — plain lxml, no koppel code."""
    root = etree.parse(str(shared_sample(name))).getroot()
    ns = {"x": root.nsmap[None]}
    out = []
    for journal in root.iterfind(".//x:journal", ns):
        jrn = journal.findtext("x:jrnID", namespaces=ns)
        for tx in journal.iterfind("x:transaction", ns):
            for line in tx.iterfind("x:trLine", ns):
                out.append(
                    {
                        "jrn": jrn,
                        "period": tx.findtext("x:periodNumber", namespaces=ns),
                        "acc": line.findtext("x:accID", namespaces=ns),
                        "rel": line.findtext("x:custSupID", namespaces=ns),
                        "inv": line.findtext("x:invRef", namespaces=ns),
                        "doc": line.findtext("x:docRef", namespaces=ns),
                        "cents": _cents(
                            line.findtext("x:amnt", namespaces=ns), line.findtext("x:amntTp", namespaces=ns)
                        ),
                    }
                )
    return out


def _ob_lines(name: str) -> list[dict]:
    root = etree.parse(str(shared_sample(name))).getroot()
    ns = {"x": root.nsmap[None]}
    return [
        {
            "acc": ob.findtext("x:accID", namespaces=ns),
            "rel": ob.findtext("x:custSupID", namespaces=ns),
            "cents": _cents(ob.findtext("x:amnt", namespaces=ns), ob.findtext("x:amntTp", namespaces=ns)),
        }
        for ob in root.iterfind(".//x:obLine", ns)
    ]


def _result(name: str, **kw):
    path = shared_sample(name)
    adm = read_xaf(path, subledgers=True)  # subledgers and match keys come from the read's own pass
    return compute_open_items(adm, subledgers=adm.subledgers, **kw)


def _open_by_key(result) -> Counter:
    items = result.open_items()
    return Counter(
        zip(items["control_account"], items["relation_id"], items["invoice"], items["open_amount"], strict=True)
    )


def _closing(lines: list[dict], accounts: set[str], ob: list[dict] | None = None) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for line in [*lines, *(ob or [])]:
        if line["acc"] in accounts:
            out[line["acc"]] += line["cents"]
    return dict(out)


def test_exact_online_items_are_the_invref_groups_and_unreferenced_receipts_stay_unallocated():
    result = _result(EXACT)
    assert [(c.account_id, c.side) for c in result.control] == [("1300", "customer"), ("1600", "supplier")]
    expected: Counter = Counter()
    groups: dict[tuple, int] = defaultdict(int)
    for line in _tr_lines(EXACT):
        if line["acc"] in ("1300", "1600") and line["rel"]:
            if line["inv"]:
                groups[(line["acc"], line["rel"], line["inv"])] += line["cents"]
            else:  # Exact's receipts carry no invRef (their sbLine says invRef 0): unallocated, one item each
                expected[(line["acc"], line["rel"], "", line["cents"])] += 1
    expected.update({(*key, cents): 1 for key, cents in groups.items() if cents})
    assert _open_by_key(result) == expected
    unallocated = result.items[result.items["status"] == "unallocated"]
    assert sorted(unallocated["open_amount"]) == [-39184246, -1000000, 100000]
    # every invoice due date comes from sbLine/invDueDt: 16700002 is due 2016-03-09
    row = result.items[result.items["invoice"] == "16700002"].iloc[0]
    assert str(row["due_date"]) == "2016-03-09" and row["days_overdue"] == 297


@pytest.mark.parametrize("name", [EXACT, MULTIVERS, TWINFIELD])
def test_open_items_reconcile_exactly_with_the_control_accounts(name):
    result = _result(name)
    accounts = {c.account_id for c in result.control}
    closing = _closing(_tr_lines(name), accounts, _ob_lines(name))
    recon = result.reconciliation.set_index("control_account")
    for acc in accounts:
        assert recon.loc[acc, "closing_balance"] == closing.get(acc, 0)
        assert recon.loc[acc, "open_items_total"] == closing.get(acc, 0)
        assert bool(recon.loc[acc, "reconciles"]) is True
    assert int(result.open_items()["open_amount"].sum()) == sum(closing.values())


def test_multivers_subledger_names_the_control_accounts_and_reports_the_dangling_sbline():
    result = _result(MULTIVERS)
    assert [(c.account_id, c.side, c.reason) for c in result.control] == [
        ("1300", "customer", "subledger CU"),
        ("1310", "customer", "subledger CU"),
        ("1600", "supplier", "subledger SU"),
        ("1610", "supplier", "subledger SU"),
    ]
    # EXPECTED.md XAF-K10: one sbLine points to journal I, trNr 1-11, trLineNr 106, which does not exist
    assert result.notes == [
        "1 subledger line(s) point to no transaction line (e.g. journal I, trNr 1-11, trLineNr 106); "
        "their data is not used"
    ]
    expected: dict[tuple, int] = defaultdict(int)
    for line in _tr_lines(MULTIVERS):
        if line["acc"] in ("1300", "1310", "1600", "1610"):
            expected[(line["acc"], line["rel"], line["inv"])] += line["cents"]
    assert _open_by_key(result) == Counter({(*key, c): 1 for key, c in expected.items() if c})
    partly = result.items[result.items["status"] == "partly paid"]
    assert list(zip(partly["invoice"], partly["original_amount"], partly["paid_amount"], strict=True)) == [
        ("20170004", 291610, 18150)
    ]


def test_twinfield_subledger_resolves_after_the_journal_prefix_and_gives_due_dates():
    result = _result(TWINFIELD)
    assert result.notes == []  # all 80 sbLines resolve once <jrnID>. is prefixed (EXPECTED.md K10)
    assert {c.reason for c in result.control} == {"subledger CU", "subledger SU"}
    row = result.items[(result.items["relation_id"] == "2002") & (result.items["invoice"] == "1200234")].iloc[0]
    assert (str(row["invoice_date"]), str(row["due_date"])) == ("2016-05-29", "2016-06-12")  # only in sbLine
    # the period-0 opening carries one line per relation with invRef "0": an opening item without number
    opening = result.items[result.items["reference"] == "opening"]
    ob = [
        line
        for line in _tr_lines(TWINFIELD)
        if line["period"] == "0" and line["acc"] in ("1300", "1600") and line["rel"]
    ]
    assert len(opening) == len(ob) == 62
    assert int(opening["open_amount"].sum()) == sum(line["cents"] for line in ob)


def test_eboekhouden_matches_by_doc_ref_and_explains_the_opening_without_relations():
    result = _result(EBOEK)
    assert [(c.account_id, c.side, c.reason) for c in result.control] == [
        ("1300", "customer", "account name"),
        ("1700", "supplier", "account name"),
    ]
    groups: dict[tuple, int] = defaultdict(int)
    for line in _tr_lines(EBOEK):
        if line["acc"] in ("1300", "1700") and line["rel"]:
            groups[(line["acc"], line["rel"], line["doc"])] += line["cents"]
    expected = Counter((acc, rel, cents) for (acc, rel, _doc), cents in groups.items() if cents)
    items = result.open_items()
    assert Counter(zip(items["control_account"], items["relation_id"], items["open_amount"], strict=True)) == expected
    assert set(result.postings["method"]) == {"doc_ref", "none", "unallocated", "no relation: not an item"}
    # the opening balance puts 13164.80 on 1300 and -302.50 on 1700 without a relation: the only difference
    ob = {line["acc"]: line["cents"] for line in _ob_lines(EBOEK) if line["acc"] in ("1300", "1700")}
    recon = result.reconciliation.set_index("control_account")
    for acc, cents in ob.items():
        assert recon.loc[acc, "difference"] == recon.loc[acc, "opening_without_relation"] == cents
        assert recon.loc[acc, "unexplained"] == 0
    assert ob == {"1300": 1316480, "1700": -30250}


def test_at_date_leaves_out_later_payments():
    early = _result(EBOEK, at=date(2019, 2, 1))
    row = early.items[early.items["invoice"] == "246864246.20"].iloc[0]
    assert (row["status"], row["open_amount"]) == ("open", 1084160)  # paid on 2019-02-12
    late = _result(EBOEK)
    assert late.items[late.items["invoice"] == "246864246.20"].iloc[0]["status"] == "paid"


def test_twinfield_opening_split_per_relation_keeps_every_entry():
    path = shared_sample(TWINFIELD)
    adm = read_xaf(path, subledgers=True)
    new = opening_with_open_items(adm, subledgers=adm.subledgers)
    ob = new.opening_balance
    assert new.header.opening_date == "2016-01-01" and new.header.opening_source == "openingBalance"
    assert int(ob["amount"].sum()) == 0
    on_control = ob[ob["account_id"].isin(["1300", "1600"])]
    assert len(on_control) == 62 and on_control["relation_id"].notna().all()
    assert new.lines.rows == adm.lines.rows - 87  # only the period-0 entry became the opening balance
