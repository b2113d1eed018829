"""Streaming XAF reader for CLAIR2 (2.0), 3.0, 3.1, 3.2, 3.2.1 and 4.0.

The builder subscribes to the one content pass over the file (:class:`~koppel.xaf.events.RecordPass`): master
data is collected into small tables, transaction lines are gathered as plain row lists and turned into canonical
``lines`` batches of ``batch_size`` rows. The pass frees each record once read, so memory does not grow with the
file; what no handler read stays in the tree and is counted as not carried at the end.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from ..errors import KoppelError
from ..model import TABLES, Administration, Header, Subledgers, conform, make_table
from ..money import parse_cents, parse_cents_arrow, parse_rate_bp
from .consumers import take_joined
from .events import PAUSE, Handler, RecordPass, open_source
from .rows import (
    CUR_AMT,
    CURRENCY_BLOCK,
    LINE_SLOTS,
    ROW_WIDTH,
    SLOT,
    UNKNOWN,
    VAT_AMT,
    VAT_BLOCK,
    VAT_SIDE,
    A,
    B,
    element_text,
)
from .safety import xml_error
from .subledgers import KEY_ELEMENTS, SubledgerCollector, subledger_tables
from .upgrade import DROPPED_KEY, DropCounter, kept_rows
from .versions import XafFile, sniff_xaf
from .vocabulary import CONTROL_TOTALS, vocabulary_for

BATCH_SIZE = 20_000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH = datetime.date(1970, 1, 1)

# key of a journal record holding what the journal element had that the model does not carry
NOT_CARRIED_KEY = "_not_carried"


Progress = Callable[[int], None]


@dataclass
class _TxContext:
    """Per-transaction context, expanded to the lines at batch time (np.repeat, not per line)."""

    journal: list = field(default_factory=list)
    nr: list = field(default_factory=list)
    desc: list = field(default_factory=list)
    period: list = field(default_factory=list)
    date: list = field(default_factory=list)
    count: list = field(default_factory=list)
    source_line: list = field(default_factory=list)

    def clear(self) -> None:
        for values in (self.journal, self.nr, self.desc, self.period, self.date, self.count, self.source_line):
            values.clear()


class XafReader:
    """One streaming pass over an auditfile: the tables it fills, the lines it yields, what it counted."""

    def __init__(self, info: XafFile, batch_size: int, progress: Progress | None, options: dict) -> None:
        self.info = info
        self.voc = vocabulary_for(info)
        self.batch_size = batch_size
        self.progress = progress
        self.negative_credit_abs = options.get("clair2_negative_credit") == "abs"
        self.huge_tree = bool(options.get("huge_tree"))
        self.header = Header(
            source_format="xaf",
            source_version=info.version,
            encoding=info.encoding,
        )
        self.master: dict[str, list[dict]] = {name: [] for name in TABLES if name != "lines"}
        self.not_carried: dict[str, int] = {}
        self.unknown_codes: dict[str, dict[str, int]] = {}
        self.opening_journals: set[str] = set()  # jrnTp O: every transaction in it is part of the opening balance
        self.opening_entries: set[tuple[str, str]] = set()
        self.opening_lines: list[pd.DataFrame] = []
        self.ob_declared: dict[str, str | None] = {}
        self.entries_in_batch = 0
        self.side_totals = [0, 0]  # Σ debit, Σ credit as written by side
        self._rate_cache: dict[str, int] = {}
        self._date_cache: dict[str, int] = {}
        # what XAF 4.0 drops, counted in this pass when a conversion to 4.0 asks (option ``count_dropped``)
        family = "2.0" if info.version == "2.0" else "3"
        self.drops = DropCounter(family, options.get("dropped_rows_dir")) if options.get("count_dropped") else None
        # subledgers and match keys, collected in this pass for open items (option ``subledgers``; XAF 3.x only)
        self.want_subledgers = bool(options.get("subledgers"))
        self.subledgers: SubledgerCollector | None = None

    # -- helpers -------------------------------------------------------------------------------
    def count_not_carried(self, what: str, n: int = 1) -> None:
        self.not_carried[what] = self.not_carried.get(what, 0) + n

    def _error(self, message: str, line: int | None, field: str | None = None, hint: str | None = None):
        return KoppelError(message, file=self.info.path, line=line, field=field, hint=hint)

    # -- the pass ------------------------------------------------------------------------------
    # bytes to parse instead of the file (a piece of it, wrapped; see parallel.py), already without namespace
    data: bytes | BinaryIO | None = None
    # yield Arrow tables instead of pandas frames (worker processes send Arrow, see parallel.py)
    as_arrow = False

    def batches(self, records: RecordPass | None = None) -> Iterator[pd.DataFrame]:
        """The canonical lines in batches; the master tables and counts fill as the pass runs.

        ``records``: a pass other consumers subscribe to as well (made by the caller with :meth:`parse_encoding`);
        by default the reader makes its own.
        """
        info = self.info
        forced = self._forced_encoding
        if records is None:
            source = open_source(info, self.progress, self.data)
            records = RecordPass(source, info.namespace, encoding=self.parse_encoding(), huge_tree=self.huge_tree)
            joined = take_joined(info.path) if self.data is None else None  # the whole file, not a parallel piece
            if joined is not None:
                joined(records)
        source = records.source
        self.voc = voc = vocabulary_for(info, stripped=source.stripped)
        if self.want_subledgers and info.version not in ("2.0", "4.0"):
            self.subledgers = SubledgerCollector(voc.ns, info.path)
        rows: list = []  # the lines' slots one after another, ROW_WIDTH per line
        src_lines: list[int] = []
        ctx = _TxContext()
        unknown_line: dict = {}
        unknown_tx: dict = {}
        records.subscribe(self.handlers(rows, src_lines, ctx, unknown_line, unknown_tx), keeps_unread=True)
        gc_was_enabled = gc.isenabled()
        gc.disable()  # the pass allocates millions of small containers; none of them form cycles
        try:
            for _ in records.run():  # a batch is full
                batch = self._batch(rows, src_lines, ctx)
                rows.clear()
                src_lines.clear()
                ctx.clear()
                if gc_was_enabled:  # the consumer runs with the collector on
                    gc.enable()
                yield batch
                gc.disable()
            self._count_leftovers(records.root)
            if self.drops is not None:
                self.drops.leftovers(records.root)
        except etree.XMLSyntaxError as exc:
            raise xml_error(self.info.path, exc, forced or self.info.encoding) from None
        finally:
            source.close()
            if gc_was_enabled:
                gc.enable()
        line_local, tx_local = voc.local("line"), voc.local("transaction")
        for what, n in unknown_line.items():
            if isinstance(what, tuple):  # an unknown child of the line's vat or currency block
                local = f"{what[0]}/{what[1][voc.ns_len :]}"
            else:
                local = what if what.startswith("vat (") else what[voc.ns_len :]
            self.count_not_carried(f"{line_local}/{local}", n)
        for what, n in unknown_tx.items():
            if isinstance(what, str):
                self.count_not_carried(f"{tx_local}/{what[voc.ns_len :]}", n)
        if src_lines or ctx.count:
            yield self._batch(rows, src_lines, ctx)

    def handlers(self, rows: list, src_lines: list[int], ctx: _TxContext, unknown_line: dict, unknown_tx: dict):
        """The builder's subscription by local name: transactions (with their lines) and the master records.

        What the transaction handler fills: ``rows`` (ROW_WIDTH slots per line), ``src_lines``, ``ctx``, and the
        unknown children of lines and transactions; it answers PAUSE when a batch is full.
        """
        voc = self.voc
        cut = voc.ns_len
        handlers = {tag[cut:]: h for tag, h in voc.master_handlers(self).items()}
        drops = self.drops
        if drops is not None:  # it sees each master record before it is freed (a journal's own fields: _journal_seen)
            handlers = {local: h if local == "journal" else _recorded(h, drops.record) for local, h in handlers.items()}
        handlers[voc.tag("transaction")[cut:]] = self._transaction_handler(
            rows, src_lines, ctx, unknown_line, unknown_tx
        )
        return handlers

    def _transaction_handler(self, rows, src_lines, ctx, unknown_line, unknown_tx):
        """The hot path: one walk over a transaction's children fills its context and its lines' slots."""
        voc = self.voc
        line_tag = voc.tag(voc.line_name)
        key_tags = frozenset(voc.tag(k) for k in KEY_ELEMENTS) if self.subledgers is not None else None
        journal_elem = None
        journal_id = None
        keyed = False  # a line of this transaction has a match key (matchKeyID, recRef) for open items
        odd = 0  # rare things seen in the lines (an unknown child, a second vat): the drop counter looks closer

        def transaction(
            elem,
            line_tag=line_tag,
            line_map=voc.line_map,
            vat_map=voc.vat_map,
            cur_map=voc.currency_map,
            tx_fields=voc.tx_fields,
            vat_code_slot=SLOT["vat_code"],
            qty_slot=SLOT["quantity"],
            drops=self.drops,
            key_tags=key_tags,
            rows_extend=rows.extend,
            src_append=src_lines.append,
            src_lines=src_lines,
            ctx=ctx,
            unknown_line=unknown_line,
            unknown_tx=unknown_tx,
            batch_size=self.batch_size,
            opening_journals=self.opening_journals,
            opening_entries=self.opening_entries,
        ):
            nonlocal journal_elem, journal_id, keyed, odd
            parent = elem.getparent()
            if parent is not journal_elem:
                journal_elem = parent
                journal_id = self._journal_seen(parent)
            nr = desc = period = date = None
            tx_rows = 0
            # the transaction's own fields, then its lines: one pass over its children
            for child in elem:
                ctag = child.tag
                if ctag == line_tag:
                    row = [None] * ROW_WIDTH
                    for field_elem in child:
                        slot = line_map.get(field_elem.tag, UNKNOWN)
                        if slot >= 0:
                            row[slot] = field_elem.text
                        elif slot == VAT_BLOCK:
                            if row[vat_code_slot] is not None or row[VAT_AMT] is not None:
                                unknown_line["vat (second and further)"] = (
                                    unknown_line.get("vat (second and further)", 0) + 1
                                )
                                odd += 1
                                continue
                            for sub in field_elem:
                                s = vat_map.get(sub.tag)
                                if s is not None:
                                    row[s] = sub.text
                                elif sub.text is not None and sub.text.strip():
                                    name = ("vat", sub.tag)
                                    unknown_line[name] = unknown_line.get(name, 0) + 1
                                    odd += 1
                            if row[vat_code_slot] is None and row[VAT_AMT] is None:
                                odd += 1  # a vat block without code or amount: a second one passes above
                        elif slot == CURRENCY_BLOCK:
                            for sub in field_elem:
                                s = cur_map.get(sub.tag)
                                if s is not None:
                                    row[s] = sub.text
                                elif sub.text is not None and sub.text.strip():
                                    name = ("currency", sub.tag)
                                    unknown_line[name] = unknown_line.get(name, 0) + 1
                                    odd += 1
                        else:
                            name = field_elem.tag
                            unknown_line[name] = unknown_line.get(name, 0) + 1
                            odd += 1
                            if key_tags is not None and name in key_tags:
                                keyed = True
                    if drops is not None and row[qty_slot] is not None:
                        odd += 1  # carried by the model, not by XAF 4.0
                    rows_extend(row)
                    src_append(child.sourceline)
                    tx_rows += 1
                    continue
                name = tx_fields.get(ctag)
                if name is None:
                    unknown_tx[ctag] = unknown_tx.get(ctag, 0) + 1
                    odd += 1
                elif name == "nr":
                    nr = child.text
                elif name == "desc":
                    desc = child.text
                elif name == "period":
                    period = child.text
                else:
                    date = child.text
            ctx.journal.append(journal_id)
            ctx.nr.append(nr)
            ctx.desc.append(desc)
            ctx.period.append(period)
            ctx.date.append(date)
            ctx.count.append(tx_rows)
            ctx.source_line.append(elem.sourceline)
            opening = None
            if nr is not None and journal_id is not None and (
                (period is not None and period.strip() == "0") or journal_id in opening_journals
            ):
                opening = (journal_id, nr.strip())
                opening_entries.add(opening)
            if drops is not None and (odd or opening is not None):
                drops.transaction(elem, opening)
                odd = 0
            if keyed:
                self.subledgers.transaction(elem, line_tag, journal_id)
                keyed = False
            self.entries_in_batch += 1
            return PAUSE if len(src_lines) >= batch_size else None

        return transaction

    _forced_encoding: str | None = None

    def parse_encoding(self) -> str | None:
        """What the parser is told the encoding is: the one forced, else the declared one unless UTF-8."""
        info = self.info
        return self._forced_encoding or (info.encoding if info.encoding not in ("utf-8",) else None)

    def _count_leftovers(self, root) -> None:
        """Count what no handler read: texts still in the tree after the pass (e.g. the company's address).

        Handlers clear the records they read and transactions are removed, so what is left holds only the
        elements koppel has no place for (besides the declared control totals, which writers recompute).
        """
        if root is None:
            return
        cut = self.voc.ns_len
        for leaf in root.iter():
            if len(leaf) or not isinstance(leaf.tag, str) or not (leaf.text and leaf.text.strip()):
                continue
            parts = []
            up = leaf
            while up is not None and up is not root:
                parts.append(up.tag[cut:] if up.tag.startswith(self.voc.ns) else etree.QName(up).localname)
                up = up.getparent()
            if len(parts) >= 2 and parts[0] in CONTROL_TOTALS and parts[1] in ("transactions", "openingBalance"):
                continue
            self.count_not_carried("/".join(reversed(parts)))

    def _journal_seen(self, journal) -> str | None:
        """Record a journal when its first transaction arrives (its own fields precede the transactions)."""
        voc = self.voc
        record: dict[str, object] = {}
        rest: dict[str, int] = {}
        carried = voc.journal_carried
        for child in journal:
            tag = child.tag
            if tag == voc.tag("transaction"):
                break
            if not isinstance(tag, str):
                continue
            local = tag[voc.ns_len :]
            if not len(child):
                if local not in record:
                    record[local] = element_text(child)
                    if local in carried:
                        continue
                if child.text and child.text.strip():  # not carried, or a second one of a carried field
                    key = f"journal/{local}" if local not in carried else f"journal/{local} (second and further)"
                    rest[key] = rest.get(key, 0) + 1
            else:
                for leaf in child.iter():
                    if not len(leaf) and isinstance(leaf.tag, str) and leaf.text and leaf.text.strip():
                        key = f"journal/{local}/{leaf.tag[voc.ns_len :]}"
                        rest[key] = rest.get(key, 0) + 1
        journal_id = record.get(voc.journal_fields["journal_id"])
        entry = {canonical: record.get(local) for canonical, local in voc.journal_fields.items()}
        if self.drops is not None:
            entry[DROPPED_KEY] = self.drops.journal(journal, voc.tag("transaction"))
        entry[NOT_CARRIED_KEY] = rest  # counted once per journal when the records are settled (parallel pieces
        self.master["journals"].append(entry)  # see a split journal's fields more than once)
        if voc.version != "2.0" and journal_id is not None and (entry.get("kind") or "").strip() == "O":
            self.opening_journals.add(journal_id)
        journal.set("{urn:koppel}seen", "1")
        return journal_id

    def journal_end(self, elem) -> None:
        if elem.get("{urn:koppel}seen") is None:  # a journal without transactions
            self._journal_seen(elem)

    # -- batch building ------------------------------------------------------------------------
    def _batch(self, rows: list, src_lines: list[int], ctx: _TxContext) -> pd.DataFrame | pa.Table:
        """Turn row lists into a canonical frame with pyarrow kernels (no per-value Python on the fast path)."""
        n = len(src_lines)
        # one conversion for the whole batch; white space trimmed and empty elements made null in one go
        columns = _by_slot(_clean(pa.array(rows, pa.string())), n)
        take = pa.array(np.repeat(np.arange(len(ctx.count), dtype=np.int64), np.asarray(ctx.count, dtype=np.int64)))
        data: dict[str, pa.Array] = {}
        for name, values in (
            ("journal_id", ctx.journal),
            ("entry_nr", ctx.nr),
            ("entry_description", ctx.desc),
            ("period", ctx.period),
        ):
            arr = pa.array(values, pa.string())
            data[name] = (arr if name == "entry_description" else _clean(arr)).take(take)
        tx_dates = self._dates(pa.array(ctx.date, pa.string()), ctx.source_line, self.voc.TX_DATE)
        data["date"] = tx_dates.take(take)
        for name in LINE_SLOTS:
            if name in ("vat_rate", "effective_date"):
                continue
            data[name] = columns[SLOT[name]]
        data["effective_date"] = self._dates(
            columns[SLOT["effective_date"]], src_lines, "effDate"
        )
        data["due_date"] = pa.nulls(n, pa.timestamp("s"))
        data["vat_rate"] = self._rates(columns[SLOT["vat_rate"]], src_lines)
        amount, debit, credit = self.voc.amounts(self, columns[A], columns[B], src_lines)
        self.side_totals[0] += debit
        self.side_totals[1] += credit
        data["amount"] = pa.array(amount, pa.int64())
        data["vat_amount"] = self.voc.vat_amounts(self, columns[VAT_AMT], columns[VAT_SIDE], amount, src_lines)
        data["currency_amount"] = self._signed_currency(columns[CUR_AMT], amount, src_lines)
        table = pa.table({col: data[col] for col in TABLES["lines"]})
        if self.opening_entries and n:
            self._collect_opening(table)
        return table if self.as_arrow else arrow_frame(table)

    def _collect_opening(self, table: pa.Table) -> None:
        mask = pc.fill_null(pc.equal(table["period"], "0"), False)
        if self.opening_journals:
            in_journal = pc.is_in(table["journal_id"], pa.array(sorted(self.opening_journals), pa.string()))
            mask = pc.or_(mask, pc.fill_null(in_journal, False))
        if pc.any(mask).as_py():
            columns = ["line_nr", "account_id", "amount", "description", "relation_id"]
            self.opening_lines.append(arrow_frame(table.filter(mask).select(columns)))

    def _dates(self, arr: pa.Array, src_lines, field: str) -> pa.Array:
        """ISO dates (YYYY-MM-DD, a real day) to timestamp[s]; anything else is an error naming its line.

        Dates repeat a lot: the distinct values of a batch are checked and converted once each.
        """
        if arr.null_count == len(arr):
            return pa.nulls(len(arr), pa.timestamp("s"))
        encoded = pc.utf8_trim_whitespace(arr).dictionary_encode()
        seconds = []
        cache = self._date_cache
        for value in encoded.dictionary.to_pylist():
            second = cache.get(value)
            if second is None:
                try:
                    if not _ISO_DATE.fullmatch(value):
                        raise ValueError
                    day = datetime.date.fromisoformat(value)
                except ValueError:
                    line = src_lines[arr.to_pylist().index(value)] if value in arr.to_pylist() else None
                    raise self._error(
                        f"not a date: {value!r}", line, field, "write dates as YYYY-MM-DD (a real day)"
                    ) from None
                second = cache[value] = (day - _EPOCH).days * 86400
            seconds.append(second)
        return pa.array(seconds, pa.int64()).take(encoded.indices).cast(pa.timestamp("s"))

    def _rates(self, values, src_lines) -> pa.Array:
        """VAT percentages to basis points; the few distinct values are parsed once each."""
        arr = values
        if arr.null_count == len(arr):
            return pa.nulls(len(arr), pa.int64())
        encoded = arr.dictionary_encode()
        parsed = []
        for value in encoded.dictionary.to_pylist():
            bp = self._rate_cache.get(value)
            if bp is None:
                try:
                    bp = self._rate_cache[value] = parse_rate_bp(value)
                except KoppelError as exc:
                    line = src_lines[values.to_pylist().index(value)]
                    raise exc.at(self.info.path, line) from None
            parsed.append(bp)
        return pa.array(parsed, pa.int64()).take(encoded.indices)

    def cents(self, values, src_lines, field: str) -> np.ndarray:
        """Amount strings to int64 cents (missing -> 0, see :meth:`present`); exact, vectorised when usual."""
        arr = pc.utf8_trim_whitespace(values)
        valid = arr.null_count == 0
        filled = arr if valid else pc.fill_null(arr, "0.00")
        try:
            return parse_cents_arrow(filled, field=field)
        except KoppelError:
            for value, line in zip(values.to_pylist(), src_lines, strict=True):
                if value is not None:
                    try:
                        parse_cents(value, field=field)
                    except KoppelError as exc:
                        raise exc.at(self.info.path, line) from None
            raise

    def _signed_currency(self, values, amount: np.ndarray, src_lines) -> pa.Array:
        present = values.is_valid().to_numpy(zero_copy_only=False)
        if not present.any():
            return pa.nulls(len(values), pa.int64())
        cents = np.abs(self.cents(values, src_lines, "curAmnt"))
        # curAmnt has no side of its own: it takes the side of its line.
        signed = np.where(amount < 0, -cents, cents)
        return pa.array(signed, pa.int64(), mask=~present)

    # -- results -------------------------------------------------------------------------------
    def master_tables(self) -> dict[str, pd.DataFrame]:
        out = {}
        for name, records in self.master.items():
            cols = {col: [r.get(col) for r in records] for col in TABLES[name]} if records else {}
            try:
                out[name] = make_table(name, cols, n=len(records))
            except (ValueError, OverflowError) as exc:
                raise self._error(f"bad value in {name}: {exc}", None) from None
        return out



def _recorded(handler: Handler, record: Callable) -> Handler:
    """``handler``, then ``record`` of each element it does not keep (the drop counter, before the pass frees it)."""

    def recorded(elem) -> bool | None:
        answer = handler(elem)
        if answer is not False:
            record(elem)
        return answer

    return recorded


_ARROW_TO_PANDAS = {pa.string(): pd.StringDtype("pyarrow"), pa.int64(): pd.Int64Dtype()}.get


def _by_slot(values: pa.Array, n: int) -> list[pa.Array]:
    """The slot values of ``n`` rows (``ROW_WIDTH`` per row, row after row) as one array per slot.

    One ``take`` puts the values slot after slot, then each slot is a zero-copy slice: a third of the time
    of twenty ``list_element`` calls on a fixed-size list view.
    """
    # position of slot s of row r is r * ROW_WIDTH + s; built slot by slot (a transposed copy cost ~7 ms)
    slot_major = (np.arange(ROW_WIDTH, dtype=np.int64)[:, None] + np.arange(0, n * ROW_WIDTH, ROW_WIDTH)).ravel()
    values = values.take(pa.array(slot_major))
    return [values.slice(i * n, n) for i in range(ROW_WIDTH)]


def _clean(arr: pa.Array) -> pa.Array:
    """Trim surrounding white space of an id; an empty id is a missing one."""
    trimmed = pc.utf8_trim_whitespace(arr)
    empty = pc.equal(trimmed, "")
    if pc.any(empty).as_py():
        trimmed = pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)
    return trimmed


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow batch as a pandas frame with the model's dtypes (strings stay Arrow-backed)."""
    frame = table.to_pandas(types_mapper=_ARROW_TO_PANDAS)
    frame["amount"] = frame["amount"].astype("int64")
    return frame


def iter_xaf(
    path: str | Path,
    *,
    encoding: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    **options,
) -> tuple[XafReader, Iterator[pd.DataFrame]]:
    """Open an auditfile for streaming: returns the reader (master data fills as the pass runs) and the
    iterator of canonical ``lines`` batches."""
    info = sniff_xaf(path, encoding)
    reader = XafReader(info, batch_size, progress, options)
    reader._forced_encoding = encoding
    return reader, reader.batches()


def read_xaf(
    path: str | Path,
    *,
    encoding: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    **options,
) -> Administration:
    """Read an auditfile of any version into an :class:`Administration` (lines spooled when large).

    Options: ``clair2_negative_credit="abs"`` reads a negative CLAIR2 ``creditAmount`` as a credit of its
    absolute value (Banana's dialect); ``huge_tree=True`` lifts libxml2's text-size safety limit.
    """
    with rows_folder(options):
        return _read_xaf(path, encoding, batch_size, progress, options)


@contextlib.contextmanager
def rows_folder(options: dict) -> Iterator[None]:
    """``keep_dropped_rows``: a folder for the kept rows' spool files (``dropped_rows_dir``), removed if the read
    fails; after a read the Administration's :class:`~koppel.xaf.upgrade.DroppedRows` owns it."""
    if not options.get("keep_dropped_rows") or options.get("dropped_rows_dir"):
        yield
        return
    options["count_dropped"] = True
    options["dropped_rows_dir"] = folder = tempfile.mkdtemp(prefix="koppel-dropped-")
    try:
        yield
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _read_xaf(path, encoding, batch_size, progress, options) -> Administration:
    reader, batches = iter_xaf(path, encoding=encoding, batch_size=batch_size, progress=progress, **options)
    adm = Administration(header=reader.header)
    keep = not options.get("lines_not_kept")
    reader.as_arrow = not keep  # counted only: no pandas frame is made of a batch
    for batch in batches:
        if keep:
            adm.lines.append(batch)
            adm.stats.add_batch(batch, reader.entries_in_batch)
        else:
            adm.stats.count_batch(len(batch), reader.entries_in_batch)
        reader.entries_in_batch = 0
    adm.lines.close()
    adm.lines.kept = keep
    adm.stats.debit, adm.stats.credit = reader.side_totals
    for name, frame in reader.master_tables().items():
        setattr(adm, name, frame)
    settle_opening(adm, reader)
    count_journal_leftovers(reader)
    adm.not_carried = dict(sorted(reader.not_carried.items()))
    adm.not_carried_why.update(not_carried_why(adm.not_carried))
    adm.unknown_codes = reader.unknown_codes
    if reader.drops is not None:
        adm.dropped_in_40 = reader.drops.result(adm.opening_entries, reader.master["journals"])
        if reader.drops.rows_dir is not None:
            adm.dropped_rows = kept_rows(
                reader.drops.rows_dir, [reader.drops.close()], reader.master["journals"], adm.opening_entries
            )
    if reader.want_subledgers:
        adm.subledgers = collected_subledgers([reader.subledgers])
    return adm


def collected_subledgers(collectors: list[SubledgerCollector | None]) -> Subledgers:
    """The tables of the collectors in file order (empty when the version has no subledgers)."""
    rows = [row for c in collectors if c is not None for row in c.rows]
    keys = [key for c in collectors if c is not None for key in c.keys]
    return subledger_tables(rows, keys) if rows or keys else Subledgers()


def count_journal_leftovers(reader: XafReader) -> None:
    """Add what the journal records held that the model does not carry (each journal record once)."""
    for record in reader.master["journals"]:
        for key, n in record.get(NOT_CARRIED_KEY, {}).items():
            reader.count_not_carried(key, n)


# Why, for what the XAF reader counts as not carried where "not part of the canonical model" says too little.
_WHY = {
    "company/streetAddress": "the model has no company address",
    "company/postalAddress": "the model has no company address",
    "company/taxRegistrationCountry": "the model has no country of the company (writers derive it from the VAT number)",
    "header/companyAddress": "the model has no company address",
    "header/companyCity": "the model has no company address",
    "header/companyPostalCode": "the model has no company address",
    "customerSupplier/opBalDesc": "relation balances are not part of the model (opening balance is per account)",
    "customerSupplier/opBalTp": "relation balances are not part of the model (opening balance is per account)",
    "customerSupplier/clBalDesc": "relation balances are not part of the model (opening balance is per account)",
    "customerSupplier/clBalTp": "relation balances are not part of the model (opening balance is per account)",
    "customerSupplier/taxRegistrationCountry": "the model has no VAT country per relation (writers derive it from "
    "the VAT number)",
}


def not_carried_why(not_carried: dict[str, int]) -> dict[str, str]:
    """The reasons of :data:`_WHY` for the keys of ``not_carried`` they cover (by prefix)."""
    out = {}
    for key in not_carried:
        for prefix, why in _WHY.items():
            if key == prefix or key.startswith(prefix + "/"):
                out[key] = why
    return out


def settle_opening(adm: Administration, reader: XafReader) -> None:
    """Opening balance from ``openingBalance``, else from period-0 transactions."""
    if not adm.opening_balance.empty:
        adm.header.opening_source = "openingBalance"
        return
    if reader.opening_entries:
        adm.opening_entries = reader.opening_entries
        adm.header.opening_source = "period0"
        adm.opening_balance = conform("opening_balance", pd.concat(reader.opening_lines, ignore_index=True))
