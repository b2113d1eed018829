"""Operating-system errors as the user's errors: which path, what is wrong, how to fix it.

A full disk or a folder without write permission is nothing koppel can fix and no bug in koppel: the user
gets one line naming the path they gave (never koppel's hidden ``.NAME.XXXX.part`` temp file) and exit 2.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

from .errors import KoppelError

# errno -> (what is wrong, how to fix it); {path} and {parent} are filled in
_KINDS: dict[int, tuple[str, str]] = {
    errno.EACCES: ("permission denied", "choose a folder you may write to, or ask for write permission on {parent}"),
    errno.EPERM: ("operation not permitted", "choose a folder you may write to, or ask for permission on {parent}"),
    errno.ENOSPC: ("no space left on the disk", "free some space on that disk, or write the output elsewhere"),
    errno.EDQUOT: ("disk quota exceeded", "free some space within your quota, or write the output elsewhere"),
    errno.EROFS: ("the disk is read-only", "write the output to another disk"),
    errno.EISDIR: ("is a folder, where a file is expected", "give a file name, e.g. {path}/report.html"),
    errno.ENOTDIR: ("a part of this path is a file, where a folder is expected", "check the path"),
    errno.ENOENT: ("no such file or folder", "check the path; create missing folders first"),
    errno.EEXIST: ("exists already", "remove it, choose another name, or pass --force"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
    errno.EMFILE: ("too many open files", "raise the limit of open files (ulimit -n), or process fewer files at once"),
    errno.EIO: ("input/output error on the disk", "check the disk or network share, then try again"),
}

_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{6,}\.part$")


def user_path(path: str | Path) -> Path:
    """The path the user gave for one of koppel's temp files ``.NAME.XXXXXXXX.part`` (else ``path`` itself)."""
    path = Path(path)
    match = _TEMP_NAME.match(path.name)
    return path.with_name(match.group("name")) if match else path


def os_error_message(exc: OSError, path: str | Path | None = None) -> KoppelError:
    """A :class:`KoppelError` for ``exc``, naming ``path`` (else the error's own file name, de-tempified)."""
    where = path if path is not None else (exc.filename if exc.filename is not None else None)
    shown = user_path(where) if where is not None else None
    what, hint = _KINDS.get(exc.errno or -1, (exc.strerror or type(exc).__name__, "check the path and try again"))
    parent = shown.parent if shown is not None else Path(".")
    return KoppelError(what, file=shown, hint=hint.format(path=shown, parent=parent))
