"""Before any work: may koppel write this output? No silent overwrite, no mixing of two commands' files.

Checked up front, so a wrong ``-o`` costs a second, not the minute of reading a large auditfile:

- a file output must be a file name (not a folder) with the extension of its format, in a folder that exists
  and may be written; an existing file (or a companion such as ``OUT.control.json``) is replaced only with
  ``--force``;
- a folder output must not be a file; its parent folder must exist; a folder that holds anything is used only
  with ``--force``, and then only when it holds an earlier output of koppel (its marker file, e.g.
  ``control.json``): that folder is then replaced whole (see :func:`koppel.atomic.replacing`).

Missing parent folders are not created: a typo in a path on a network share should not grow a folder tree.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .errors import KoppelError


def _parent(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _check_parent(path: Path, option: str) -> None:
    parent = _parent(path)
    if not parent.exists():
        raise KoppelError(
            f"the folder {parent} does not exist", file=path, field=option,
            hint=f"create it first (mkdir {parent}), or check the path",
        )  # fmt: skip
    if not parent.is_dir():
        raise KoppelError(
            f"{parent} is a file, where a folder is expected", file=path, field=option, hint="check the path"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise KoppelError(
            f"permission denied: koppel may not write in the folder {parent}", file=path, field=option,
            hint="choose a folder you may write to, or ask for write permission",
        )  # fmt: skip


def check_file_output(
    path: Path,
    *,
    option: str,
    force: bool,
    suffixes: Iterable[str] = (),
    companions: Iterable[Path] = (),
    what: str = "this output",
) -> None:
    """Refuse a file output that would fail or silently replace something (see the module doc)."""
    path = Path(path)
    wanted = tuple(s.lower() for s in suffixes)
    if path.is_dir():
        example = f"{path}/{'report' if not wanted else 'output'}{wanted[0] if wanted else ''}"
        raise KoppelError(
            "is a folder, where a file is expected", file=path, field=option, hint=f"give a file name, e.g. {example}"
        )
    if wanted and path.suffix.lower() not in wanted:
        kinds = [s.lstrip(".").upper() for s in wanted]
        # "klant.2025" has no extension of a file type: the whole name is kept ("klant.2025.xaf", not "klant.xaf")
        ext = path.suffix[1:]
        typed = ext.isalnum() and not ext.isdigit() and len(ext) <= 4
        example = f"{path.stem if typed else path.name}{wanted[0]}"
        named = ", ".join(wanted[:-1]) + f" or {wanted[-1]}, e.g. {example}" if len(wanted) > 1 else example
        raise KoppelError(
            f"{what} is written as {', '.join(kinds[:-1]) + ' or ' if len(kinds) > 1 else ''}{kinds[-1]}, "
            f"but the name ends in {path.suffix or '(nothing)'!r}",
            file=path, field=option, hint=f"name it {named}",
        )  # fmt: skip
    _check_parent(path, option)
    if force:
        return
    for existing in (path, *companions):
        if existing.exists() or existing.is_symlink():
            raise KoppelError(
                "exists already; koppel does not overwrite it", file=existing, field=option,
                hint="pass --force to replace it, or choose another name",
            )  # fmt: skip


def check_folder_output(path: Path, *, option: str, force: bool, markers: Iterable[str]) -> bool:
    """Refuse a folder output that would fail, mix or replace something (see the module doc).

    Returns True when the folder holds an earlier output that ``--force`` lets the command replace whole.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise KoppelError(
            "is a file, where a folder is expected", file=path, field=option,
            hint=f"{option} names a folder for this command; choose a new folder name",
        )  # fmt: skip
    if not path.exists():
        _check_parent(path, option)
        return False
    entries = sorted(p.name for p in path.iterdir())
    if not entries:
        if not os.access(path, os.W_OK | os.X_OK):
            raise KoppelError(
                "permission denied: koppel may not write in this folder", file=path, field=option,
                hint="choose a folder you may write to, or ask for write permission",
            )  # fmt: skip
        return False
    markers = tuple(markers)
    ours = any((path / m).is_file() for m in markers)
    if not force:
        what = "an earlier output of koppel" if ours else f"{len(entries)} files or folders, e.g. {entries[0]}"
        raise KoppelError(
            f"the folder is not empty: it holds {what}; koppel does not mix or overwrite outputs",
            file=path, field=option,
            hint="choose a new or empty folder, or pass --force to replace the earlier output whole"
            if ours else "choose a new or empty folder",
        )  # fmt: skip
    folders = [p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")]
    if not ours or folders:
        raise KoppelError(
            "--force replaces only a folder with an earlier output of this command "
            f"(it has {' or '.join(markers)} and no subfolders); this one is something else",
            file=path, field=option, hint="choose a new or empty folder",
        )  # fmt: skip
    _check_parent(path, option)  # the old folder is swapped out of its parent
    return True
