"""What a reader returns: the Administration and, beside it, where it came from.

The Administration holds the bookkeeping; facts about the read itself (the input's path for messages, the ids
of the source rows booked and the rows left out because an earlier input booked them, what was read beyond
the model) travel here, so the model never carries side channels. A reader may return a bare Administration;
:func:`as_read_result` wraps it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .model import Administration


@dataclass
class ReadResult:
    """One read input: its Administration and where it came from."""

    adm: Administration
    path: Path | None = None
    # ids of the source rows booked, for readers that track them (None: this reader does not), and the rows
    # left out because an earlier input booked them (overlapping exports; see koppel/jobs/task.py)
    row_ids: tuple[str, ...] | None = None
    rows_skipped: int = 0
    # what the reader knows of why an entry of this input may not balance, and what to do (e.g. Twinfield's VAT
    # left to the package): the balance check gives it as the remedy instead of the general one
    # (a function of the entry's amounts where the cause shows in them: koppel/xaf/split.py clair2_balance_hint)
    balance_hint: str | Callable[[np.ndarray], str | None] | None = None
    # what the reader read beyond the model, by name, for a writer or a command that can use it: "lines" and
    # "relations" (Exact Online's payment references and SEPA mandates, a profile's [extra] fields), the
    # relation list's "relation_findings", a source profile's "source_report"
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)


def as_read_result(read: Administration | ReadResult, path: Path | None = None) -> ReadResult:
    """A reader's return value as a ReadResult, with the input's path filled in when the reader left it out."""
    result = read if isinstance(read, ReadResult) else ReadResult(read)
    if result.path is None:
        result.path = path
    return result
