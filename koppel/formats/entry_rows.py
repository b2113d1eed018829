"""Shared plumbing for the package writers: entries as row groups and the money tally.

Writers take the prepared data of a :class:`~koppel.writejob.WriteJob` (mapped, whole-entry,
balance-checked batches), walk it entry by entry, and tally every amount *as formatted in the file*
(parsed back from the written string) by source and target account, so control.json proves money
in = money out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..money import parse_cents
from ..writejob import WriteJob, WriteResult

ROW_FIELDS = (
    "journal_id", "entry_nr", "line_nr", "date", "period", "entry_description", "account_id", "amount",
    "description", "relation_id", "doc_ref", "invoice_ref", "effective_date", "due_date", "vat_code", "vat_rate",
    "vat_amount", "currency", "currency_amount", "cost_center", "cost_unit", "project", "quantity", "bank_account",
    "source_account_id",
)  # fmt: skip


@dataclass(slots=True)
class Row:
    """One canonical line with Python values (None for missing), dates as ISO strings, ids mapped."""

    journal_id: str
    entry_nr: str
    line_nr: str | None
    date: str | None
    period: str | None
    entry_description: str | None
    account_id: str
    amount: int
    description: str | None
    relation_id: str | None
    doc_ref: str | None
    invoice_ref: str | None
    effective_date: str | None
    due_date: str | None
    vat_code: str | None
    vat_rate: int | None
    vat_amount: int | None
    currency: str | None
    currency_amount: int | None
    cost_center: str | None
    cost_unit: str | None
    project: str | None
    quantity: str | None
    bank_account: str | None
    source_account_id: str


@dataclass
class Entry:
    """The lines of one entry; ``opening`` when it carries the opening balance; ``kind`` is the XAF jrnTp."""

    journal_id: str
    entry_nr: str
    rows: list[Row]
    opening: bool = False
    kind: str | None = None

    @property
    def first(self) -> Row:
        return self.rows[0]


def _py(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value


def _records(batch: pd.DataFrame, chunk: int = 10_000) -> Iterator[Row]:
    """Rows of a batch as :class:`Row`; converted in slices so the object copy stays small."""
    for start in range(0, len(batch), chunk):
        frame = batch.iloc[start : start + chunk].loc[:, list(ROW_FIELDS)].copy()
        for col in ("date", "effective_date", "due_date"):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
        for values in frame.astype(object).itertuples(index=False, name=None):
            row = Row(*(_py(v) for v in values))
            row.amount = int(row.amount)
            for name in ("vat_rate", "vat_amount", "currency_amount"):
                value = getattr(row, name)
                if value is not None:
                    setattr(row, name, int(value))
            yield row


def journal_kinds(job: WriteJob) -> dict[str, str]:
    """Mapped journal id → XAF journal type letter (jrnTp)."""
    j = job.journals()
    pairs = zip(j["journal_id"], j["kind"], strict=True)
    return {str(a): str(b) for a, b in pairs if not pd.isna(a) and not pd.isna(b)}


def journal_names(job: WriteJob) -> dict[str, str]:
    j = job.journals()
    pairs = zip(j["journal_id"], j["description"], strict=True)
    return {str(a): str(b) for a, b in pairs if not pd.isna(a) and not pd.isna(b)}


def iter_entries(job: WriteJob) -> Iterator[Entry]:
    """The opening balance (one entry) first, then every entry of the job in file order."""
    kinds = journal_kinds(job)
    opening = job.opening()
    if not opening.empty:
        rows = list(_records(opening))
        yield Entry(rows[0].journal_id, rows[0].entry_nr, rows, opening=True, kind="O")
    for batch in job.lines():
        current: list[Row] = []
        key = None
        for row in _records(batch):
            k = (row.journal_id, row.entry_nr)
            if k != key and current:
                yield Entry(current[0].journal_id, current[0].entry_nr, current, kind=kinds.get(current[0].journal_id))
                current = []
            key = k
            current.append(row)
        if current:
            yield Entry(current[0].journal_id, current[0].entry_nr, current, kind=kinds.get(current[0].journal_id))


# Line fields a target may or may not carry; the rest (ids, date, account, amount) every target writes.
OPTIONAL_FIELDS = (
    "entry_description", "description", "relation_id", "doc_ref", "invoice_ref", "effective_date", "due_date",
    "vat_code", "vat_rate", "vat_amount", "currency_amount", "cost_center", "cost_unit", "project", "quantity",
    "bank_account",
)  # fmt: skip


class Tally:
    """Collects (source account, target account, cents as written) and hands them to the WriteResult."""

    def __init__(
        self,
        result: WriteResult,
        title: str,
        carried: tuple[str, ...],
        why: dict[str, str] | None = None,
        flush_every: int = 50_000,
    ) -> None:
        self.result = result
        self.why = why or {}
        self.target = title
        self.uncarried = tuple(f for f in OPTIONAL_FIELDS if f not in carried)
        self.dropped: dict[str, int] = dict.fromkeys(self.uncarried, 0)
        self.flush_every = flush_every
        self.src: list[str] = []
        self.tgt: list[str] = []
        self.mapped: list[str] = []
        self.cents: list[int] = []
        self.entries = 0
        self.lines = 0

    def add(self, row: Row, written: str, debit: bool, decimal_mark: str = ".", target: str | None = None) -> None:
        """Record ``written`` (the amount string as it stands in the file) on ``row``'s accounts; ``target`` is the
        account as written when the writer formats it (e.g. without leading zeros)."""
        cents = parse_cents(written, decimal_mark=decimal_mark)
        for name in self.uncarried:
            if getattr(row, name) is not None:
                self.dropped[name] += 1
        self.src.append(row.source_account_id)
        self.mapped.append(row.account_id)
        self.tgt.append(target if target is not None else row.account_id)
        self.cents.append(cents if debit else -cents)
        self.lines += 1
        if len(self.cents) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if self.cents:
            self.result.tally(
                pd.Series(self.src), pd.Series(self.tgt), pd.Series(self.cents), mapped_ids=pd.Series(self.mapped)
            )
            self.src, self.tgt, self.mapped, self.cents = [], [], [], []

    def close(self) -> None:
        self.flush()
        self.result.count("entries", self.entries)
        self.result.count("lines", self.lines)
        for name, n in self.dropped.items():
            self.result.drop(f"lines.{name}", n, self.why.get(name, f"{self.target} has no field for it"))


def text(value: Any) -> str | None:
    """A master-table value as stripped text, None when missing or empty."""
    value = _py(value)
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    out = str(value).strip()
    return out or None


def records(frame: pd.DataFrame) -> list[dict[str, str | None]]:
    """A master table as dicts of text values."""
    return [{k: text(v) for k, v in r.items()} for r in frame.astype(object).to_dict("records")]


def out_name(job: WriteJob, target: str, content: str, ext: str) -> str:
    """``<administration>_<target>_<content>.<ext>`` (formats.md §3.0)."""
    return f"{job.admin_name}_{target}_{content}.{ext}"
