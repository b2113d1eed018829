"""Bank statements as rows of text: MT940 (:mod:`.mt940_text`, :mod:`.mt940_details`) and CAMT.053 (lxml).

Both give the same columns, so one profile shape books them: ``date`` (the booking date), ``value_date``,
``amount`` (signed, ``.``), ``currency, own_iban, counter_iban, counter_bic, counter_name, description,
reference, bank_reference``. ``_row`` is the line in the file where the transaction starts (``:61:`` or
``<Ntry>``), so every message about it names that line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import KoppelError
from ..money import format_cents_series
from . import mt940_text
from .mt940_details import details
from .table import ROW

COLUMNS = [
    "date",
    "value_date",
    "amount",
    "currency",
    "own_iban",
    "counter_iban",
    "counter_bic",
    "counter_name",
    "description",
    "reference",
    "bank_reference",
]
CHUNK_ROWS = 20_000  # transactions per frame: memory follows this, not the statement's size


def _frame(rows: list[dict]) -> pd.DataFrame:
    lines = [row.pop(ROW) for row in rows]
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype="string").fillna("")
    frame[ROW] = pd.array(lines, dtype="int64")
    return frame


def _rows_frame(rows: list[tuple]) -> pd.DataFrame:
    """The MT940 rows (entry date, value date as ordinals; cents; texts...; line) as a frame of text columns."""
    if not rows:
        return _frame([])
    entry, value, cents, *texts, lines = (list(column) for column in zip(*rows, strict=True))
    as_iso = lambda days: np.datetime_as_string(np.array(days, dtype="int64").astype("datetime64[D]") - _EPOCH)  # noqa: E731
    frame = pd.DataFrame(
        {
            "date": pd.array(as_iso(entry), dtype="string"),
            "value_date": pd.array(as_iso(value), dtype="string"),
            "amount": format_cents_series(pd.Series(cents, dtype="int64")).astype("string"),
            **{name: pd.array(values, dtype="string") for name, values in zip(COLUMNS[3:], texts, strict=True)},
        }
    )
    frame[ROW] = pd.array(lines, dtype="int64")
    return frame


_EPOCH = np.timedelta64(dt.date(1970, 1, 1).toordinal(), "D")  # date.toordinal() of 1970-01-01


def mt940_frames(path: Path) -> Iterator[pd.DataFrame]:
    """Transactions of an MT940 file (any number of statements) in frames of :data:`CHUNK_ROWS`.

    ``_row`` is the line of each transaction's ``:61:``. A statement without transactions gives no rows; a file
    of such statements gives one empty frame.
    """
    rows: list[tuple] = []
    yielded = False
    for tx in mt940_text.transactions(path):
        found = details(tx)
        rows.append(
            (
                tx.entry_date.toordinal(),
                tx.value_date.toordinal(),
                tx.cents,
                tx.currency,
                tx.own_account,
                found.get("counter_iban", ""),
                found.get("counter_bic", ""),
                found.get("counter_name", ""),
                found.get("description", ""),
                found.get("reference", ""),
                tx.bank_reference,
                tx.line,
            )
        )
        if len(rows) >= CHUNK_ROWS:
            yield _rows_frame(rows)
            rows, yielded = [], True
    if rows or not yielded:
        yield _rows_frame(rows)


def read_mt940(path: Path) -> pd.DataFrame:
    """Transactions of an MT940 file (one or more statements) in one frame."""
    return pd.concat(list(mt940_frames(path)), ignore_index=True)


CAMT_HINT = "every Ntry of a CAMT.053 statement has Amt and CdtDbtInd; download the statement again"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def read_camt053(path: Path) -> pd.DataFrame:
    """Entries (``Ntry``) of a CAMT.053 bank-to-customer statement, any ``camt.053.001.xx`` version.

    ``_row`` is the line of each ``<Ntry>``; every refusal names the line it is about.
    """
    from lxml import etree

    from ..xaf.safety import refuse_doctype, refuse_dtd, refuse_utf32

    try:
        refuse_utf32(path, hint="save it as UTF-8 (the encoding banks write CAMT.053 in) and read that file")
    except OSError as exc:
        raise KoppelError(f"cannot read the file: {exc.strerror}", file=path) from None
    refuse_dtd(path)
    try:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        message = exc.error_log.last_error.message if exc.error_log and exc.error_log.last_error else exc.msg
        raise KoppelError(f"not well-formed XML: {_one_line(message)}", file=path, line=exc.lineno or None) from None
    except OSError as exc:  # lxml reports an unreadable file (and some decoding failures) as OSError
        raise KoppelError(f"cannot read this XML: {_one_line(exc)}", file=path) from None
    root = tree.getroot()
    refuse_doctype(root, path)
    if "camt.053" not in (etree.QName(root).namespace or ""):
        raise KoppelError(
            "not a CAMT.053 statement (namespace camt.053.001.xx expected)", file=path, line=root.sourceline
        )

    def first(node, xpath: str) -> str:
        found = node.xpath(xpath)
        return str(found[0]).strip() if found else ""

    rows = []
    for stmt in root.xpath("//*[local-name()='Stmt']"):
        own = first(stmt, "./*[local-name()='Acct']/*[local-name()='Id']/*[local-name()='IBAN']/text()")
        account_currency = first(stmt, "./*[local-name()='Acct']/*[local-name()='Ccy']/text()")
        for entry in stmt.xpath("./*[local-name()='Ntry']"):
            amount = first(entry, "./*[local-name()='Amt']/text()")
            # the amount's currency, else the account's: never assumed
            currency = first(entry, "./*[local-name()='Amt']/@Ccy") or account_currency
            mark = first(entry, "./*[local-name()='CdtDbtInd']/text()")
            if mark not in ("CRDT", "DBIT"):
                raise KoppelError(
                    f"entry {len(rows) + 1}: CdtDbtInd is {mark!r}, not CRDT (money in) or DBIT (money out): "
                    "the direction is unknown",
                    file=path,
                    line=entry.sourceline,
                    field="Ntry/CdtDbtInd",
                    hint=CAMT_HINT,
                )
            if not amount:
                raise KoppelError(
                    f"entry {len(rows) + 1}: an entry without an amount (Amt)",
                    file=path,
                    line=entry.sourceline,
                    field="Ntry/Amt",
                    hint=CAMT_HINT,
                )
            if not currency:
                raise KoppelError(
                    f"entry {len(rows) + 1}: no currency (neither Amt/@Ccy nor the account's Ccy): the currency is "
                    "unknown",
                    file=path,
                    line=entry.sourceline,
                    field="Ntry/Amt/@Ccy",
                    hint=CAMT_HINT,
                )
            debit = mark == "DBIT"
            party = "Cdtr" if debit else "Dbtr"  # who is on the other side
            tx = "./*[local-name()='NtryDtls']/*[local-name()='TxDtls'][1]"
            rows.append(
                {
                    "date": first(entry, "./*[local-name()='BookgDt']/*/text()")[:10],
                    "value_date": first(entry, "./*[local-name()='ValDt']/*/text()")[:10],
                    "amount": ("-" if debit else "") + amount,
                    "currency": currency,
                    "own_iban": own,
                    "counter_iban": first(
                        entry,
                        f"{tx}/*[local-name()='RltdPties']/*[local-name()='{party}Acct']//*[local-name()='IBAN']/text()",
                    ),
                    "counter_bic": first(
                        entry, f"{tx}/*[local-name()='RltdAgts']//*[local-name()='BICFI' or local-name()='BIC']/text()"
                    ),
                    "counter_name": first(
                        entry, f"{tx}/*[local-name()='RltdPties']/*[local-name()='{party}']/*[local-name()='Nm']/text()"
                    ),
                    "description": " ".join(
                        entry.xpath(f"{tx}/*[local-name()='RmtInf']/*[local-name()='Ustrd']/text()")
                    ).strip()
                    or first(entry, "./*[local-name()='AddtlNtryInf']/text()"),
                    "reference": first(entry, f"{tx}/*[local-name()='Refs']/*[local-name()='EndToEndId']/text()"),
                    "bank_reference": first(entry, "./*[local-name()='AcctSvcrRef']/text()"),
                    ROW: entry.sourceline,
                }
            )
    return _frame(rows)
