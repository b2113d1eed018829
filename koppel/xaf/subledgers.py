"""XAF 3.x subledgers and trLine match keys, collected in the reader's pass when open items need them.

``subledgers/subledger/sbLine``, ``openingBalance/obSubledgers/obSubledger/obSbLine`` and the ``trLine`` keys
``matchKeyID``/``recRef`` (formats.md §2.3) are not part of the canonical lines; open items need them
(``koppel openitems``, the web app, ``koppel convert --opening-with-open-items``). The reader hands each
subledger record and each transaction with a match key to a :class:`SubledgerCollector` before it frees them,
so the file is read once; a command asks for them with ``wanted_in_pass(subledgers=True)``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import KoppelError
from ..model import LINE_KEY_COLUMNS, SUBLEDGER_COLUMNS, SUBLEDGER_FIELDS, Subledgers
from ..money import parse_cents
from .rows import element_text

KEY_ELEMENTS = ("matchKeyID", "recRef")
_WANTED = frozenset(SUBLEDGER_FIELDS)


def child_text(elem, tag: str) -> str | None:
    """Stripped text of the first child ``tag`` of ``elem`` (None when either is missing)."""
    if elem is None:
        return None
    child = elem.find(tag)
    return element_text(child) if child is not None else None


def signed_amount(amount: str | None, side: str | None, path: Path | str, line: int, local_name: str) -> int:
    """Cents of a subledger line, debit positive; a non-zero amount without amntTp D or C is an error."""
    try:
        cents = parse_cents(amount, field=f"{local_name}/amnt")
    except KoppelError as exc:
        raise exc.at(path, line) from None
    if side not in ("D", "C"):
        if cents == 0:
            return 0
        raise KoppelError(
            f"{local_name} without amntTp D or C: the side of amount {amount} is unknown",
            file=path,
            line=line,
            field=f"{local_name}/amntTp",
            hint="every subledger line needs amntTp D (debit) or C (credit)",
        )
    return cents if side == "D" else -cents


def subledger_line(elem, kind: str, ns: str, path: Path | str) -> dict:
    """One sbLine (``kind`` "sb") or obSbLine ("ob") as a row of :data:`SUBLEDGER_COLUMNS`."""
    n = len(ns)
    record: dict[str, object] = {"kind": kind, "source_line": elem.sourceline}
    side = amount = None
    for child in elem:
        if not isinstance(child.tag, str):
            continue
        local = child.tag[n:]
        if local == "amnt":
            amount = child.text
        elif local == "amntTp":
            side = element_text(child)
        elif local in _WANTED:
            record[local] = element_text(child)
    record["sb_type"] = child_text(elem.getparent(), ns + "sbType")
    record["amount"] = signed_amount(amount, side, path, elem.sourceline, local_name=elem.tag[n:])
    return record


def line_key(line, ns: str, journal_id: str | None, entry_nr: str | None) -> tuple | None:
    """(journal, entry, line, matchKeyID, recRef) of a trLine with either key, else None."""
    match_key = rec_ref = None
    for child in line:
        if child.tag == ns + "matchKeyID":
            match_key = element_text(child)
        elif child.tag == ns + "recRef":
            rec_ref = element_text(child)
    if match_key is None and rec_ref is None:
        return None
    return (journal_id, entry_nr, child_text(line, ns + "nr"), match_key, rec_ref)


class SubledgerCollector:
    """Rows gathered during one pass (or one piece of a parallel pass); :meth:`result` makes the tables."""

    def __init__(self, ns: str, path: Path | str) -> None:
        self.ns = ns
        self.path = path
        self.rows: list[dict] = []
        self.keys: list[tuple] = []

    def subledger(self, elem, line_local: str, kind: str) -> None:
        """The lines of one subledger / obSubledger record."""
        tag = self.ns + line_local
        for child in elem:
            if child.tag == tag:
                self.rows.append(subledger_line(child, kind, self.ns, self.path))

    def transaction(self, elem, line_tag: str, journal_id: str | None) -> None:
        """The match keys of a transaction's lines (called only for one that has any)."""
        entry_nr = child_text(elem, self.ns + "nr")
        for line in elem:
            if line.tag == line_tag and (key := line_key(line, self.ns, journal_id, entry_nr)) is not None:
                self.keys.append(key)


def subledger_tables(rows: list[dict], keys: list[tuple]) -> Subledgers:
    return Subledgers(
        lines=pd.DataFrame(rows, columns=list(SUBLEDGER_COLUMNS)).astype(object),
        tr_keys=pd.DataFrame(keys, columns=list(LINE_KEY_COLUMNS)).astype(object),
    )
