"""What a command wants from the one pass over an auditfile besides the model itself.

A conversion to XAF 4.0 wants the upgrade report's counts (and with ``--keep-dropped`` the dropped values);
``--opening-with-open-items``, ``koppel openitems`` and the web app's open items want the subledgers;
``koppel inspect`` wants the lines only as counts and totals (nothing kept, spooled or sent between processes).
The command says so around its read (:func:`wanted_in_pass`); the XAF reader turns it into its options
(:func:`pass_options`), so the parallel reader's worker processes get them too and no consumer parses the
file a second time. Other inputs than XAF ignore it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .events import RecordPass

_wanted: ContextVar[frozenset[str]] = ContextVar("koppel_xaf_wanted", default=frozenset())


@contextlib.contextmanager
def wanted_in_pass(
    *, dropped_in_40: bool = False, dropped_rows: bool = False, subledgers: bool = False, lines: bool = True
) -> Iterator[None]:
    """Within: an auditfile read also counts what 4.0 drops (``dropped_rows``: and keeps each dropped value)
    and/or collects its subledgers; ``lines=False``: it keeps no lines, only their counts and totals (every line is
    still parsed and checked as in any read, so the same file fails the same way)."""
    options = {
        "count_dropped": dropped_in_40 or dropped_rows,
        "keep_dropped_rows": dropped_rows,
        "subledgers": subledgers,
        "lines_not_kept": not lines,
    }
    token = _wanted.set(frozenset(name for name, on in options.items() if on))
    try:
        yield
    finally:
        _wanted.reset(token)


_joined: ContextVar[tuple] = ContextVar("koppel_xaf_joined", default=())


@contextlib.contextmanager
def joined_to_pass(subscribe: Callable[[RecordPass], None], path: Path) -> Iterator[None]:
    """Within: the read of the auditfile ``path`` in this process puts ``subscribe``'s consumers on its own pass,
    before the builder (e.g. the checker's content rules, :meth:`koppel.checks.CheckRun.subscribe`), so one parse
    serves both. A read in pieces (the parallel reader), of another file (a writer reading back its output) or
    of another format does not call it: the caller sees that (nothing was subscribed) and runs its own pass."""
    token = _joined.set((subscribe, Path(path).resolve()))
    try:
        yield
    finally:
        _joined.reset(token)


def take_joined(path: Path) -> Callable[[RecordPass], None] | None:
    """The consumer to put on the pass being made over ``path``, once (a second read makes its own)."""
    joined = _joined.get()
    if not joined or Path(path).resolve() != joined[1]:
        return None
    _joined.set(())
    return joined[0]


def pass_options() -> dict[str, bool]:
    """The reader options for what is wanted (empty outside :func:`wanted_in_pass`)."""
    return dict.fromkeys(_wanted.get(), True)
