"""The canonical model: one Administration that every reader produces and every writer consumes.

Column names and dtypes are declared here, once. Money columns are int64 cents (debit positive),
ids are strings exactly as read, dates are ``datetime64[s]`` (date only), rates are basis points.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

from .progress import lines_pass

STR = "string"  # pandas' string dtype (pyarrow-backed where available); ids keep leading zeros
CENTS = "int64"  # signed cents, debit positive
OPT_CENTS = "Int64"  # nullable cents (e.g. a VAT amount that may be absent)
DATE = "datetime64[s]"
BP = "Int64"  # rates in basis points: 21% -> 2100

TABLES: dict[str, dict[str, str]] = {
    "accounts": {
        "account_id": STR,
        "name": STR,
        "kind": STR,  # B balance sheet, P profit and loss, M mixed (XAF 3.x), "?" unknown (see koppel/kinds.py)
        "rgs_code": STR,
    },
    "relations": {
        "relation_id": STR,
        "kind": STR,  # customer, supplier, both, other
        "name": STR,
        "contact": STR,
        "street": STR,
        "house_nr": STR,
        "house_nr_addition": STR,  # XAF numberExtension, Exact's AddressStreetNumberSuffix: kept apart from the number
        "postal_code": STR,
        "city": STR,
        "country": STR,
        "phone": STR,
        "email": STR,
        "website": STR,
        "vat_number": STR,
        "kvk": STR,
        "iban": STR,
        "bic": STR,
        "payment_days": "Int64",
        "control_account": STR,
    },
    "vat_codes": {
        "vat_code": STR,
        "description": STR,
        "pay_account": STR,
        "claim_account": STR,
    },
    "periods": {
        "period": STR,
        "description": STR,
        "start_date": DATE,
        "end_date": DATE,
    },
    "journals": {
        "journal_id": STR,
        "description": STR,
        "kind": STR,  # XAF jrnTp: B, C, G, M, O, P, S, T, Y, Z
        "offset_account": STR,
    },
    "opening_balance": {
        "line_nr": STR,
        "account_id": STR,
        "amount": CENTS,
        "description": STR,
        "relation_id": STR,
        # per-invoice opening lines (open items carried into a migration); empty otherwise
        "invoice_ref": STR,
        "invoice_date": DATE,
        "due_date": DATE,
    },
    "lines": {
        "journal_id": STR,
        "entry_nr": STR,
        "line_nr": STR,
        "date": DATE,
        "period": STR,
        "entry_description": STR,
        "account_id": STR,
        "amount": CENTS,
        "description": STR,
        "relation_id": STR,
        "doc_ref": STR,
        "invoice_ref": STR,
        "effective_date": DATE,
        "due_date": DATE,
        "vat_code": STR,
        "vat_rate": BP,
        "vat_amount": OPT_CENTS,
        "currency": STR,
        "currency_amount": OPT_CENTS,
        "cost_center": STR,
        "cost_unit": STR,
        "project": STR,
        "quantity": STR,
        "bank_account": STR,
    },
}

MONEY_COLUMNS = {
    table: [name for name, dtype in cols.items() if dtype in (CENTS, OPT_CENTS)] for table, cols in TABLES.items()
}
DATE_COLUMNS = {table: [name for name, dtype in cols.items() if dtype == DATE] for table, cols in TABLES.items()}
MASTER_TABLES = ("accounts", "relations", "vat_codes", "periods", "journals", "opening_balance")


_EMPTY: dict[str, pd.DataFrame] = {}


def empty_table(name: str) -> pd.DataFrame:
    """An empty frame with the declared columns and dtypes of ``name`` (a fresh copy each call)."""
    if name not in _EMPTY:  # building one costs ~5 ms; an Administration starts with six
        _EMPTY[name] = pd.DataFrame({col: pd.Series(dtype=dtype) for col, dtype in TABLES[name].items()})
    return _EMPTY[name].copy()


def make_table(name: str, columns: dict[str, list], n: int | None = None) -> pd.DataFrame:
    """Build table ``name`` from column lists; absent columns become missing values of the right dtype.

    Date columns accept ISO ``YYYY-MM-DD`` strings (anything else raises ``ValueError``).
    """
    if n is None:
        n = len(next(iter(columns.values()))) if columns else 0
    data = {}
    for col, dtype in TABLES[name].items():
        values = columns.get(col)
        if values is None:
            data[col] = pd.Series([None] * n, dtype=dtype if dtype != CENTS else OPT_CENTS)
            if dtype == CENTS:
                data[col] = data[col].fillna(0).astype(CENTS)
        elif dtype == DATE:
            data[col] = pd.to_datetime(pd.Series(values, dtype=object), format="%Y-%m-%d").astype(DATE)
        else:
            data[col] = pd.Series(values, dtype=dtype)
    unknown = set(columns) - set(TABLES[name])
    if unknown:
        raise ValueError(f"unknown columns for {name}: {sorted(unknown)}")
    return pd.DataFrame(data)


def house_number(number, addition) -> str | None:
    """House number and its addition as one text ("12 B"), for targets with a single number field."""
    parts = [str(x).strip() for x in (number, addition) if isinstance(x, str) and x.strip()]
    return " ".join(parts) or None


def conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the declared columns of ``name`` in order and dtype."""
    out = {}
    for col, dtype in TABLES[name].items():
        if col in frame.columns:
            out[col] = frame[col].astype(dtype) if str(frame[col].dtype) != dtype else frame[col]
        else:
            out[col] = pd.Series(None, dtype=OPT_CENTS if dtype == CENTS else dtype, index=frame.index)  # broadcast
            if dtype == CENTS:
                out[col] = out[col].fillna(0).astype(CENTS)
    return pd.DataFrame(out, index=frame.index)


@dataclass
class Header:
    """Facts about the administration as a whole."""

    company_name: str | None = None
    company_id: str | None = None
    kvk: str | None = None
    vat_number: str | None = None
    fiscal_year: str | None = None
    start_date: str | None = None  # ISO date
    end_date: str | None = None
    currency: str | None = None
    date_created: str | None = None
    software: str | None = None
    software_version: str | None = None
    source_format: str | None = None  # e.g. "xaf"
    source_version: str | None = None  # e.g. "3.2"
    encoding: str | None = None
    opening_date: str | None = None
    opening_description: str | None = None
    opening_source: str | None = None  # "openingBalance", "period0" or None
    rgs_version: str | None = None  # XAF 4.0 header/RGSVersion: the RGS release the accounts' codes come from


@dataclass
class Stats:
    """Counts and totals gathered while streaming, so nobody has to read the lines twice for them."""

    transactions: int = 0
    lines: int = 0
    debit: int = 0
    credit: int = 0  # positive number of cents on the credit side
    cents_by_account: dict[str, int] = field(default_factory=dict)

    def count_batch(self, rows: int, entries: int) -> None:
        """A batch counted but not kept (a read that wants only counts and totals): no totals per account."""
        self.lines += rows
        self.transactions += entries

    def add_batch(self, batch: pd.DataFrame, entries: int) -> None:
        amount = batch["amount"]
        self.lines += len(batch)
        self.transactions += entries
        self.debit += int(amount[amount > 0].sum())
        self.credit -= int(amount[amount < 0].sum())
        for account, cents in amount.groupby(batch["account_id"], sort=False).sum().items():
            self.cents_by_account[account] = self.cents_by_account.get(account, 0) + int(cents)


PROGRESS_MIN_ROWS = 200_000  # a pass over fewer lines takes too little time to show


class LineStore:
    """The lines of an administration: re-iterable batches, held in memory up to a limit, then spooled.

    Spooling writes Arrow IPC to a temporary file, so memory stays bounded for any file size while
    writers can still pass over the lines more than once (e.g. XAF needs totals before the lines).
    """

    def __init__(self, memory_rows: int = 100_000) -> None:
        self._memory_rows = memory_rows
        self._batches: list[pd.DataFrame] = []
        self._held = 0
        self._spool_path: Path | None = None
        self._writer: ipc.RecordBatchFileWriter | None = None
        self._schema: pa.Schema | None = None
        self.rows = 0
        self.kept = True  # False: a read that wanted only counts and totals (consumers.wanted_in_pass(lines=False))

    def append(self, batch: pd.DataFrame) -> None:
        if batch.empty:
            return
        self.rows += len(batch)
        if self._writer is None and self._held + len(batch) <= self._memory_rows:
            self._batches.append(batch)
            self._held += len(batch)
            return
        for held in self._batches:
            self._spool(held)
        self._batches.clear()
        self._held = 0
        self._spool(batch)

    def _spool(self, batch: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(batch, preserve_index=False)
        if self._writer is None:
            fd, name = tempfile.mkstemp(prefix="koppel-lines-", suffix=".arrow")
            os.close(fd)
            self._spool_path = Path(name)
            # removed when the store goes, or at exit at the latest (an interrupt, an error on the way out);
            # the CLI's private temp folder catches what a killed process could not remove
            self._finalizer = weakref.finalize(self, _remove_spool, self._spool_path, os.getpid())
            self._schema = table.schema
            self._writer = ipc.new_file(str(self._spool_path), self._schema)
        self._writer.write_table(table.cast(self._schema))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def batches(self) -> Iterator[pd.DataFrame]:
        """Yield the lines in file order, batch by batch."""
        if not self.kept:  # never an empty administration where lines were read: a caller's mistake, said loudly
            raise RuntimeError("the lines of this read were counted, not kept (wanted_in_pass(lines=False))")
        self.close()
        shown = lines_pass(self.rows) if self.rows >= PROGRESS_MIN_ROWS else None
        done = 0
        if self._spool_path is None:
            for batch in self._batches:
                yield batch
                done += len(batch)
                if shown is not None:
                    shown(done)
            return
        # read, not memory-mapped: mapped pages once touched stay resident (and count in RSS) until unmapped,
        # so a pass over a 1.2M-line spool would hold all of it; reading holds one batch at a time
        with pa.OSFile(str(self._spool_path)) as source:
            reader = ipc.open_file(source)
            for i in range(reader.num_record_batches):
                batch = conform("lines", reader.get_batch(i).to_pandas())
                yield batch
                done += len(batch)
                if shown is not None:
                    shown(done)

    def frame(self) -> pd.DataFrame:
        """All lines as one frame (for small administrations and tests)."""
        parts = list(self.batches())
        if not parts:
            return empty_table("lines")
        return pd.concat(parts, ignore_index=True)

    def discard(self) -> None:
        self.close()
        if self._spool_path is not None:
            self._finalizer()
            self._spool_path = None
        self._batches.clear()


def _remove_spool(path: Path, owner: int) -> None:
    if os.getpid() != owner:  # a forked worker's copy of the store: the spool is its parent's
        return
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


# XAF 3.x subledger lines (sbLine, obSbLine) as written, for open items: kind "sb"/"ob", the subledger's type, the
# line's own fields, signed cents and the source line; and the trLines' match keys (matchKeyID, recRef).
SUBLEDGER_FIELDS = (
    "nr", "jrnID", "trNr", "trLineNr", "obLineNr", "desc", "docRef", "recRef", "matchKeyID", "custSupID", "invRef",
    "invPurSalTp", "invTp", "invDt", "invDueDt", "mutTp",
)  # fmt: skip
SUBLEDGER_COLUMNS = ("kind", "sb_type", *SUBLEDGER_FIELDS, "amount", "source_line")
LINE_KEY_COLUMNS = ("journal_id", "entry_nr", "line_nr", "match_key", "rec_ref")


@dataclass
class Subledgers:
    """Subledger lines (``kind`` "sb" or "ob") and trLine match keys of one auditfile (XAF 3.x)."""

    lines: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(SUBLEDGER_COLUMNS), dtype="object")
    )
    tr_keys: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(LINE_KEY_COLUMNS), dtype="object"))

    @property
    def empty(self) -> bool:
        return self.lines.empty and self.tr_keys.empty


@dataclass
class Administration:
    """Header facts, master tables and lines of one administration."""

    header: Header = field(default_factory=Header)
    accounts: pd.DataFrame = field(default_factory=lambda: empty_table("accounts"))
    relations: pd.DataFrame = field(default_factory=lambda: empty_table("relations"))
    vat_codes: pd.DataFrame = field(default_factory=lambda: empty_table("vat_codes"))
    periods: pd.DataFrame = field(default_factory=lambda: empty_table("periods"))
    journals: pd.DataFrame = field(default_factory=lambda: empty_table("journals"))
    opening_balance: pd.DataFrame = field(default_factory=lambda: empty_table("opening_balance"))
    lines: LineStore = field(default_factory=LineStore)
    stats: Stats = field(default_factory=Stats)
    # (journal_id, entry_nr) of entries that carry the opening balance (period 0 in XAF 3.x)
    opening_entries: set[tuple[str, str]] = field(default_factory=set)
    # what the source held that the model does not carry: element or field -> count
    not_carried: dict[str, int] = field(default_factory=dict)
    # why, for items of not_carried the reader left out on purpose (default: the model has no place for them)
    not_carried_why: dict[str, str] = field(default_factory=dict)
    # values the source wrote that koppel does not understand (e.g. an account type): field -> value -> count.
    # They are kept unknown in the tables, never replaced by a guess; see koppel/kinds.py
    unknown_codes: dict[str, dict[str, int]] = field(default_factory=dict)
    # named extra fields beside a table, e.g. "lines" -> journal_id, entry_nr, line_nr + one column per field
    # an auditfile read for a conversion to XAF 4.0: (element, reason) -> how many 4.0 drops, counted in the
    # read's own pass (koppel/xaf/upgrade.py); None when the read was not asked to count
    dropped_in_40: dict[tuple[str, str], int] | None = None
    # with --keep-dropped: the dropped elements' values, kept in the same pass (koppel.xaf.upgrade.DroppedRows)
    dropped_rows: Any = None
    # subledgers of an auditfile read for open items (koppel/xaf/subledgers.py); None when the read did not collect them
    subledgers: Subledgers | None = None

    def table(self, name: str) -> pd.DataFrame:
        """A table by name; ``lines`` as one frame."""
        if name == "lines":
            return self.lines.frame()
        return getattr(self, name)

    @classmethod
    def from_frames(
        cls, header: Header | None = None, lines: pd.DataFrame | Iterable[pd.DataFrame] | None = None, **tables
    ) -> Administration:
        """Build an administration from frames (used by tests and by non-streaming readers)."""
        adm = cls(header=header or Header())
        for name, frame in tables.items():
            setattr(adm, name, conform(name, frame))
        if lines is not None:
            batches = [lines] if isinstance(lines, pd.DataFrame) else list(lines)
            for batch in batches:
                batch = conform("lines", batch)
                adm.lines.append(batch)
                entries = batch[["journal_id", "entry_nr"]].drop_duplicates().shape[0]
                adm.stats.add_batch(batch, entries)
        return adm


LineBatches = Callable[[], Iterator[pd.DataFrame]]
