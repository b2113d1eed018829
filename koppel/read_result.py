"""What a reader returns: the Administration and, beside it, where it came from.

The Administration holds the bookkeeping; facts about the read itself (the input's path for messages, the ids
of the source rows booked and the rows left out because an earlier input booked them) travel here, so the model
never carries side channels. A reader may return a bare Administration; :func:`as_read_result` wraps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    balance_hint: str | None = None


def as_read_result(read: Administration | ReadResult, path: Path | None = None) -> ReadResult:
    """A reader's return value as a ReadResult, with the input's path filled in when the reader left it out."""
    result = read if isinstance(read, ReadResult) else ReadResult(read)
    if result.path is None:
        result.path = path
    return result
