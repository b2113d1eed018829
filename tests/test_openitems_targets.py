"""Which targets carry an opening balance with one line per open invoice: checked on what each writer writes.

The Exact Online sample at 2016-06-30 has open sales invoice 16700002 of relation 22 (43922.37 on 1300).
"""

from __future__ import annotations

import re

import pytest

from koppel.errors import KoppelError
from koppel.openitems.opening import targets_with_open_items
from koppel.pipeline import convert
from tests.conftest import shared_sample

SOURCE = "rxaf__exact-online_xaf3.2_2016.xaf"
OPTIONS = {"opening_with_open_items": True, "open_items_at": "2016-06-30", "result_account": "0500", "truncate": True}
# per target: the written text that shows relation 22 and invoice 16700002 on one opening line
CARRIES = {
    "exact-online": r'<Account code="22"[^§]*?<InvoiceNumber>16700002</InvoiceNumber>',
    "exact-globe": r"1300,22,,16700002,43922\.37",
    "twinfield": r"<dim2>22</dim2>[^<]*<debitcredit>debit</debitcredit>[^§]*?<invoicenumber>16700002</invoicenumber>",
    "minox": r"1300,22,,16700002,43922\.37",
    "snelstart": r"1300;43922,37;;16700002 Fittsport BV;22;16700002;",
    "asperion": r"1300;16700002 Fittsport BV;43922,37;;;;22;;16700002;",
    "cash": r"1300;22;16700002 Fittsport BV;4392237;16700002;",
    "cash-ascii": r"0101 22\s+0306 16700002 Fittsport BV\s+0307 4392237\s+0309 16700002",
}


def test_every_target_that_claims_open_items_has_a_check():
    assert set(CARRIES) == set(targets_with_open_items()[0])


@pytest.mark.parametrize("target", sorted(CARRIES))
def test_target_writes_relation_and_invoice_number_on_the_opening_line(tmp_path, target):
    result = convert(shared_sample(SOURCE), target, tmp_path / "out", options=OPTIONS)
    assert result.equal
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in result.files if p.is_file())
    assert re.search(CARRIES[target], text, re.S), target


@pytest.mark.parametrize("target", ["accountview", "king", "afas", "multivers", "xaf32", "xaf40"])
def test_targets_that_cannot_are_refused_and_listed(tmp_path, target):
    can, cannot = targets_with_open_items()
    assert target in cannot and target not in can
    with pytest.raises(KoppelError) as exc:
        convert(shared_sample(SOURCE), target, tmp_path / "out", options=OPTIONS)
    assert f"{target} cannot carry an opening balance with one line per open invoice" in str(exc.value)
