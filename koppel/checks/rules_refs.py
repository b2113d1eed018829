"""Reference rules (XAF-K01 … XAF-K09): a code used in a line that its master table does not define.

Per element, on the hot path: the scanner hands each rule the code as written (stripped; ``None`` when absent,
which no rule reports), the line of the element that holds it, the path of the line and the set it must be in.
The master data precede the transactions in every XAF version, so the sets are complete when lines arrive.
The file-level reference rules (K05, K07, K10, K11) need the whole pass and live in :mod:`.rules`.
"""

from __future__ import annotations

from .findings import Collector


def rule_k01_account_known(
    acc: str | None, line: int | None, path: str, accounts: dict, out: Collector, *, field: str = "accID"
) -> None:
    """trLine/accID (CLAIR2 line/accountID, ``field``) is a ledgerAccount of the file."""
    if acc is not None and acc not in accounts:
        out.add("XAF-K01", line, f"{path}/{field}", {field: acc})


def rule_k02_opening_account_known(
    acc: str | None, line: int | None, path: str, accounts: dict, out: Collector
) -> None:
    """openingBalance/obLine/accID is a ledgerAccount of the file."""
    if acc is not None and acc not in accounts:
        out.add("XAF-K02", line, path + "/accID", {"accID": acc})


def rule_k03_relation_known(rel: str | None, line: int | None, path: str, relations: set, out: Collector) -> None:
    """custSupID of a line (trLine, CLAIR2 line, sbLine) is a customerSupplier of the file."""
    if rel is not None and rel not in relations:
        out.add("XAF-K03", line, path + "/custSupID", {"custSupID": rel})


def rule_k04_vat_code_known(vid: str | None, line: int | None, path: str, vat_codes: set, out: Collector) -> None:
    """vat/vatID of a line is a vatCode of the file."""
    if vid is not None and vid not in vat_codes:
        out.add("XAF-K04", line, path + "/vat/vatID", {"vatID": vid})


def rule_k06_period_known(
    period: str, line: int | None, path: str, periods: dict, has_table: bool, out: Collector
) -> dict | None:
    """transaction/periodNumber is a period of the file (when it has a periods table); returns that period."""
    found = periods.get(period)
    if found is None and has_table:
        out.add("XAF-K06", line, path + "/periodNumber", {"periodNumber": period})
    return found


def rule_k08_subledger_journal_known(
    jid: str | None, line: int | None, path: str, journals: dict, out: Collector
) -> None:
    """subledger/sbLine/jrnID is a journal of the file."""
    if jid is not None and jid not in journals:
        out.add("XAF-K08", line, path + "/jrnID", {"jrnID": jid})


def rule_k09_code_in_basics(
    name: str, code: str | None, basic_type: str, line: int | None, path: str, basics: set, out: Collector
) -> None:
    """A code field (costID, prodID, projID, sourceID, userID, …) is a basic of its basicType."""
    if code is not None and (basic_type, code) not in basics:
        out.add("XAF-K09", line, f"{path}/{name}", {name: code, "basicType": basic_type})
