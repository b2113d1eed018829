"""Outputs appear whole or not at all: write to a temp file in the target folder, fsync, rename."""

from __future__ import annotations

import contextlib
import contextvars
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_fsync_deferred = contextvars.ContextVar("koppel_fsync_deferred", default=False)


@contextlib.contextmanager
def deferred_fsync() -> Iterator[None]:
    """Skip the per-file fsync of :func:`publish` inside the block.

    Only for callers that write into a private staging folder and make it durable themselves, all at
    once, before it becomes visible (the job runner: one syncfs per batch instead of one fsync per file).
    """
    token = _fsync_deferred.set(True)
    try:
        yield
    finally:
        _fsync_deferred.reset(token)


def publish(tmp: Path, target: Path) -> None:
    """fsync ``tmp``, give it ordinary permissions and rename it onto ``target``."""
    if not _fsync_deferred.get():
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, target)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temp path beside ``target``; on success it is fsynced and renamed onto ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        publish(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(target: str | Path, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a temp file beside ``target`` for writing; renamed onto ``target`` only if the block succeeds."""
    with atomic_path(target) as tmp, tmp.open(mode, **kwargs) as handle:
        yield handle


class AtomicDir:
    """Several outputs that are published together: all renamed into place at commit, or none."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._pending: list[tuple[Path, Path]] = []

    def path(self, name: str) -> Path:
        """A temp path for output ``name``; published by :meth:`commit`."""
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=self.folder)
        os.close(fd)
        tmp = Path(tmp_name)
        self._pending.append((tmp, self.folder / name))
        return tmp

    def discard(self, tmp: Path) -> None:
        """Drop one pending output (e.g. a file that turned out to have nothing to carry)."""
        tmp.unlink(missing_ok=True)
        self._pending = [(t, target) for t, target in self._pending if t != tmp]

    def hide_temp_names(self, text: str) -> str:
        """``text`` with every pending temp path replaced by the name the output will have."""
        for tmp, target in self._pending:
            text = text.replace(str(tmp), target.name).replace(tmp.name, target.name)
        return text

    def commit(self) -> list[Path]:
        done = []
        for tmp, target in self._pending:
            publish(tmp, target)
            done.append(target)
        self._pending.clear()
        return done

    def abort(self) -> None:
        for tmp, _target in self._pending:
            tmp.unlink(missing_ok=True)
        self._pending.clear()

    def __enter__(self) -> AtomicDir:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
