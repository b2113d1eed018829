"""The uniqueness rules (XAF-U01 … U12) one by one: a repeat is reported at its own line, a first id is kept."""

from __future__ import annotations

import pytest

from koppel.checks.findings import Collector
from koppel.checks.rules_unique import (
    rule_u01_relation_id_unique,
    rule_u02_account_id_unique,
    rule_u03_rgs_code_unique,
    rule_u04_vat_id_unique,
    rule_u05_period_number_unique,
    rule_u06_journal_id_unique,
    rule_u07_entry_unique,
    rule_u08_line_nr_unique,
    rule_u09_opening_line_nr_unique,
    rule_u10_basic_unique,
    rule_u11_subledger_line_nr_unique,
    rule_u12_clair2_id_unique,
)


def _found(out: Collector) -> list[tuple]:
    return [(f["code"], f["line"], f["path"], f["count"], f["places"][0]["values"]) for f in out.findings()]


@pytest.mark.parametrize(
    ("rule", "code", "path", "what"),
    [
        (rule_u01_relation_id_unique, "XAF-U01", "customerSupplier[X]", "custSupID"),
        (rule_u02_account_id_unique, "XAF-U02", "ledgerAccount[X]", "accID"),
        (rule_u04_vat_id_unique, "XAF-U04", "vatCode[X]", "vatID"),
        (rule_u05_period_number_unique, "XAF-U05", "period[X]", "periodNumber"),
        (rule_u06_journal_id_unique, "XAF-U06", "journal[X]", "jrnID"),
    ],
)
def test_a_master_id_twice_is_reported_at_each_repeat(rule, code: str, path: str, what: str) -> None:
    out, seen = Collector(), set()
    for line, value in ((3, "X"), (7, "Y"), (9, "X"), (12, None), (13, None), (15, "X")):
        rule(value, line, seen, out)
    assert _found(out) == [(code, 9, path, 2, {what: "X"})]
    assert seen == {"X", "Y"}


def test_u03_an_rgs_code_on_two_accounts() -> None:
    out, seen = Collector(), set()
    rule_u03_rgs_code_unique("BLimKas", "1000", 4, seen, out)
    rule_u03_rgs_code_unique(None, "1010", 5, seen, out)
    rule_u03_rgs_code_unique("BLimKas", "1020", 6, seen, out)
    assert _found(out) == [("XAF-U03", 6, "ledgerAccount[1020]/RGScode", 1, {"RGScode": "BLimKas"})]


@pytest.mark.parametrize(
    ("clair2", "values"),
    [(False, {"jrnID": "V", "nr": "1"}), (True, {"journalID": "V", "transactionID": "1"})],
)
def test_u07_an_entry_number_twice_in_its_journal(clair2: bool, values: dict) -> None:
    out, seen = Collector(), set()
    rule_u07_entry_unique("V", "1", 10, "journal[V]/transaction[1]", seen, out, clair2=clair2)
    rule_u07_entry_unique("I", "1", 20, "journal[I]/transaction[1]", seen, out, clair2=clair2)  # other journal
    rule_u07_entry_unique("V", None, 25, "journal[V]/transaction[None]", seen, out, clair2=clair2)
    rule_u07_entry_unique("V", "1", 30, "journal[V]/transaction[1]", seen, out, clair2=clair2)
    assert _found(out) == [("XAF-U07", 30, "journal[V]/transaction[1]", 1, values)]
    assert len(seen) == 2  # hashes, not the ids


def test_u08_a_line_number_twice_in_one_transaction() -> None:
    out, seen = Collector(), set()
    for line, nr in ((2, "1"), (3, "2"), (4, "1")):
        rule_u08_line_nr_unique(nr, "T1", line, f"t/trLine[{nr}]", seen, out)
    rule_u08_line_nr_unique("2", "T1", 5, "t/line[2]", seen, out, field="recordID")
    assert _found(out) == [("XAF-U08", 4, "t/trLine[1]", 2, {"transaction": "T1", "nr": "1"})]
    assert out.findings()[0]["places"][1]["values"] == {"transaction": "T1", "recordID": "2"}


def test_u09_an_opening_line_number_twice() -> None:
    out, seen = Collector(), set()
    rule_u09_opening_line_nr_unique("1", 2, "openingBalance/obLine[1]", seen, out)
    rule_u09_opening_line_nr_unique("1", 3, "openingBalance/obLine[1]", seen, out)
    assert _found(out) == [("XAF-U09", 3, "openingBalance/obLine[1]", 1, {"nr": "1"})]


def test_u10_a_basic_twice_counts_its_type_with_two_digits() -> None:
    out, seen = Collector(), set()
    rule_u10_basic_unique("2", "K1", 5, seen, out)
    rule_u10_basic_unique("02", "K1", 8, seen, out)  # the same type: 2 and 02
    rule_u10_basic_unique("03", "K1", 9, seen, out)
    rule_u10_basic_unique(None, "K2", 10, seen, out)
    assert _found(out) == [("XAF-U10", 8, "basic[02/K1]", 1, {"basicType": "02", "basicID": "K1"})]
    assert seen == {("02", "K1"), ("03", "K1")}  # what XAF-K09 looks codes up in


def test_u11_a_subledger_line_number_twice() -> None:
    out, seen = Collector(), set()
    for line, nr in ((4, "1"), (5, None), (6, "1"), (7, "1")):
        rule_u11_subledger_line_nr_unique(nr, line, f"subledger[CU]/sbLine[{nr}]", seen, out)
    assert _found(out) == [("XAF-U11", 6, "subledger[CU]/sbLine[1]", 2, {"nr": "1"})]


def test_u12_a_clair2_id_twice_in_the_file() -> None:
    out, seen = Collector(), set()
    rule_u12_clair2_id_unique("R1", "recordID", 3, "a/line[R1]", seen, out)
    rule_u12_clair2_id_unique("R1", "recordID", 9, "b/line[R1]", seen, out)
    rule_u12_clair2_id_unique(None, "recordID", 10, "b/line[None]", seen, out)
    assert _found(out) == [("XAF-U12", 9, "b/line[R1]", 1, {"recordID": "R1"})]


@pytest.mark.parametrize("sample", ["voorbeeld_xaf32.xaf", "voorbeeld_clair2.xml", "voorbeeld_xaf40.xaf"])
def test_the_scanner_drops_its_uniqueness_sets_when_the_pass_ends(sample: str) -> None:
    """A hash per transaction is needed only while the pass runs: a job that checks and converts on one pass holds
    the scanner through its writing, so the sets are emptied at the end of the root element."""
    from koppel.checks.findings import Collector as Out
    from koppel.checks.scan import Scanner
    from koppel.xaf.events import RecordPass, open_source
    from koppel.xaf.versions import sniff_xaf
    from tests.conftest import SAMPLES

    info = sniff_xaf(SAMPLES / sample)
    scanner = Scanner(info.version, Out())
    records = RecordPass(open_source(info), info.namespace)
    seen_during = []
    scanner.subscribe(records)
    records.subscribe({"transaction": lambda _e: seen_during.append(len(scanner._tx_seen) + len(scanner._tx_ids))})
    records.run_to_end()
    assert seen_during[-1] > 0  # the rule's set was filled while the pass ran
    assert (scanner._tx_seen, scanner._tx_ids, scanner._record_ids, scanner._seen) == (set(), set(), set(), {})
    assert records.root is not None and len(records.root)  # the root stays for the reader's count of what is left
