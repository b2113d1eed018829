"""The XAF reader reproduces the figures of EXPECTED.md for every shared sample, exactly."""

from __future__ import annotations

import pytest

from koppel.errors import KoppelError
from koppel.money import format_cents
from koppel.summary import summarize
from koppel.xaf import read_xaf
from tests.conftest import shared_sample

# file, version, encoding, transactions, lines, Σ debit, Σ credit, OB lines, OB debit, OB credit,
# accounts, relations, vat codes, periods, journals
EXPECTED = [
    ("rxaf__exact-online_xaf3.2_2016.xaf", "3.2", "utf-8", 57, 167, "999954.06", "999954.06", 0, "0.00", "0.00",
     97, 29, 14, 12, 8),
    ("rxaf__unit4-multivers_xaf3.2_2017.xaf", "3.2", "iso8859-1", 69, 371, "135836.32", "135836.32", 22,
     "1109753.22", "1109753.22", 165, 31, 3, 12, 11),
    ("rxaf__twinfield_xaf3.1_2016.xaf", "3.1", "utf-8", 43, 181, "2255799.42", "2255799.42", 87, "2034985.42",
     "2034985.42", 177, 71, 2, 14, 9),
    ("rxaf__osfinancials_xaf3.1_2015.xaf", "3.1", "utf-8", 3, 10, "3630.00", "3630.00", 2, "0.00", "0.00",
     176, 2, 8, 0, 3),
    ("mikel-dataloader__e-boekhouden_xaf3.2_2019.xaf.xml", "3.2", "utf-8", 165, 414, "517416.49", "517416.49", 8,
     "169154.95", "169154.95", 50, 6, 20, 12, 5),
    ("banana-nl__banana-accounting_xaf3.2_2018.xaf", "3.2", "utf-8", 44, 121, "91275.49", "91275.49", 2,
     "5000.00", "5000.00", 131, 9, 24, 12, 1),
    ("banana-nl__banana-accounting_clair2_2015.xml", "2.0", "utf-8", 4, 12, "8530.00", "-8530.00", 0, "0.00",
     "0.00", 7, 4, 0, 0, 1),
    ("banana-nl__official-xaf3.2-testfile__XmlAuditfileFinancieel3.2_test.xml", "3.2", "utf-8", 1, 1, "0.00",
     "3.14", 1, "0.00", "3.14", 1, 1, 1, 1, 1),
    ("analyticslibrary__official-xaf3.2-testfile-2014-xmlspy__XmlAuditfileFinancieel3.2_test.xml", "3.2", "utf-8",
     1, 1, "0.00", "3.14", 1, "0.00", "3.14", 1, 1, 1, 1, 1),
]


@pytest.mark.parametrize("row", EXPECTED, ids=[r[0].split("__")[1][:40] for r in EXPECTED])
def test_shared_sample_figures(row):
    name, version, encoding, tx, lines, debit, credit, ob_lines, ob_d, ob_c, acc, rel, vat, per, jrn = row
    adm = read_xaf(shared_sample(name))
    s = summarize(adm)
    assert s["version"] == version
    assert s["encoding"] == encoding
    assert s["counts"] == {
        "accounts": acc,
        "relations": rel,
        "vat_codes": vat,
        "periods": per,
        "journals": jrn,
        "transactions": tx,
        "lines": lines,
        "opening_lines": ob_lines,
    }
    assert (s["totals"]["debit"], s["totals"]["credit"]) == (debit, credit)
    assert (s["totals"]["opening_debit"], s["totals"]["opening_credit"]) == (ob_d, ob_c)
    frame = adm.lines.frame()
    assert len(frame) == lines
    assert frame["amount"].dtype == "int64"


def test_lines_net_to_zero_where_the_file_balances():
    for name in ("rxaf__exact-online_xaf3.2_2016.xaf", "rxaf__unit4-multivers_xaf3.2_2017.xaf"):
        lines = read_xaf(shared_sample(name)).lines.frame()
        assert int(lines["amount"].sum()) == 0
        per_entry = lines.groupby(["journal_id", "entry_nr"])["amount"].sum()
        assert (per_entry == 0).all()


def test_ids_keep_leading_zeros():
    lines = read_xaf(shared_sample("rxaf__unit4-multivers_xaf3.2_2017.xaf")).lines.frame()
    assert "0120" in set(lines["account_id"])


def test_twinfield_opening_balance_from_period_zero():
    adm = read_xaf(shared_sample("rxaf__twinfield_xaf3.1_2016.xaf"))
    assert adm.header.opening_source == "period0"
    assert adm.opening_entries == {("JAAREIND-BAL", "JAAREIND-BAL.36")} or len(adm.opening_entries) == 1
    assert int(adm.opening_balance["amount"].sum()) == 0
    assert len(adm.opening_balance) == 87


def test_clair2_negative_credit_dialect_balances_banana():
    name = "banana-nl__banana-accounting_clair2_2015.xml"
    literal = read_xaf(shared_sample(name)).lines.frame()
    assert int(literal["amount"].sum()) == 1706000  # every transaction unbalanced when read literally
    fixed = read_xaf(shared_sample(name), clair2_negative_credit="abs").lines.frame()
    assert int(fixed["amount"].sum()) == 0
    assert (fixed.groupby(["journal_id", "entry_nr"])["amount"].sum() == 0).all()


def test_multivers_currency_and_latin1_text():
    adm = read_xaf(shared_sample("rxaf__unit4-multivers_xaf3.2_2017.xaf"))
    lines = adm.lines.frame()
    assert lines["currency"].value_counts().to_dict() == {"GBP": 12, "USD": 4}
    assert any("Löwenbrau" in str(n) for n in adm.relations["name"])
    # foreign amounts take the side of their line
    fx = lines[lines["currency"].notna()]
    assert ((fx["currency_amount"] < 0) == (fx["amount"] < 0)).all()


def test_bad_encoding_names_line_and_byte_offset():
    path = shared_sample("banana-nl__unit4-multivers_xaf3.2_2017_reformatted_bad-encoding.xml")
    with pytest.raises(KoppelError) as info:
        read_xaf(path)
    assert info.value.line == 100
    assert "0xF6 at offset 4143" in str(info.value)
    assert "--encoding iso-8859-1" in str(info.value)


def test_bad_encoding_override_reads_like_the_original():
    path = shared_sample("banana-nl__unit4-multivers_xaf3.2_2017_reformatted_bad-encoding.xml")
    adm = read_xaf(path, encoding="iso-8859-1")
    assert (adm.stats.transactions, adm.stats.lines) == (69, 371)
    assert format_cents(adm.stats.debit) == "135836.32"
    assert len(adm.opening_balance) == 22


def test_what_the_model_does_not_carry_is_counted():
    adm = read_xaf(shared_sample("rxaf__twinfield_xaf3.1_2016.xaf"))
    assert adm.not_carried["transactions/subledgers/subledger"] == 77
    assert adm.not_carried["customerSupplier/postalAddress"] == 28
