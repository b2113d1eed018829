"""Readers never give a missing or unknown value a meaning of their own: it stays unknown and is reported,
or the input is refused in one line (issue 19: signs, debit/credit indicators, VAT sides, relation and
journal types)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from koppel.errors import KoppelError
from koppel.formats.exact_online_reader import read_exact_online
from koppel.relations.read import read_relations
from koppel.sources.reader import read_source
from koppel.xaf import read_xaf
from tests.conftest import SAMPLES
from tests.test_account_kinds import XAF32_ACCOUNTS

SRC = SAMPLES / "sources"


def test_xaf_vat_side_other_than_d_or_c_leaves_the_vat_amount_unknown(tmp_path: Path) -> None:
    text = XAF32_ACCOUNTS.replace(
        "<amnt>10.00</amnt><amntTp>C</amntTp></trLine>",
        "<amnt>10.00</amnt><amntTp>C</amntTp><vat><vatID>V</vatID><vatPerc>0.21</vatPerc><vatAmnt>2.10</vatAmnt>"
        "<vatAmntTp>X</vatAmntTp></vat></trLine>",
    )
    src = tmp_path / "v.xaf"
    src.write_text(text, encoding="utf-8")
    adm = read_xaf(src)
    line = adm.lines.frame().iloc[1]
    assert line["vat_code"] == "V" and pd.isna(line["vat_amount"])
    assert adm.unknown_codes["trLine/vat/vatAmntTp"] == {"X": 1}
    assert adm.not_carried["trLine/vat/vatAmnt (side unknown: not carried)"] == 1


@pytest.mark.parametrize(("indicator", "field"), [("", "Ntry/CdtDbtInd"), ("XXXX", "Ntry/CdtDbtInd")])
def test_camt_entry_without_a_known_side_is_refused(tmp_path: Path, indicator: str, field: str) -> None:
    text = (SRC / "bank_camt053.xml").read_text(encoding="utf-8")
    text = text.replace("<CdtDbtInd>CRDT</CdtDbtInd>", f"<CdtDbtInd>{indicator}</CdtDbtInd>", 1)
    src = tmp_path / "s.xml"
    src.write_text(text, encoding="utf-8")
    with pytest.raises(KoppelError) as info:
        read_source(src, profile="bank-camt053")
    assert info.value.field == field and info.value.line == 20  # the second <Ntry>
    assert "entry 2" in info.value.message and "\n" not in str(info.value)


def test_camt_amount_without_currency_takes_the_account_currency(tmp_path: Path) -> None:
    text = (SRC / "bank_camt053.xml").read_text(encoding="utf-8").replace('<Amt Ccy="EUR">1210.00', "<Amt>1210.00")
    src = tmp_path / "s.xml"
    src.write_text(text, encoding="utf-8")
    lines = read_source(src, profile="bank-camt053").lines.frame()
    assert lines["currency"].isna().all() or set(lines["currency"].dropna()) <= {"EUR"}
    without_account = text.replace("<Ccy>EUR</Ccy>", "")
    src.write_text(without_account, encoding="utf-8")
    with pytest.raises(KoppelError, match="no currency"):
        read_source(src, profile="bank-camt053")


def test_relation_list_without_a_kind_keeps_it_unknown(tmp_path: Path) -> None:
    src = tmp_path / "r.csv"
    src.write_text("Relatienummer;Naam;Soort\n1;Een;debiteur\n2;Twee;\n", encoding="utf-8")
    kinds = read_relations(src).relations.set_index("relation_id")["kind"]
    assert kinds["1"] == "customer" and kinds.isna()["2"]  # not "other"


def test_exact_online_unknown_line_type_is_not_a_memorial_journal(tmp_path: Path) -> None:
    src = tmp_path / "eo.xml"
    src.write_text(
        '<?xml version="1.0"?><eExact><GLTransactions><GLTransaction entry="1"><Journal code="50">'
        "<Description>Btw</Description></Journal><Date>2025-01-31</Date>"
        '<GLTransactionLine type="50" line="1"><Date>2025-01-31</Date><GLAccount code="1500"/>'
        '<Amount><Currency code="EUR"/><Debit>10.00</Debit></Amount></GLTransactionLine>'
        '<GLTransactionLine type="50" line="2"><Date>2025-01-31</Date><GLAccount code="1510"/>'
        '<Amount><Currency code="EUR"/><Credit>10.00</Credit></Amount></GLTransactionLine>'
        "</GLTransaction></GLTransactions></eExact>",
        encoding="utf-8",
    )
    adm = read_exact_online(src)
    assert adm.journals.set_index("journal_id")["kind"].isna()["50"]
    assert adm.unknown_codes == {"GLTransactionLine/@type": {"50": 1}}


def test_exact_online_line_without_an_amount_is_counted_not_read_silently_as_zero(tmp_path: Path) -> None:
    src = tmp_path / "eo.xml"
    src.write_text(
        '<?xml version="1.0"?><eExact><GLTransactions><GLTransaction entry="1"><Journal code="90">'
        "<Description>Memoriaal</Description></Journal><Date>2025-01-31</Date>"
        '<GLTransactionLine type="90" line="1"><Date>2025-01-31</Date><GLAccount code="1500"/>'
        '<Amount><Currency code="EUR"/><Debit>10.00</Debit></Amount></GLTransactionLine>'
        '<GLTransactionLine type="90" line="2"><Date>2025-01-31</Date><GLAccount code="1510"/>'
        '<Amount><Currency code="EUR"/><Credit>10.00</Credit></Amount></GLTransactionLine>'
        '<GLTransactionLine type="90" line="3"><Date>2025-01-31</Date><GLAccount code="1520"/>'
        '<Amount><Currency code="EUR"/></Amount></GLTransactionLine>'
        '<GLTransactionLine type="90" line="4"><Date>2025-01-31</Date><GLAccount code="1530"/>'
        "</GLTransactionLine>"
        "</GLTransaction></GLTransactions></eExact>",
        encoding="utf-8",
    )
    adm = read_exact_online(src)
    assert adm.stats.lines == 4
    assert adm.not_carried == {"GLTransactionLine without an amount (booked as 0)": 2}

