"""``-`` as an input path: the bytes on stdin, kept in a temporary file that the user never sees named.

Readers need a file (they sniff, seek and read in parallel pieces), so stdin is copied once into a private temp
folder; every message names it "stdin" (``koppel.errors.SHOWN_AS``), never the temp file.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import SHOWN_AS, KoppelError

STDIN = "-"
SHOWN = "stdin"


def is_stdin(path: str | Path) -> bool:
    return str(path) == STDIN


@contextmanager
def readable(path: Path) -> Iterator[Path]:
    """``path`` itself, or for ``-`` a temp file holding stdin's bytes (removed afterwards)."""
    if not is_stdin(path):
        yield path
        return
    stream = sys.stdin
    if stream is None or stream.isatty():
        raise KoppelError("nothing to read: stdin is a terminal", file=SHOWN, hint="pipe the file in, e.g. < FILE.xaf")
    with tempfile.TemporaryDirectory(prefix="koppel-stdin-") as folder:
        copy = Path(folder) / SHOWN
        with copy.open("wb") as out:
            shutil.copyfileobj(getattr(stream, "buffer", stream), out, 1 << 20)
        if not copy.stat().st_size:
            raise KoppelError("nothing to read: stdin is empty", file=SHOWN, hint="pipe the file in, e.g. < FILE.xaf")
        SHOWN_AS[str(copy)] = SHOWN
        try:
            yield copy
        finally:
            SHOWN_AS.pop(str(copy), None)
