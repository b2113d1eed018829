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
from tests.format_params import formats, spec_tests

SOURCE = "rxaf__exact-online_xaf3.2_2016.xaf"
OPTIONS = {"opening_with_open_items": True, "open_items_at": "2016-06-30", "result_account": "0500", "truncate": True}
# per target: the written text that shows relation 22 and invoice 16700002 on one opening line ([tests] of its spec)
CARRIES = formats(lambda f: f.writes and bool(f.opening_items))
CANNOT = formats(lambda f: f.writes and not f.opening_items)


def test_every_target_that_claims_open_items_has_a_check():
    assert set(CARRIES) == set(targets_with_open_items()[0]) and len(CARRIES) >= 8
    assert [t for t in CARRIES if "opening_items" not in spec_tests(t)] == []


@pytest.mark.parametrize("target", CARRIES)
def test_target_writes_relation_and_invoice_number_on_the_opening_line(tmp_path, target):
    result = convert(shared_sample(SOURCE), target, tmp_path / "out", options=OPTIONS)
    assert result.equal
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in result.files if p.is_file())
    assert re.search(spec_tests(target)["opening_items"], text, re.S), target


@pytest.mark.parametrize("target", CANNOT)
def test_targets_that_cannot_are_refused_and_listed(tmp_path, target):
    can, cannot = targets_with_open_items()
    assert target in cannot and target not in can
    with pytest.raises(KoppelError) as exc:
        convert(shared_sample(SOURCE), target, tmp_path / "out", options=OPTIONS)
    assert f"{target} cannot carry an opening balance with one line per open invoice" in str(exc.value)
