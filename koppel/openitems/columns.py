"""The postings on the control accounts as columns: what the matching and the reports read, without an object each.

A posting's text fields (relation, invoice reference, document reference, …) are Arrow strings, its dates
microseconds since 1970 in int64 (``NONE`` where it has none), its amount int64 cents. On 1.2M lines the
postings as one Python object each held ~500 MB; as columns they hold a tenth of that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NONE = np.iinfo(np.int64).min  # a missing date (NaT's own value)
DAY = 86_400_000_000  # microseconds in a day

TEXT = ("account", "relation", "journal", "entry", "line", "doc", "description", "inv", "match_key", "rec_ref")
NUMBERS = ("amount", "date", "invoice_date", "due", "order")
FLAGS = ("opening", "inv_subledger", "mut_invoice", "sales_purchase")


@dataclass
class PostingColumns:
    """One array per field, all of one length; text as Arrow strings (null: none), the rest numpy."""

    account: pa.ChunkedArray
    relation: pa.ChunkedArray
    journal: pa.ChunkedArray
    entry: pa.ChunkedArray
    line: pa.ChunkedArray
    doc: pa.ChunkedArray
    description: pa.ChunkedArray
    inv: pa.ChunkedArray  # the invoice reference the matching uses (invRef, else the subledger's), null: none
    match_key: pa.ChunkedArray
    rec_ref: pa.ChunkedArray
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



def concat(parts: Iterable[dict]) -> PostingColumns:
    """Join per-batch parts (dicts of arrays, as :func:`koppel.openitems.postings.batch_part` makes them) into one
    set of columns; the text stays in its batches' chunks (no copy), and each numeric column is joined while the
    parts give up theirs (all joined at once they held the numbers twice)."""
    parts = list(parts)
    values = {}
    for name in TEXT:
        values[name] = pa.chunked_array([p.pop(name) for p in parts], type=pa.string())
    for name in NUMBERS:
        values[name] = np.concatenate([p.pop(name) for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    for name in FLAGS:
        values[name] = np.concatenate([p.pop(name) for p in parts]) if parts else np.zeros(0, dtype=bool)
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


def flat(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One array of ``values`` (a chunked array's chunks joined)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow boolean column as a numpy mask, null as False."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)
