"""A quiet progress bar on stderr for long reads — shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import BinaryIO, TextIO


class ProgressBar:
    """Call with the number of bytes done; redraws at most ten times a second."""

    def __init__(self, total: int, label: str = "reading", stream: TextIO | None = None, force: bool = False):
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()
        self._last = 0.0
        self._start = time.monotonic()

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < self.total:
            return
        self._last = now
        frac = min(done / self.total, 1.0)
        filled = int(frac * 30)
        mb = done / 1e6
        rate = mb / max(now - self._start, 1e-6)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {frac:4.0%} {mb:,.0f} MB {rate:,.0f} MB/s"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.flush()


class CountingReader:
    """A binary file wrapper that reports how many bytes have been read to a callback."""

    def __init__(self, handle: BinaryIO, callback) -> None:
        self._handle = handle
        self._callback = callback
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.position += len(data)
        self._callback(self.position)
        return data

    def close(self) -> None:
        self._handle.close()
