"""Outputs appear whole or not at all: write to a temp file in the target folder, fsync, rename.

An OS error while writing (no permission, disk full, ...) leaves nothing behind and becomes a
:class:`~koppel.errors.KoppelError` naming the output the user asked for, never koppel's temp file.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .oserrors import os_error_message, user_path


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


_replaceable: contextvars.ContextVar[frozenset[Path]] = contextvars.ContextVar(
    "koppel_replaceable", default=frozenset()
)


@contextlib.contextmanager
def replacing(*folders: str | Path) -> Iterator[None]:
    """Let an :class:`AtomicDir` on one of ``folders`` replace that folder whole (``--force``).

    The caller has checked that the folder holds an earlier output of the same command (see
    :mod:`koppel.outputs`); any other folder is still only added to, file by file.
    """
    token = _replaceable.set(_replaceable.get() | {_key(f) for f in folders})
    try:
        yield
    finally:
        _replaceable.reset(token)


def _key(folder: str | Path) -> Path:
    return Path(os.path.abspath(folder))


def _os_error(exc: OSError, target: Path) -> OSError | Exception:
    """The KoppelError for ``exc`` raised while writing ``target`` (the temp name mapped back to the user's)."""
    named = user_path(exc.filename) if exc.filename is not None else None
    return os_error_message(exc, named if named is not None and named.name != "" else target)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temp path beside ``target``; on success it is fsynced and renamed onto ``target``."""
    target = Path(target)
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        yield tmp
        publish(tmp, target)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise _os_error(exc, target) from None
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(target: str | Path, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a temp file beside ``target`` for writing; renamed onto ``target`` only if the block succeeds."""
    with atomic_path(target) as tmp, tmp.open(mode, **kwargs) as handle:
        yield handle


class AtomicDir:
    """Several outputs that are published together: all renamed into place at commit, or none.

    A folder that did not exist is removed again when the outputs are not published (no half-made output
    folder). Inside :func:`replacing` for this folder, the outputs are staged in a hidden sibling folder
    and swapped in for the old folder at commit, so the old outputs are replaced whole, never mixed.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._pending: list[tuple[Path, Path]] = []
        self._created: list[Path] = []  # folders made here, innermost last: removed again on abort
        self._staging: Path | None = None
        try:
            missing = [p for p in (self.folder, *self.folder.parents) if not p.exists()]
            self.folder.mkdir(parents=True, exist_ok=True)
            self._created = list(reversed(missing))
            if _key(self.folder) in _replaceable.get() and not self._created and any(self.folder.iterdir()):
                self._staging = self.folder.with_name(f".{self.folder.name}.{uuid.uuid4().hex[:8]}.koppel-new")
                self._staging.mkdir()
        except OSError as exc:
            self._remove_created()
            raise _os_error(exc, self.folder) from None

    @property
    def writes_into(self) -> Path:
        """The folder the temp files are in (the output folder, or its staging sibling while replacing it)."""
        return self._staging or self.folder

    def path(self, name: str) -> Path:
        """A temp path for output ``name``; published by :meth:`commit`."""
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=self.writes_into)
        except OSError as exc:
            raise _os_error(exc, self.folder / name) from None
        os.close(fd)
        tmp = Path(tmp_name)
        self._pending.append((tmp, self.writes_into / name))
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
        try:
            for tmp, target in self._pending:
                publish(tmp, target)
                done.append(self.folder / target.name)
            if self._staging is not None:
                _swap_in(self._staging, self.folder)
                self._staging = None
        except OSError as exc:
            self.abort()
            raise _os_error(exc, self.folder) from None
        self._pending.clear()
        self._created.clear()
        return done

    def abort(self) -> None:
        for tmp, _target in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        self._pending.clear()
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
        self._remove_created()

    def _remove_created(self) -> None:
        for folder in reversed(self._created):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: never anything the user put there meanwhile
        self._created.clear()

    def __enter__(self) -> AtomicDir:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()
            if isinstance(exc, OSError):
                raise _os_error(exc, self.folder) from None


def _swap_in(staging: Path, folder: Path) -> None:
    """Put the complete ``staging`` folder in the place of ``folder``; the old one is moved aside, then removed.

    Two renames: between them (microseconds) the folder is absent, never half-filled or mixed.
    """
    old = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.koppel-old")
    os.rename(folder, old)
    try:
        os.rename(staging, folder)
    except OSError:
        os.rename(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
