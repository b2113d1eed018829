"""Filesystem steps of a job: find inputs, hash them, publish outputs, archive and quarantine.

Every step is a rename within one folder tree, so a crash leaves either the old or the new state,
never half a file. Leftovers of a crashed run (hidden staging folders) are removed by the next run.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_open
from ..errors import KoppelError
from .globs import matches

STAGING_PREFIX = ".koppel-tmp."
OLD_PREFIX = ".koppel-old."


@dataclass(frozen=True)
class Found:
    """A file in the inbox: where it is, or why it cannot be taken."""

    path: Path
    refused: str | None = None  # e.g. a symlink pointing out of the inbox


def discover(
    inbox: Path, glob: str, settle_seconds: float = 0.0, now: float | None = None, recursive: bool = False
) -> list[Found]:
    """Files in ``inbox`` whose name matches ``glob``, in path order; hidden and unfinished files are left alone.

    Only files directly in the inbox, unless ``recursive``: then its subfolders too, but never a symlinked
    folder. Every file taken lies inside the inbox once symlinks are resolved; a symlink pointing elsewhere is
    returned as refused (it is quarantined, its target is never read or moved). A file changed less than
    ``settle_seconds`` ago is left for the next run (it may still be arriving).
    """
    if not inbox.is_dir():
        raise KoppelError("inbox folder not found", file=inbox, hint="create it, or fix inbox in the job file")
    now = time.time() if now is None else now
    root = Path(os.path.realpath(inbox))
    found = []
    for path in _candidates(inbox, glob, recursive):
        name = path.name
        if name.startswith(".") or name.endswith((".part", ".tmp", ".error.txt")):
            continue
        if path.is_symlink():
            target = Path(os.path.realpath(path))
            if target.parent != root and not (recursive and root in target.parents):
                found.append(Found(path, f"symlink pointing outside the inbox (to {target})"))
                continue
        if not path.is_file():
            continue
        if settle_seconds and now - path.stat().st_mtime < settle_seconds:
            continue
        found.append(Found(path))
    return found


def _candidates(inbox: Path, glob: str, recursive: bool) -> list[Path]:
    """Entries whose name matches ``glob``: directly in ``inbox``, or below it without following folder links."""
    if not recursive:
        with os.scandir(inbox) as entries:
            return sorted(inbox / e.name for e in entries if matches(e.name, glob))
    out = []
    for folder, dirs, files in os.walk(inbox, followlinks=False):  # a symlinked folder is listed, not entered
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        out += [Path(folder) / n for n in files if matches(n, glob)]
        out += [Path(folder) / d for d in dirs if matches(d, glob) and os.path.islink(os.path.join(folder, d))]
    return sorted(out)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def output_name(input_path: Path, sha256: str) -> str:
    """The outbox folder of one input: its name plus the start of its hash, so new content never overwrites."""
    return f"{input_path.stem}.{sha256[:8]}"


def staging_path(outbox: Path, final_name: str) -> Path:
    return outbox / f"{STAGING_PREFIX}{final_name}.{uuid.uuid4().hex[:8]}"


def clean_leftovers(outbox: Path) -> list[Path]:
    """Remove staging folders left by a crashed run (only called while holding the job lock)."""
    removed = []
    if outbox.is_dir():
        for path in outbox.iterdir():
            if path.name.startswith((STAGING_PREFIX, OLD_PREFIX)):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def publish_folder(staging: Path, final: Path) -> None:
    """Rename a complete staging folder onto ``final``; an older ``final`` is swapped out first, then removed.

    The caller makes the staged files durable first (:func:`sync_filesystem`) and fsyncs the parent after.
    """
    old = None
    if final.exists():
        old = final.with_name(f"{OLD_PREFIX}{final.name}.{uuid.uuid4().hex[:8]}")
        os.rename(final, old)
    os.rename(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def sync_filesystem(folder: Path, written: Iterable[Path] = ()) -> None:
    """Flush every written file of the filesystem holding ``folder`` to disk: one call for a whole batch.

    syncfs(2) on Linux; elsewhere os.sync(). Far cheaper than an fsync per small file on a busy disk.
    Windows has neither: there each file below the ``written`` folders is flushed on its own.
    """
    if not hasattr(os, "sync"):
        for staged in written:
            _fsync_files(staged)
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(folder, os.O_RDONLY)
        try:
            if libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    except (OSError, AttributeError, TypeError):
        pass
    os.sync()


def _fsync_files(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("r+b") as handle:
                os.fsync(handle.fileno())


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot fsync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def unique_dest(src: Path, folder: Path, sha256: str) -> Path:
    """Where ``src`` goes in ``folder`` without overwriting: a name taken by other content gets the hash added."""
    dest = folder / src.name
    n = 1
    while dest.exists() or dest.is_symlink():
        dest = folder / f"{src.stem}.{sha256[:8]}{'' if n == 1 else f'.{n}'}{src.suffix}"
        n += 1
    return dest


def move_unique(src: Path, folder: Path, sha256: str) -> Path:
    """Move ``src`` into ``folder`` (created when missing) under :func:`unique_dest`."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = unique_dest(src, folder, sha256)
    rename(src, dest)
    return dest


def rename(src: Path, dest: Path) -> None:
    """Rename; across filesystems (archive on another disk), copy to a temp file beside ``dest`` first."""
    try:
        os.rename(src, dest)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
        shutil.copy2(src, tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
        src.unlink()


def quarantine(src: Path, folder: Path, error: dict, job: str, sha256: str, inbox: Path) -> Path:
    """Move a failed input into ``folder`` with its ``NAME.error.txt`` (written first, so it is never missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = unique_dest(src, folder, sha256)
    write_error_file(dest, error, job, sha256, inbox)
    rename(src, dest)
    return dest


def write_error_file(quarantined: Path, error: dict, job: str, sha256: str, inbox: Path) -> Path:
    """``NAME.error.txt`` beside a quarantined input: what is wrong, where, and how to fix it."""
    where = []
    if error.get("file"):
        where.append(f"file {Path(str(error['file'])).name}")
    if error.get("line") is not None:
        where.append(f"row {error['line']}")
    if error.get("field"):
        where.append(f"field {error['field']}")
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    lines = [
        f"koppel could not process {quarantined.name} (job {job!r}, {stamp})",
        "",
        f"what:  {error.get('message', 'unknown error')}",
        f"where: {', '.join(where) or 'the file as a whole'}",
        f"fix:   {error.get('hint') or 'correct the file and drop it into the inbox again'}",
        "",
        f"sha256: {sha256}",
        f"To retry: fix the file (or the job, profile or mapping) and put it back into {inbox}/.",
        "A file with the same content is tried again on every run until it succeeds.",
    ]
    if error.get("traceback"):
        lines += ["", "traceback (for a bug report):", error["traceback"].rstrip()]
    target = quarantined.with_name(quarantined.name + ".error.txt")
    with atomic_open(target, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return target
