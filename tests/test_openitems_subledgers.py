"""Subledgers, obSubledgers and matchKeyID on a small hand-made XAF 3.2 file (none of the real samples has
matchKeyID or obSubledgers with real data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from koppel.errors import KoppelError
from koppel.openitems.engine import compute_open_items
from koppel.openitems.opening import opening_with_open_items
from koppel.xaf.reader import read_xaf

NS = "http://www.auditfiles.nl/XAF/3.2"


def _tr(nr: str, date: str, lines: list[str]) -> str:
    head = f"<transaction><nr>{nr}</nr><desc>tx {nr}</desc><periodNumber>1</periodNumber><trDt>{date}</trDt>"
    return head + "".join(lines) + "</transaction>"


def _line(nr, acc, amnt, tp, extra="") -> str:
    return (
        f"<trLine><nr>{nr}</nr><accID>{acc}</accID><docRef>d{nr}</docRef><effDate>2024-01-10</effDate>"
        f"<desc>x</desc><amnt>{amnt}</amnt><amntTp>{tp}</amntTp>{extra}</trLine>"
    )


def _sb(nr, jrn, tr, ln, amnt, tp, rel, extra="") -> str:
    return (
        f"<sbLine><nr>{nr}</nr><jrnID>{jrn}</jrnID><trNr>{tr}</trNr><trLineNr>{ln}</trLineNr><amnt>{amnt}</amnt>"
        f"<amntTp>{tp}</amntTp><custSupID>{rel}</custSupID>{extra}</sbLine>"
    )


def auditfile(tmp_path: Path, sb_side: str = "C") -> Path:
    relations = "".join(
        f"<customerSupplier><custSupID>{r}</custSupID><custSupName>{r}</custSupName><custSupTp>{t}</custSupTp></customerSupplier>"
        for r, t in (("K1", "C"), ("K2", "C"), ("L1", "S"))
    )
    accounts = "".join(
        f"<ledgerAccount><accID>{a}</accID><accDesc>{d}</accDesc><accTp>{t}</accTp></ledgerAccount>"
        for a, d, t in (
            ("0500", "Kapitaal", "B"),
            ("1100", "Bank", "B"),
            ("1300", "Handelsvorderingen", "B"),
            ("8000", "Omzet", "P"),
        )
    )
    ob = (
        "<openingBalance><opBalDate>2024-01-01</opBalDate><linesCount>3</linesCount><totalDebit>1300.00</totalDebit>"
        "<totalCredit>1300.00</totalCredit>"
        "<obLine><nr>1</nr><accID>1300</accID><amnt>300.00</amnt><amntTp>D</amntTp></obLine>"
        "<obLine><nr>2</nr><accID>1100</accID><amnt>1000.00</amnt><amntTp>D</amntTp></obLine>"
        "<obLine><nr>3</nr><accID>0500</accID><amnt>1300.00</amnt><amntTp>C</amntTp></obLine>"
        "<obSubledgers><obSubledger><sbType>CU</sbType><linesCount>2</linesCount><totalDebit>300.00</totalDebit>"
        "<totalCredit>0.00</totalCredit>"
        "<obSbLine><nr>1</nr><obLineNr>1</obLineNr><amnt>100.00</amnt><amntTp>D</amntTp><custSupID>K1</custSupID>"
        "<invRef>OB-1</invRef><invDt>2023-12-01</invDt><invDueDt>2023-12-31</invDueDt></obSbLine>"
        "<obSbLine><nr>2</nr><obLineNr>1</obLineNr><amnt>200.00</amnt><amntTp>D</amntTp><custSupID>K2</custSupID>"
        "<invRef>OB-2</invRef><invDt>2023-12-15</invDt><invDueDt>2024-01-14</invDueDt></obSbLine>"
        "</obSubledger></obSubledgers></openingBalance>"
    )
    vk = _tr(
        "1",
        "2024-01-10",
        [
            _line(
                "1", "1300", "121.00", "D", "<custSupID>K1</custSupID><invRef>F-1</invRef><matchKeyID>M1</matchKeyID>"
            ),
            _line("2", "8000", "121.00", "C"),
        ],
    )
    bnk = "".join(
        [
            _tr(
                "2",
                "2024-02-01",
                [
                    _line("1", "1100", "121.00", "D"),
                    _line("2", "1300", "121.00", "C", "<custSupID>K1</custSupID><matchKeyID>M1</matchKeyID>"),
                ],
            ),
            _tr(
                "3",
                "2024-02-02",
                [_line("1", "1100", "50.00", "D"), _line("2", "1300", "50.00", "C", "<custSupID>K2</custSupID>")],
            ),
            _tr(
                "4",
                "2024-02-03",
                [_line("1", "1100", "100.00", "D"), _line("2", "1300", "100.00", "C", "<custSupID>K1</custSupID>")],
            ),
        ]
    )
    sub = (
        "<subledgers><subledger><sbType>CU</sbType><linesCount>2</linesCount><totalDebit>121.00</totalDebit>"
        "<totalCredit>50.00</totalCredit>"
        + _sb(
            "1",
            "VK",
            "1",
            "1",
            "121.00",
            "D",
            "K1",
            "<invRef>F-1</invRef><invDt>2024-01-10</invDt><invDueDt>2024-02-09</invDueDt><mutTp>I</mutTp>",
        )
        + _sb("2", "BNK", "3", "2", "50.00", sb_side, "K2", "<invRef>OB-2</invRef><mutTp>P</mutTp>")
        + "</subledger></subledgers>"
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><auditfile xmlns="{NS}"><header><fiscalYear>2024</fiscalYear>'
        "<startDate>2024-01-01</startDate><endDate>2024-12-31</endDate><curCode>EUR</curCode>"
        "<dateCreated>2024-12-31</dateCreated><softwareDesc>test</softwareDesc><softwareVersion>1</softwareVersion>"
        "</header><company><companyName>Test BV</companyName><taxRegistrationCountry>NL</taxRegistrationCountry>"
        f"<taxRegIdent>NL000000000B01</taxRegIdent><customersSuppliers>{relations}</customersSuppliers>"
        f"<generalLedger>{accounts}</generalLedger>{ob}"
        "<transactions><linesCount>8</linesCount><totalDebit>392.00</totalDebit><totalCredit>392.00</totalCredit>"
        f"<journal><jrnID>VK</jrnID><desc>Verkoop</desc><jrnTp>S</jrnTp>{vk}</journal>"
        f"<journal><jrnID>BNK</jrnID><desc>Bank</desc><jrnTp>B</jrnTp>{bnk}</journal>{sub}"
        "</transactions></company></auditfile>"
    )
    path = tmp_path / "sub.xaf"
    path.write_text(xml, encoding="utf-8")
    return path


def test_matchkey_subledger_and_amount_fallback_each_place_one_payment(tmp_path):
    path = auditfile(tmp_path)
    adm = read_xaf(path, subledgers=True)
    data = adm.subledgers
    assert sorted(data.lines["kind"]) == ["ob", "ob", "sb", "sb"]
    assert list(data.tr_keys["match_key"]) == ["M1", "M1"]
    result = compute_open_items(adm, subledgers=data)
    assert [(c.account_id, c.side, c.reason) for c in result.control] == [("1300", "customer", "subledger CU")]
    items = result.items.set_index("invoice")
    assert items.loc["F-1", ["status", "matched_by"]].tolist() == ["paid", "matchKeyID 1"]
    assert str(items.loc["F-1", "due_date"]) == "2024-02-09"
    assert items.loc["OB-2", ["status", "open_amount", "matched_by"]].tolist() == ["partly paid", 15000, "subledger 1"]
    assert str(items.loc["OB-2", "due_date"]) == "2024-01-14" and items.loc["OB-2", "days_overdue"] == 352
    assert items.loc["OB-1", ["status", "matched_by"]].tolist() == ["paid", "relation+amount 1"]
    recon = result.reconciliation.iloc[0]
    assert (recon["closing_balance"], recon["open_items_total"], recon["reconciles"]) == (15000, 15000, True)


def test_opening_with_open_items_takes_the_obsubledger_detail(tmp_path):
    path = auditfile(tmp_path)
    adm = read_xaf(path, subledgers=True)
    new = opening_with_open_items(adm, subledgers=adm.subledgers)
    ob = new.opening_balance
    debtors = ob[ob["account_id"] == "1300"]
    assert list(zip(debtors["relation_id"], debtors["invoice_ref"], debtors["amount"], strict=True)) == [
        ("K1", "OB-1", 10000),
        ("K2", "OB-2", 20000),
    ]
    assert [str(d.date()) for d in debtors["due_date"]] == ["2023-12-31", "2024-01-14"]
    assert new.lines.rows == 8 and int(ob["amount"].sum()) == 0


def test_subledger_line_without_side_is_refused_with_its_place(tmp_path):
    path = auditfile(tmp_path, sb_side="X")
    with pytest.raises(KoppelError) as exc:
        read_xaf(path, subledgers=True)
    assert exc.value.field == "sbLine/amntTp" and exc.value.file == path and exc.value.line == 1


def test_a_trline_with_a_recref_only_has_no_match_key(tmp_path):
    """A trLine with a recRef and no matchKeyID joins no matchKeyID item: the missing key (NaN in the key table)
    was a key of its own, so a relation's payment and an unrelated invoice that both lacked one were one item."""
    path = auditfile(tmp_path)
    text = path.read_text(encoding="utf-8").replace(  # tx 4: K1's payment of 100.00, a recRef only
        "<amnt>100.00</amnt><amntTp>C</amntTp><custSupID>K1</custSupID>",
        "<amnt>100.00</amnt><amntTp>C</amntTp><custSupID>K1</custSupID><recRef>R4</recRef>",
    )
    invoice = _tr("5", "2024-03-01", [  # a second invoice of K1, with a recRef only
        _line("1", "1300", "80.00", "D", "<custSupID>K1</custSupID><invRef>F-9</invRef><recRef>R5</recRef>"),
        _line("2", "8000", "80.00", "C"),
    ])  # fmt: skip
    text = text.replace("<jrnTp>S</jrnTp>", "<jrnTp>S</jrnTp>" + invoice, 1).replace(
        "<linesCount>8</linesCount><totalDebit>392.00</totalDebit><totalCredit>392.00</totalCredit>",
        "<linesCount>10</linesCount><totalDebit>472.00</totalDebit><totalCredit>472.00</totalCredit>",
    )
    path.write_text(text, encoding="utf-8")
    adm = read_xaf(path, subledgers=True)
    assert adm.subledgers.tr_keys["rec_ref"].tolist()[::3] == ["R5", "R4"]  # the key table has both lines
    items = compute_open_items(adm, subledgers=adm.subledgers).items.set_index("invoice")
    assert items.loc["F-9", ["status", "open_amount", "matched_by"]].tolist() == ["open", 8000, ""]
    assert items.loc["OB-1", ["status", "matched_by"]].tolist() == ["paid", "relation+amount 1"]
    assert items.loc["F-1", ["status", "matched_by"]].tolist() == ["paid", "matchKeyID 1"]


def test_an_opening_line_of_a_relation_without_a_name_names_its_id(tmp_path):
    """A relation without a name among relations with one: its opening lines say its id, never 'nan'."""
    path = auditfile(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("<custSupName>K2</custSupName>", ""), encoding="utf-8")
    adm = read_xaf(path, subledgers=True)
    ob = opening_with_open_items(adm, subledgers=adm.subledgers).opening_balance
    debtors = ob[ob["account_id"] == "1300"]
    assert debtors["description"].tolist() == ["OB-1 K1", "OB-2 K2"]
