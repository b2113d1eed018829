"""Progress on stderr for the long work (reading, checking, writing): shown only when stderr is a terminal.

One :class:`Activity` per command draws one line with tqdm: the phase (``reading``, ``checking``,
``writing``), how far it is (MB of the input, or lines), the rate and an estimate of the time left.
Code deep down reports to the command's activity through :func:`current` (e.g. each pass over the lines of
an administration, see :class:`koppel.model.LineStore`), so no callback has to be threaded through every
function. Nothing is drawn (and tqdm is not even imported) when stderr is not a terminal: logs and cron
mails stay clean.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

_current: Activity | None = None


class Activity:
    """The progress line of one command. ``phase()`` starts a step; call the object with the amount done."""

    def __init__(self, label: str = "", stream: TextIO | None = None, force: bool = False) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = force or _is_terminal(self.stream)
        self._bar = None
        self._phase: str | None = None
        self._lock = threading.Lock()

    def phase(self, name: str, total: int | None = None, unit: str = "B") -> None:
        """Start step ``name`` of ``total`` units (bytes: ``unit="B"``, shown as MB; else e.g. ``"lines"``)."""
        if not self.enabled:
            return
        with self._lock:
            self._close_bar()
            from tqdm import tqdm

            columns, rows = _size(self.stream)
            done = "{n_fmt}B/{total_fmt}B" if unit == "B" else f"{{n_fmt}}/{{total_fmt}} {unit}"
            layout = (  # 12.3MB/40.1MB (bytes) or 3/40 files, with the time left
                f"{{desc}}: {{percentage:3.0f}}%|{{bar}}| {done} [{{elapsed}}<{{remaining}}, {{rate_fmt}}]"
                if total
                else None
            )
            self._phase = name
            self._bar = tqdm(
                total=total or None,
                desc=f"{self.label}: {name}" if self.label else name,
                unit=unit,
                unit_scale=unit in ("B", "lines"),  # 12.3MB, 1.20M lines; but 3/40 files
                unit_divisor=1000,
                file=self.stream,
                leave=False,
                mininterval=0.2,
                ncols=columns,
                nrows=rows,
                bar_format=layout,
            )

    def __call__(self, done: int) -> None:
        """``done`` units of the current phase so far (absolute, not an increment)."""
        bar = self._bar
        if bar is None:
            return
        with self._lock:
            if done > bar.n:
                bar.update(done - bar.n)  # drawn at most every mininterval: a jump right after a draw waits
            elif time.time() - bar.last_print_t >= (0.5 if bar.n == bar.last_print_n else bar.mininterval):
                bar.refresh()  # no news: keep the clock and the estimate moving; or draw what was held back

    def close(self) -> None:
        with self._lock:
            self._close_bar()

    def _close_bar(self) -> None:
        if self._bar is not None:
            with contextlib.suppress(Exception):
                if self._bar.n != self._bar.last_print_n:  # the last count, held back by mininterval, is drawn
                    self._bar.refresh()
                self._bar.close()
            self._bar = None


def _size(stream: TextIO) -> tuple[int, int]:
    """The terminal's columns and rows; 80 x 24 where it reports none (a fresh pseudo-terminal, a serial
    console), where tqdm would otherwise draw nothing at all."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        return 80, 24
    return size.columns or 80, size.lines if size.lines >= 2 else 24


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def current() -> Activity | None:
    """The activity of the running command, if it shows progress (None otherwise, and in library use)."""
    return _current if _current is not None and _current.enabled else None


@contextlib.contextmanager
def activity(label: str = "", stream: TextIO | None = None, force: bool = False) -> Iterator[Activity]:
    """Show progress for the block (when stderr is a terminal); the line is wiped at the end, however it ends."""
    global _current
    act = Activity(label, stream, force)
    previous, _current = _current, act
    try:
        yield act
    finally:
        _current = previous
        act.close()


def counting(act: Activity, name: str = "converting", unit: str = "files"):
    """A ``progress(done, total, item)`` callback (the job runner's) that draws ``done/total`` on ``act``."""

    def progress(done: int, total: int, _item: str) -> None:
        if act._phase != name:
            act.phase(name, total=total, unit=unit)
        act(done)

    return progress


def lines_pass(total: int) -> Activity | None:
    """Called at the start of a pass over an administration's lines: a ``lines`` phase, when shown."""
    act = current()
    if act is not None:
        act.phase("lines", total=total, unit="lines")
    return act


@contextlib.contextmanager
def watch_file(path: Path, act: Activity | None, name: str = "checking", every: float = 0.25) -> Iterator[None]:
    """Report how far this process has read ``path``, for readers that open it themselves (e.g. libxml2).

    Looks at the offsets of this process's open file descriptors (Linux ``/proc``); elsewhere the phase is
    shown with its elapsed time only.
    """
    if act is None or not act.enabled:
        yield
        return
    size = path.stat().st_size if path.is_file() else 0
    act.phase(name, total=size)
    target = os.path.realpath(path)
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(every):
            act(_offset_of(target))

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _offset_of(target: str) -> int:
    """The largest read offset among this process's descriptors open on ``target`` (0 where unknown)."""
    best = 0
    with contextlib.suppress(OSError):
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError, ValueError):
                if os.readlink(f"/proc/self/fd/{fd}") == target:
                    with open(f"/proc/self/fdinfo/{fd}", encoding="ascii") as info:
                        best = max(best, int(info.readline().split()[1]))
    return best


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
