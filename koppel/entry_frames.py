"""Frames of entry lines: where entries start, whole-entry batches, and the balance of every entry.

Lines of one entry (journal_id + entry_nr) are contiguous; these helpers rely on that and never sort.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import KoppelError
from .money import format_cents


def whole_entries(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Re-cut batches so that no entry (contiguous journal_id + entry_nr) spans two of them.

    A batch is held back until the next one shows that its last entry is complete; batches that already
    end on an entry boundary (the XAF reader's do) pass through without a copy.
    """
    held: pd.DataFrame | None = None
    for batch in batches:
        if batch.empty:
            continue
        if held is not None:
            if _key(held, -1) != _key(batch, 0):
                yield held
            else:
                starts = entry_starts(held)
                last = int(starts[-1])
                if last:
                    yield held.iloc[:last].reset_index(drop=True)
                batch = pd.concat([held.iloc[last:], batch], ignore_index=True)
        held = batch
    if held is not None:
        yield held


def _key(frame: pd.DataFrame, i: int) -> tuple:
    row = frame.iloc[i]
    return tuple(None if pd.isna(row[c]) else str(row[c]) for c in ("journal_id", "entry_nr"))


def entry_starts(batch: pd.DataFrame) -> np.ndarray:
    """Row positions where a new entry (journal_id + entry_nr) starts; lines of an entry are contiguous."""
    n = len(batch)
    change = np.zeros(n, dtype=bool)
    change[:1] = True
    if n > 1:
        for col in ("journal_id", "entry_nr"):
            arr = pa.array(batch[col], type=pa.string(), from_pandas=True)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            arr = pc.fill_null(arr, "\x00")
            change[1:] |= pc.not_equal(arr[1:], arr[:-1]).to_numpy(zero_copy_only=False)
    return np.flatnonzero(change)


GENERAL_HINT = "correct the entry in the source; koppel never invents a balancing line, so nothing was written"


def check_balance(
    batch: pd.DataFrame, source_path: Path | None = None, hint: str | Callable[[np.ndarray], str | None] | None = None
) -> np.ndarray:
    """Raise a KoppelError naming the first entry whose lines do not sum to zero; return the entry starts.

    ``hint``: the reader's own word on the cause (``ReadResult.balance_hint``), given instead of the general
    remedy; a function of the entry's amounts when the cause shows in them (CLAIR2's credits written negative)."""
    starts = entry_starts(batch)
    if len(batch) == 0:
        return starts
    sums = np.add.reduceat(batch["amount"].to_numpy(dtype=np.int64), starts)
    bad = np.flatnonzero(sums != 0)
    if len(bad):
        first = int(starts[bad[0]])
        row = batch.iloc[first]
        end = int(starts[bad[0] + 1]) if bad[0] + 1 < len(starts) else len(batch)
        said = hint(batch["amount"].to_numpy(dtype=np.int64)[first:end]) if callable(hint) else hint
        raise KoppelError(
            f"entry {row['journal_id']}/{row['entry_nr']} does not balance: off by {format_cents(int(sums[bad[0]]))}"
            " (debit minus credit)",
            file=source_path,
            field="amount",
            hint=said or GENERAL_HINT,
        )
    return starts


