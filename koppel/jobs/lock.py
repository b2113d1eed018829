"""One run of a job at a time: an advisory lock (flock) on a file beside the job file.

The kernel drops the lock when the process dies, even on SIGKILL, so a crashed run never blocks the next.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import KoppelError


class JobBusy(KoppelError):
    """Another run of the same job holds the lock."""


@contextlib.contextmanager
def job_lock(path: Path) -> Iterator[None]:
    """Hold the lock on ``path`` for the block, or raise :class:`JobBusy` saying who holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise JobBusy(
                f"another run of this job is in progress ({holder})",
                file=path,
                hint="wait for it to finish; runs of one job never overlap",
            ) from None
        os.ftruncate(fd, 0)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {stamp}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
