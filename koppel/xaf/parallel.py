"""Reading one auditfile on several cores: byte ranges split at transaction boundaries.

The journals of an auditfile are a long run of ``<transaction>`` elements. The file is cut right
after a ``</transaction>`` into pieces of similar size; each piece is wrapped into a small well-formed
document (root, ``transactions``, and the header of the journal it starts in) and parsed by the
ordinary reader in a worker process. Master data before the first journal and what follows the last
one are parsed by the main process. Batches come back as Arrow tables, in file order.

Used when the file allows it (namespace only on the root, no prefixes, LF or CRLF line ends, UTF-8
or ISO-8859-1); otherwise :func:`iter_xaf_parallel` falls back to the single-process reader.
"""

from __future__ import annotations

import contextlib
import mmap
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import KoppelError
from ..interrupts import signals_blocked, worker_ignores_interrupts
from ..model import Administration
from .reader import (
    BATCH_SIZE,
    Progress,
    XafReader,
    arrow_frame,
    collected_subledgers,
    count_journal_leftovers,
    iter_xaf,
    not_carried_why,
    rows_folder,
    settle_opening,
)
from .source import CHUNK, SCAN_BLOCK, namespace_only_once  # SCAN_BLOCK: plain reads over the whole file
from .upgrade import kept_rows
from .versions import XafFile, sniff_xaf

PIECE_BYTES = 8 << 20
PARALLEL_MIN_BYTES = 64 << 20  # without --workers, smaller files are read in one process
# Reader processes when --workers is not given, measured on the 2-core machine (bench/bench_commands.py, README
# "Memory and reader processes"). A read that keeps the lines (convert, export) is limited by its writer in this
# process: a second reader adds its memory and gains little, so one reads. A read that only counts them
# (inspect) is the parse alone: two readers, this process one of them, take 1.7x less wall time for 1.5x the
# process tree's memory (~245 MB), from PARALLEL_MIN_BYTES on. ``--workers N`` sets it.
DEFAULT_WORKERS = 1
COUNTING_WORKERS = 2
# Only where a reader can be forked: a started one (Windows) imports pandas and pyarrow afresh (about a second
# and ~110 MB), much of what the second core would save on a file of a few hundred MB.
_CAN_FORK = "fork" in multiprocessing.get_all_start_methods()
_ONE_CORE = False
MIN_PIECE_BYTES = 1 << 20
# Rows a piece's reader gathers before it checks them as a batch when the lines are only counted (inspect): the
# rows wait as Python objects (about 1 KB each). Against BATCH_SIZE the two readers' tree is ~45 MB smaller
# (inspect, 1.2M lines: 2,000 rows 236 MB, 5,000 rows 246 MB), at the same CPU (4 paired runs: 1.00x).
PIECE_BATCH_COUNTED = 2_000
_JOURNAL_START = re.compile(rb"<journal[\s>]")
_TX_END = b"</transaction>"
_JOURNAL_END = b"</journal>"


@dataclass
class _Piece:
    index: int
    start: int
    end: int
    journal_header: bytes | None  # the open journal's own fields when the piece starts inside it
    ends_inside_journal: bool
    first_line: int  # file line number of the piece's first byte


def _pieces(mm: mmap.mmap, fd: int, begin: int, finish: int, target: int, readers: int = 1) -> list[_Piece]:
    """Split [begin, finish) at ``</transaction>`` boundaries into pieces of about ``target`` bytes, smaller
    towards the end (a share of what is left for each of the ``readers``, down to :data:`MIN_PIECE_BYTES`), so
    that the readers finish together instead of one waiting for another's last large piece.

    Only the few pages around each cut are touched through the mapping; the rest is scanned once, front to
    back, with plain reads (a mapped page read counts as resident memory of this process).
    """
    cuts = [begin]
    pos = begin + target
    while pos < finish:
        hit = mm.find(_TX_END, pos, finish)
        if hit < 0:
            break
        cut = hit + len(_TX_END)
        if cut >= finish:
            break
        cuts.append(cut)
        pos = cut + max(MIN_PIECE_BYTES, min(target, (finish - cut) // (2 * readers)))
    cuts.append(finish)
    pieces = []
    line = _scan(fd, 0, begin)[0] + 1
    open_journal = begin
    for i in range(len(cuts) - 1):
        a, b = cuts[i], cuts[i + 1]
        header = None
        if i > 0:
            first_tx = mm.find(b"<transaction", open_journal, a)
            header = bytes(mm[open_journal:first_tx])
        ends_inside = i < len(cuts) - 2
        pieces.append(_Piece(i, a, b, header, ends_inside, line))
        newlines, last_journal = _scan(fd, a, b)
        line += newlines
        open_journal = last_journal if last_journal is not None else open_journal
    return pieces


def _pread_seek(fd: int, size: int, offset: int) -> bytes:
    """``os.pread`` where the platform has none (Windows): seek, then read. The descriptor is this
    process's own and used by one thread, so moving its offset disturbs nobody."""
    os.lseek(fd, offset, os.SEEK_SET)
    parts = []
    while size > 0:
        chunk = os.read(fd, size)
        if not chunk:
            break
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


pread = getattr(os, "pread", _pread_seek)


class PieceStream:
    """``prefix``, then bytes ``[start, end)`` of the file open as ``fd``, then ``suffix``: a piece of an auditfile
    wrapped into a document of its own, read as the parser asks for it. Joined into one
    ``bytes`` first, a piece of 8 MB was held twice over in every reader process."""

    def __init__(self, fd: int, start: int, end: int, prefix: bytes, suffix: bytes) -> None:
        self._fd = fd
        self._at = start
        self._end = end
        self._pending = prefix
        self._suffix = suffix

    def read(self, size: int = -1) -> bytes:
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        if self._at < self._end:
            want = self._end - self._at if size is None or size < 0 else min(max(size, CHUNK), self._end - self._at)
            data = pread(self._fd, want, self._at)
            if not data:
                raise OSError(f"the file ended at byte {self._at} while it was being read; was it changed?")
            self._at += len(data)
            return data
        data, self._suffix = self._suffix, b""
        return data

    def close(self) -> None:
        self._at = self._end
        self._suffix = b""


def _scan(fd: int, start: int, end: int) -> tuple[int, int | None]:
    """LF count in [start, end) and the offset of the last ``<journal`` start tag there, a few MB at a time."""
    count, last = 0, None
    for pos in range(start, end, SCAN_BLOCK):
        n = min(SCAN_BLOCK, end - pos)
        block = pread(fd, n + 8, pos)  # 8 bytes more: a tag starting in this block is seen whole
        count += block.count(b"\n", 0, n)
        limit = len(block)
        while (hit := block.rfind(b"<journal", 0, limit)) >= 0:
            if hit < n and block[hit + 8 : hit + 9] in (b">", b" ", b"\t", b"\r", b"\n"):
                last = pos + hit
                break
            limit = hit + 7
    return count, last


def _declaration(info: XafFile) -> bytes:
    return f'<?xml version="1.0" encoding="{info.encoding}"?>'.encode("ascii")


def _parse_piece(args: tuple) -> dict:
    """Worker: parse one wrapped piece with the ordinary reader; return Arrow tables and what it counted."""
    info, piece, options, batch_size = args
    prefix = _declaration(info) + b"<auditfile><transactions>"
    if piece.journal_header is not None:
        prefix += piece.journal_header
    suffix = (b"</journal>" if piece.ends_inside_journal else b"") + b"</transactions></auditfile>"
    reader = XafReader(info, batch_size, None, options)
    reader.as_arrow = True
    shift = piece.first_line - 1 - prefix.count(b"\n")
    if reader.drops is not None:
        reader.drops.line_shift = shift
    keep = not options.get("lines_not_kept")
    tables: list[pa.Table] = []
    rows = 0
    with open(info.path, "rb") as handle:
        reader.data = PieceStream(handle.fileno(), piece.start, piece.end, prefix, suffix)
        try:
            for table in reader.batches():
                rows += table.num_rows
                if keep:
                    tables.append(table)
        except KoppelError as exc:
            line = exc.line + shift if exc.line is not None else None
            return {"error": (exc.message, line, exc.field, exc.hint)}
    return {
        "tables": tables,
        "rows": rows,
        "entries": reader.entries_in_batch,
        "side_totals": reader.side_totals,
        "journals": reader.master["journals"],
        "opening_entries": reader.opening_entries,
        "opening_lines": [pa.Table.from_pandas(f, preserve_index=False) for f in reader.opening_lines],
        "not_carried": reader.not_carried,
        "unknown_codes": reader.unknown_codes,
        "dropped": _dropped(reader),
        "subledgers": reader.subledgers,
    }


def _dropped(reader: XafReader) -> tuple | None:
    """What a piece's drop counter counted and kept: (counts, opening entries' counts, (spool, rows))."""
    drops = reader.drops
    return (drops.counts, drops.opening, drops.close()) if drops is not None else None


class ParallelRead:
    """State of a parallel read: master data (main process) and merged results of the workers."""

    def __init__(self, path: Path, encoding: str | None, options: dict, workers: int) -> None:
        self.path = Path(path)
        self.info = sniff_xaf(path, encoding)
        self.options = options
        self.workers = workers
        self.master: XafReader | None = None
        self.pool: ProcessPoolExecutor | None = None  # the reader processes besides this one (see plan)
        self.entries = 0
        self.rows = 0
        self.side_totals = [0, 0]
        self.journals: list[dict] = []
        self.opening_entries: set[tuple[str, str]] = set()
        self.opening_lines: list[pd.DataFrame] = []
        self.not_carried: dict[str, int] = {}
        self.unknown_codes: dict[str, dict[str, int]] = {}
        self.dropped: list[tuple] = []  # the pieces' and the tail's upgrade counts and kept rows (count_dropped)
        self.subledgers: list = []  # the pieces' and the tail's subledger collectors, in file order

    def possible(self) -> bool:
        info = self.info
        if info.encoding not in ("utf-8", "iso8859-1", "latin-1", "latin1"):
            return False
        with info.path.open("rb") as handle:
            head = handle.read(1 << 16)
        if b"\r" in head and b"\n" not in head:  # CR-only: line numbers would need translation
            return False
        return bool(_JOURNAL_START.search(head) or info.size > (1 << 16))

    def _master_reader(self, data: bytes, shift: int = 0) -> XafReader:
        reader = XafReader(self.info, BATCH_SIZE, None, self.options)
        reader.data = data
        if reader.drops is not None:
            reader.drops.line_shift = shift
        for _ in reader.batches():
            pass
        return reader

    def plan(self, pool: ProcessPoolExecutor) -> bool:
        """Cut the journals into pieces; False when the file has no journals to share out, or when its namespace
        occurs elsewhere than on the root (the pieces are parsed without it). A worker of ``pool`` checks the
        latter while this process cuts: both read the whole file."""
        info = self.info
        self.pool = pool
        once = pool.submit(namespace_only_once, info.path, info.namespace) if info.namespace is not None else None
        return self._cut() and (once is None or once.result())

    def _cut(self) -> bool:
        info = self.info
        with info.path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            first = _JOURNAL_START.search(mm)
            last_end = mm.rfind(_JOURNAL_END)
            if first is None or last_end < 0:
                return False
            begin, finish = first.start(), last_end + len(_JOURNAL_END)
            self._head = bytes(mm[:begin])
            self._tail = bytes(mm[finish:])
            size = finish - begin
            target = max(MIN_PIECE_BYTES, min(PIECE_BYTES, size // (self.workers * 4) + 1))
            self.pieces = _pieces(mm, handle.fileno(), begin, finish, target, self.workers)
            last = self.pieces[-1]
            self._tail_first_line = last.first_line + mm[last.start : last.end].count(b"\n")  # line of `finish`
        return True

    def batches(self, progress: Progress | None = None) -> Iterator[pd.DataFrame]:
        """The lines in file order; :meth:`plan` first. ``progress`` gets the bytes done as pieces finish."""
        info = self.info
        closing = b"</transactions></auditfile>" if info.version == "2.0" else b"</transactions></company></auditfile>"
        opening = b"<auditfile><company><transactions>" if info.version != "2.0" else b"<auditfile><transactions>"
        batch_size = PIECE_BATCH_COUNTED if self.options.get("lines_not_kept") else BATCH_SIZE
        args = [(info, piece, self.options, batch_size) for piece in self.pieces]
        rest: pa.Table | None = None  # re-cut into batches like the serial reader's (memory of the writers follows)
        assert self.pool is not None, "plan() first"
        results = _ordered_results(self.pool, args, self.workers)  # the pool starts on the first pieces now
        self.master = self._master_reader(_strip_root_namespace(self._head, info) + closing)
        tail_reader = self._master_reader(_declaration(info) + opening + self._tail, self._tail_first_line - 1)
        for piece, result in zip(self.pieces, results, strict=True):
            if "error" in result:
                message, line, field, hint = result["error"]
                raise KoppelError(message, file=self.path, line=line, field=field, hint=hint)
            self.entries += result["entries"]
            self.rows += result["rows"]
            self.side_totals[0] += result["side_totals"][0]
            self.side_totals[1] += result["side_totals"][1]
            self.journals.extend(result["journals"])
            self.opening_entries |= result["opening_entries"]
            self.opening_lines.extend(t.to_pandas() for t in result["opening_lines"])
            for key, n in result["not_carried"].items():
                self.not_carried[key] = self.not_carried.get(key, 0) + n
            _merge_unknown(self.unknown_codes, result["unknown_codes"])
            if result["dropped"] is not None:
                self.dropped.append(result["dropped"])
            self.subledgers.append(result["subledgers"])
            tables = ([rest] if rest is not None else []) + result["tables"]
            rest = pa.concat_tables(tables) if tables else None  # a piece of only a journal's end has none
            while rest is not None and (cut := _entry_cut(rest, BATCH_SIZE)) is not None:
                yield arrow_frame(rest.slice(0, cut).combine_chunks())
                rest = rest.slice(cut)
            if progress is not None:
                progress(piece.end)
        if rest is not None and rest.num_rows:
            yield arrow_frame(rest.combine_chunks())
        for key, n in tail_reader.not_carried.items():
            self.not_carried[key] = self.not_carried.get(key, 0) + n
        _merge_unknown(self.unknown_codes, tail_reader.unknown_codes)
        if tail_reader.drops is not None:
            self.dropped.append(_dropped(tail_reader))
        if tail_reader.subledgers is not None:  # its lines count from the tail's start: the file's line there
            for row in tail_reader.subledgers.rows:
                row["source_line"] += self._tail_first_line - 1
        self.subledgers.append(tail_reader.subledgers)
        if progress is not None:
            progress(info.size)


def _start_worker() -> None:
    """Worker initializer: Ctrl-C is the coordinator's; die with it, as a batch job's workers do."""
    from ..jobs.executors import _die_with_parent

    worker_ignores_interrupts()
    _die_with_parent()


@contextlib.contextmanager
def _worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """Forked reader processes, stopped at once when the read ends early (error, Ctrl-C, SIGTERM).

    ``concurrent.futures`` notices a worker that died and never waits on a lock a killed process held
    (``multiprocessing.Pool.terminate`` can, and hung koppel in a futex wait with both workers defunct).
    """
    from ..jobs.executors import stop_pool

    method = "fork" if _CAN_FORK else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method), initializer=_start_worker)
    try:
        with signals_blocked():  # the first task forks every worker: none of them may see a Ctrl-C before
            pool.submit(int)  # it ignores it (signals arriving meanwhile reach this process afterwards)
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    else:
        pool.shutdown(wait=True)


def _merge_unknown(into: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> None:
    for field, values in more.items():
        target = into.setdefault(field, {})
        for value, n in values.items():
            target[value] = target.get(value, 0) + n


def _ordered_results(pool: ProcessPoolExecutor, args: list, readers: int) -> Iterator[dict]:
    """``_parse_piece`` of every arg, in order, with a bounded number of pieces parsed and not yet taken (results
    of readers that run ahead would otherwise pile up in this process, memory growing with the file).

    This process is one of the ``readers``: whenever the piece it needs next is not ready, it parses the next
    piece nobody has taken yet itself, instead of waiting. So ``--workers N`` is N processes, not N + 1 (each
    reader process maps the imports of this one once more), and a coordinator kept busy by a writer leaves the
    reading to the pool. The first pieces go to the pool at once, so it works while the caller reads the
    master data.
    """
    queued = 2 * max(1, readers - 1)  # pieces handed to the pool and not yet taken: none of its workers waits
    pending: deque[Future | dict] = deque()  # in file order: the pool's futures and the results parsed here
    todo = iter(args)

    def in_pool() -> int:
        return sum(isinstance(item, Future) for item in pending)  # a handful of items

    def hand_out() -> None:
        while in_pool() < queued and (arg := next(todo, None)) is not None:
            pending.append(pool.submit(_parse_piece, arg))

    def results() -> Iterator[dict]:
        try:
            while pending:
                head = pending[0]
                if isinstance(head, Future):
                    ready = head.done() or len(pending) - in_pool() >= readers
                    if not ready and (arg := next(todo, None)) is not None:
                        pending.append(_parse_piece(arg))  # in file order: every piece before it is in `pending`
                        continue
                pending.popleft()
                result = head.result() if isinstance(head, Future) else head
                hand_out()
                yield result
        finally:
            for future in pending:
                if isinstance(future, Future):
                    future.cancel()

    hand_out()
    return results()


def _entry_cut(table: pa.Table, at: int) -> int | None:
    """The first row from ``at`` on where a new entry starts (journal_id + entry_nr change), if any.

    ``table`` is what a piece or two left over (tens of thousands of rows): one vectorised compare of its rest.
    """
    if table.num_rows <= at:
        return None
    change = None
    for name in ("journal_id", "entry_nr"):
        arr = pc.fill_null(table.column(name).slice(at - 1).combine_chunks(), "\x00")
        differs = pc.not_equal(arr[1:], arr[:-1])
        change = differs if change is None else pc.or_(change, differs)
    hits = np.flatnonzero(change.to_numpy(zero_copy_only=False))
    return at + int(hits[0]) if len(hits) else None


def _strip_root_namespace(head: bytes, info: XafFile) -> bytes:
    if info.namespace is None:
        return head
    needle = info.namespace.encode("ascii")
    for quote in (b'"', b"'"):
        decl = b" xmlns=" + quote + needle + quote
        if decl in head:
            return head.replace(decl, b"", 1)
    return head


def reading_workers(path: str | Path, requested: int | None = None, *, counts_only: bool = False) -> int:
    """How many processes read ``path``: ``requested`` when given, else :data:`DEFAULT_WORKERS` for a read that
    keeps the lines and :data:`COUNTING_WORKERS` for one that only counts them (``counts_only``, where readers
    can be forked), capped by the cores, for a large file.

    Without a request the file is read in one process when it is under :data:`PARALLEL_MIN_BYTES` (starting
    workers costs more than it saves), inside a daemonic process (which may not start children), and after
    :func:`read_on_one_core` (a batch job's worker processes already use every core).
    """
    if requested is not None:
        return max(1, int(requested))
    default = COUNTING_WORKERS if counts_only and _CAN_FORK else DEFAULT_WORKERS
    if default < 2 or _ONE_CORE or multiprocessing.current_process().daemon:
        return 1
    return min(default, _cores()) if Path(path).stat().st_size >= PARALLEL_MIN_BYTES else 1


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def read_on_one_core() -> None:
    """Make auto mode read on one core in this process (called in a job's worker processes)."""
    global _ONE_CORE
    _ONE_CORE = True


def iter_xaf_parallel(
    path: str | Path, *, workers: int | None = None, encoding: str | None = None, **options
) -> Iterator[pd.DataFrame]:
    """Canonical ``lines`` batches of an auditfile, parsed on ``workers`` cores (default: all)."""
    with _planned_read(path, encoding, options, workers) as read:
        if read is None:
            yield from iter_xaf(path, encoding=encoding, **options)[1]
            return
        with contextlib.closing(read.batches()) as batches:
            yield from batches


@contextlib.contextmanager
def _planned_read(
    path: str | Path, encoding: str | None, options: dict, workers: int | None
) -> Iterator[ParallelRead | None]:
    """A parallel read with its pieces cut and its workers running (stopped when the block ends), or None where
    the single-process reader reads the file (one worker, or a file that does not allow cutting; see the module
    doc). ``workers`` None: all cores.

    The workers fork before the plan: a worker checks the namespace while this process cuts the pieces, and
    each maps only what this process holds before the read (imports), not what the read has added since.
    """
    workers = workers or _cores()
    read = ParallelRead(Path(path), encoding, options, workers) if workers >= 2 else None
    if read is None or not read.possible():
        yield None
        return
    with _worker_pool(workers - 1) as pool:
        if read.plan(pool):
            yield read
            return
    yield None


def read_xaf_parallel(
    path: str | Path,
    *,
    workers: int | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
    **options,
) -> Administration:
    """:func:`~koppel.xaf.reader.read_xaf` on several cores; the same Administration, faster.

    Falls back to the single-process reader where the file does not allow cutting (see the module doc).
    """
    from .reader import read_xaf

    with rows_folder(options), _planned_read(path, encoding, options, workers) as read:
        if read is None:
            return read_xaf(path, encoding=encoding, progress=progress, **options)
        return _read_parallel(read, progress)


def _read_parallel(read: ParallelRead, progress: Progress | None) -> Administration:
    adm = Administration()
    with contextlib.closing(read.batches(progress)) as batches:  # stops the workers at once if this ends early
        for batch in batches:
            adm.lines.append(batch)
            adm.stats.add_batch(batch, 0)
    adm.lines.close()
    if read.options.get("lines_not_kept"):  # the pieces sent counts, no lines
        adm.lines.kept = False
        adm.stats.count_batch(read.rows, 0)
    master = read.master
    assert master is not None
    adm.header = master.header
    adm.stats.transactions = read.entries
    adm.stats.debit, adm.stats.credit = read.side_totals
    master.master["journals"] = _unique_journals(master.master["journals"] + read.journals)
    for name, frame in master.master_tables().items():
        setattr(adm, name, frame)
    master.opening_entries = read.opening_entries
    master.opening_lines = read.opening_lines
    for key, n in read.not_carried.items():
        master.not_carried[key] = master.not_carried.get(key, 0) + n
    settle_opening(adm, master)
    count_journal_leftovers(master)
    adm.not_carried = dict(sorted(master.not_carried.items()))
    adm.not_carried_why.update(not_carried_why(adm.not_carried))
    _merge_unknown(master.unknown_codes, read.unknown_codes)
    adm.unknown_codes = master.unknown_codes
    if master.drops is not None:
        for counts, opening, _kept in read.dropped:
            master.drops.merge(counts, opening)
        journals = master.master["journals"]
        adm.dropped_in_40 = master.drops.result(adm.opening_entries, journals)
        if master.drops.rows_dir is not None:  # file order: the head, the pieces, the tail
            kept = [master.drops.close(), *(k for _c, _o, k in read.dropped)]
            adm.dropped_rows = kept_rows(master.drops.rows_dir, kept, journals, adm.opening_entries)
    if master.want_subledgers:
        adm.subledgers = collected_subledgers([master.subledgers, *read.subledgers])
    return adm


def _unique_journals(records: list[dict]) -> list[dict]:
    """A journal split over pieces is seen by each of them: keep its first record."""
    seen: set = set()
    out = []
    for record in records:
        key = record.get("journal_id")
        if key not in seen:
            seen.add(key)
            out.append(record)
    return out
