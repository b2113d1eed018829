"""One run of a job at a time: an operating-system lock on a file beside the job file.

The lock is filelock's native lock on our own descriptor (``flock`` on Linux and macOS, ``LockFileEx`` on
Windows), so the operating system drops it when the process dies, even on SIGKILL: a crashed run never blocks
the next. The holder writes who it is into the file after byte 0 (Windows locks byte 0 itself, and a locked byte
cannot be read by another process), so a second run can say who holds the job.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import KoppelError

_HOLDER_AT = 1  # the holder line starts after the byte Windows locks
_HOLDER_BYTES = 200


class JobBusy(KoppelError):
    """Another run of the same job holds the lock."""


def _holder(fd: int) -> str:
    """Who holds the lock, as the holder wrote it; "another process" when it cannot be read."""
    try:
        os.lseek(fd, _HOLDER_AT, os.SEEK_SET)
        text = os.read(fd, _HOLDER_BYTES).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "another process"


def _write_holder(fd: int) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    line = f"pid {os.getpid()} on {socket.gethostname()} since {stamp}\n"
    data = b"\n" + line.encode()
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, data)
    os.ftruncate(fd, len(data))  # cut a longer line of an earlier holder; byte 0 stays


@contextlib.contextmanager
def job_lock(path: Path) -> Iterator[None]:
    """Hold the lock on ``path`` for the block, or raise :class:`JobBusy` saying who holds it."""
    from filelock import lock_descriptor  # here, not at start-up: importing filelock takes 0.2-0.5 s

    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    try:
        if not lock_descriptor(fd, blocking=False):
            raise JobBusy(
                f"another run of this job is in progress ({_holder(fd)})",
                file=path,
                hint="wait for it to finish; runs of one job never overlap",
            )
        _write_holder(fd)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
