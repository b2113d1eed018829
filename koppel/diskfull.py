"""A full disk is the machine's problem, not the input's: recognised wherever it surfaces, and said in one line.

It surfaces as ``OSError`` ENOSPC/EDQUOT from a write, or as SQLite's "database or disk is full" (SQLITE_FULL),
after which SQLite has already rolled the transaction back. Code that would otherwise blame the input
(quarantine it, call an archive damaged) asks :func:`is_disk_full` first and raises :class:`DiskFull`.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from .errors import KoppelError

_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_SQLITE_FULL = 13


class DiskFull(KoppelError):
    """No space left: nothing is wrong with the input, run again once there is room."""


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in _ERRNOS
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or "disk is full" in str(exc)
    return False


def disk_full(exc: BaseException, where: str | Path | None = None, hint: str | None = None) -> DiskFull:
    """The one-line error for a full disk while writing ``where``."""
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return DiskFull(
        f"the disk is full ({detail})",
        file=where or getattr(exc, "filename", None),
        hint=hint or "free space on that disk and run again",
    )
