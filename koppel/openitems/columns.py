"""The postings on the control accounts as columns: what the matching and the reports read, without an object each.

A posting's text fields (relation, invoice reference, document reference, …) are Arrow strings, its dates
microseconds since 1970 in int64 (``NONE`` where it has none), its amount int64 cents. On 1.2M lines the
postings as one Python object each held ~500 MB; as columns they hold a tenth of that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
import pyarrow as pa

NONE = np.iinfo(np.int64).min  # a missing date (NaT's own value)
DAY = 86_400_000_000  # microseconds in a day
MK_NAN = "\x00nan"  # a match key that is NaN (a trLine with a recRef only): one shared key, as it always was

TEXT = ("account", "relation", "journal", "entry", "line", "doc", "description", "inv", "match_key", "rec_ref")
NUMBERS = ("amount", "date", "invoice_date", "due", "order")
FLAGS = ("opening", "inv_subledger", "mut_invoice", "sales_purchase")


@dataclass
class PostingColumns:
    """One array per field, all of one length; text as Arrow strings (null: none), the rest numpy."""

    account: pa.Array
    relation: pa.Array
    journal: pa.Array
    entry: pa.Array
    line: pa.Array
    doc: pa.Array
    description: pa.Array
    inv: pa.Array  # the invoice reference the matching uses (invRef, else the subledger's), null: none
    match_key: pa.Array
    rec_ref: pa.Array
    amount: np.ndarray
    date: np.ndarray
    invoice_date: np.ndarray
    due: np.ndarray
    order: np.ndarray
    opening: np.ndarray
    inv_subledger: np.ndarray  # the reference came from the subledger line
    mut_invoice: np.ndarray  # the subledger line's mutTp is I
    sales_purchase: np.ndarray  # booked in a sales or purchase journal

    def __len__(self) -> int:
        return len(self.amount)

    def take(self, index: np.ndarray) -> PostingColumns:
        """The postings at ``index``, in that order."""
        picked = pa.array(index, type=pa.int64())
        return PostingColumns(
            **{
                f.name: (value.take(picked) if isinstance(value, pa.Array) else value[index])
                for f in fields(self)
                for value in (getattr(self, f.name),)
            }
        )


def empty_columns() -> PostingColumns:
    return concat([])


def concat(parts: Iterable[dict]) -> PostingColumns:
    """Join per-batch parts (dicts of lists/arrays as :func:`part` makes them) into one set of columns."""
    parts = list(parts)
    values = {}
    for name in TEXT:
        chunks = [p[name] for p in parts]
        values[name] = pa.concat_arrays(chunks) if chunks else pa.array([], type=pa.string())
    for name in NUMBERS:
        values[name] = np.concatenate([p[name] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    for name in FLAGS:
        values[name] = np.concatenate([p[name] for p in parts]) if parts else np.zeros(0, dtype=bool)
    return PostingColumns(**values)


def text(values: list) -> pa.Array:
    return pa.array(values, type=pa.string())


def micros(series: pd.Series) -> np.ndarray:
    """A date column as int64 microseconds, ``NONE`` where missing."""
    out = pd.to_datetime(series).to_numpy().astype("datetime64[us]").view(np.int64).copy()
    return out


def micros_of(value) -> int:
    """One Timestamp (or None) as int64 microseconds."""
    if value is None:
        return NONE
    return int(np.datetime64(value.to_datetime64(), "us").view(np.int64))


def as_dates(values: np.ndarray) -> list:
    """Microseconds as ``datetime.date`` (the day it falls on), ``None`` where missing."""
    days = np.where(values == NONE, 0, np.floor_divide(values, DAY))
    out = days.astype("datetime64[D]").astype(object)
    out[values == NONE] = None
    return out.tolist()


def as_text(values: pa.Array) -> list:
    """Arrow strings as Python strings, ``None`` for null (and for the NaN match key)."""
    out = values.to_pylist()
    return [None if v == MK_NAN else v for v in out] if MK_NAN in set(out) else out
