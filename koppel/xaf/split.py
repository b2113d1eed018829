"""Split auditfiles (formats.md §2.6): write a validated whole as parts, and read a set of parts as one.

Layout [A] (the 2017 addendum names the rules, not the bytes): part 1 (``X.xaf``) holds the file from the
XML declaration up to the first journal — header, all of company, the transactions' totals; each
continuation part (``X-2.xaf``, ``X-3.xaf``, ...) starts with ``<!-- Vervolgbestand x van y -->`` on its own
line and holds only whole journals/transactions; the last part ends with the closing tags. The parts
joined in order (comment lines removed) are byte for byte the validated whole.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..atomic import AtomicDir
from ..errors import KoppelError
from ..read_result import ReadResult

COMMENT = "<!-- Vervolgbestand {x} van {y} -->\n"
_COMMENT = re.compile(rb"^<!--\s*Vervolgbestand\s+(\d+)\s+van\s+(\d+)\s*-->\r?\n?", re.IGNORECASE)
_CUT_BEFORE = (b"<journal>", b"<transaction>")


def part_name(path: Path, x: int) -> Path:
    """``X.xaf`` for part 1, ``X-2.xaf`` for part 2, ..."""
    return path if x == 1 else path.with_name(f"{path.stem}-{x}{path.suffix}")


def _cut_points(whole: Path, limit: int) -> list[int]:
    """Byte offsets where parts 2..y start: before a journal or transaction line; greedy, so every
    continuation part stays within ``limit`` bytes unless a single transaction is larger."""
    cuts: list[int] = []
    part_start = candidate = None
    offset = 0
    with whole.open("rb") as handle:
        for line in handle:
            if line.startswith(_CUT_BEFORE):
                if part_start is None:  # part 1 ends before the first journal
                    cuts.append(offset)
                    part_start = offset
                elif offset - part_start > limit and candidate is not None and candidate > part_start:
                    cuts.append(candidate)
                    part_start = candidate
                candidate = offset
            offset += len(line)
    if part_start is not None and offset - part_start > limit and candidate is not None and candidate > part_start:
        cuts.append(candidate)
    return cuts


def write_split(path: Path, split_mb: float, write: Callable, validate: Callable, out: AtomicDir | None = None):
    """Write the whole file with ``write(handle)`` to a temp file, ``validate(tmp)`` it, then cut it into
    parts of at most ``split_mb`` MB, pending in ``out`` (or published together when ``out`` is None).
    Returns (part paths, what ``write`` returned, temp paths of the parts)."""
    path = Path(path)
    limit = int(split_mb * 1_000_000) - len(COMMENT) - 8  # room for the continuation comment
    if limit < 10_000:
        raise KoppelError("--split-mb must be at least 0.01", field="--split-mb")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".whole", dir=path.parent)
    os.close(fd)
    whole = Path(name)
    try:
        with whole.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
            stats = write(handle)
        validate(whole)
        cuts = _cut_points(whole, limit)
        if len(cuts) <= 1:  # everything fits in one part (or there are no journals)
            cuts = []
        bounds = [0, *cuts, whole.stat().st_size]
        y = len(bounds) - 1
        own = out is None
        folder = out or AtomicDir(path.parent)
        names = []
        temps = []
        try:
            with whole.open("rb") as src:
                for x in range(1, y + 1):
                    target = part_name(path, x)
                    tmp = folder.path(target.name)
                    temps.append(tmp)
                    with tmp.open("wb") as dst:
                        if x > 1:
                            dst.write(COMMENT.format(x=x, y=y).encode("ascii"))
                        _copy(src, dst, bounds[x] - bounds[x - 1])
                    names.append(target)
            if own:
                folder.commit()
        except BaseException:
            if own:
                folder.abort()
            raise
        return names, stats, temps
    finally:
        whole.unlink(missing_ok=True)


def _copy(src, dst, n: int) -> None:
    while n > 0:
        chunk = src.read(min(n, 1 << 20))
        if not chunk:
            break
        dst.write(chunk)
        n -= len(chunk)


# -- reading -------------------------------------------------------------------------------------
def continuation_of(path: Path) -> tuple[int, int] | None:
    """(x, y) when ``path`` starts with a Vervolgbestand comment (after an optional BOM)."""
    with path.open("rb") as handle:
        head = handle.read(200)
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    match = _COMMENT.match(head)
    return (int(match.group(1)), int(match.group(2))) if match else None


def split_set(path: str | Path) -> list[Path] | None:
    """The parts of the split set whose first file is ``path`` (None when ``path`` is a single file).

    Raises XAF-F08-style :class:`KoppelError` for a continuation part given as input, or a set with a
    missing or disagreeing part.
    """
    path = Path(path)
    if not path.is_file():
        return None
    own = continuation_of(path)
    if own is not None:
        base = re.sub(r"-\d+$", "", path.stem)
        raise KoppelError(
            f"this is continuation part {own[0]} of {own[1]} of a split auditfile (XAF-F08)",
            file=path,
            hint=f"give the first part, {base}{path.suffix}, to read the whole set",
        )
    marks = []
    for sibling in path.parent.glob(f"{glob.escape(path.stem)}-*{glob.escape(path.suffix)}"):
        number = sibling.name[len(path.stem) + 1 : len(sibling.name) - len(path.suffix)]
        if number.isdigit() and sibling.is_file() and (mark := continuation_of(sibling)) is not None:
            marks.append(mark)
    if not marks:
        return None
    y = min(marks)[1]
    parts = [path]
    for x in range(2, y + 1):
        part = part_name(path, x)
        if not part.is_file():
            raise KoppelError(
                f"split auditfile incomplete: part {x} of {y} ({part.name}) is missing (XAF-F08)",
                file=path,
                hint="put every part of the set in the same folder",
            )
        mark = continuation_of(part)
        if mark != (x, y):
            raise KoppelError(
                f"{part.name} says {'nothing' if mark is None else f'part {mark[0]} of {mark[1]}'}, "
                f"expected 'Vervolgbestand {x} van {y}' (XAF-F08)",
                file=part,
                line=1,
                hint="the parts disagree; export the auditfile again",
            )
        parts.append(part)
    extra = part_name(path, y + 1)
    if extra.is_file() and continuation_of(extra) is not None:
        raise KoppelError(f"split auditfile has a part {y + 1} beyond 'van {y}' (XAF-F08)", file=extra)
    return parts


def join_parts(parts: list[Path], target: Path) -> None:
    """Concatenate the parts (continuation comments removed) into ``target``."""
    with target.open("wb") as dst:
        for i, part in enumerate(parts):
            with part.open("rb") as src:
                if i:
                    head = src.read(300)
                    bom = head.startswith(b"\xef\xbb\xbf")
                    body = head[3:] if bom else head
                    match = _COMMENT.match(body)
                    dst.write(body[match.end() :] if match else body)
                _copy(src, dst, 1 << 62)


NEGATIVE_CREDIT_HINT = (
    "every line of it is a debit: this CLAIR2 file writes credits as negative creditAmount (Banana does); "
    "read it with --read-option clair2_negative_credit=abs"
)


def clair2_balance_hint(amounts: np.ndarray) -> str | None:
    """Why a CLAIR2 entry may not balance: all its lines debits is the mark of credits written negative."""
    return NEGATIVE_CREDIT_HINT if bool((amounts >= 0).all()) else None


def read_xaf_result(path: str | Path, **options) -> ReadResult:
    """:func:`read_xaf_set` as the registry's reader: the Administration, and for a CLAIR2 file the reader's word
    on an entry that does not balance (:func:`clair2_balance_hint`)."""
    adm = read_xaf_set(path, **options)
    hint = clair2_balance_hint if adm.header.source_version == "2.0" else None
    return ReadResult(adm, Path(path), balance_hint=hint)


def read_xaf_set(path: str | Path, *, workers: int | None = None, **options):
    """Read an auditfile, or the whole split set it is the first part of, as one Administration.

    ``workers``: processes that parse a single large file (see :func:`~koppel.xaf.parallel.reading_workers`;
    ``None`` = its default, 1 = this process only).
    """
    from .consumers import pass_options
    from .parallel import read_xaf_parallel, reading_workers
    from .reader import read_xaf

    options.update(pass_options())  # e.g. a conversion to XAF 4.0: its upgrade report is counted in this pass
    path = Path(path)
    parts = split_set(path)
    if parts is None:  # one worker: read_xaf_parallel is read_xaf
        counts_only = bool(options.get("lines_not_kept"))
        return read_xaf_parallel(path, workers=reading_workers(path, workers, counts_only=counts_only), **options)
    fd, name = tempfile.mkstemp(prefix=".koppel-joined-", suffix=path.suffix)
    os.close(fd)
    joined = Path(name)
    try:
        join_parts(parts, joined)
        try:
            adm = read_xaf(joined, **options)
        except KoppelError as exc:
            if exc.file is not None and Path(exc.file) == joined:
                exc.file = f"{path} (+{len(parts) - 1} continuation parts, joined)"
            raise
        adm.not_carried = dict(adm.not_carried)
        adm.header.split_parts = len(parts)  # type: ignore[attr-defined]
        return adm
    finally:
        with contextlib.suppress(OSError):
            joined.unlink()
