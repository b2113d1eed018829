"""A log for unattended runs (``koppel --log-file PATH``, or ``log_file`` in a job file), with ``logging``.

Quiet unless asked: the ``koppel`` logger has no output of its own, so a terminal sees only the command's own
lines. With a log file, each run appends one line per input and decision (what was read as what, what was
written, each job input's outcome) and every error with its place and remedy; a bug also gets its traceback.
Times are UTC.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger("koppel")
log.addHandler(logging.NullHandler())

_FORMAT = "%(asctime)s %(levelname)s %(message)s"


class _UTCFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", self.converter(record.created))


def to_file(path: str | Path) -> None:
    """Append koppel's log lines to ``path`` (once per path; the folder must exist)."""
    target = str(Path(path).resolve())
    if any(getattr(h, "baseFilename", None) == target for h in log.handlers):
        return
    from .errors import KoppelError

    try:
        handler = logging.FileHandler(target, mode="a", encoding="utf-8", delay=False)
    except OSError as exc:
        raise KoppelError(f"cannot write the log file: {exc.strerror}", file=path, field="--log-file",
                          hint="name a file in a folder that exists and that you may write in") from None
    handler.setFormatter(_UTCFormatter(_FORMAT))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def close_files() -> None:
    """Flush and detach every log file (the end of a command; tests run many commands in one process)."""
    for handler in list(log.handlers):
        if isinstance(handler, logging.FileHandler):
            handler.close()
            log.removeHandler(handler)
