"""Streaming XAF reader for CLAIR2 (2.0), 3.0, 3.1, 3.2, 3.2.1 and 4.0.

One ``iterparse`` pass over the file: master data is collected into small tables, transaction lines
are gathered as plain row lists and turned into canonical ``lines`` batches of ``batch_size`` rows.
Elements are removed from the tree as soon as they are read, so memory does not grow with the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree

from ..errors import KoppelError
from ..model import DATE, TABLES, Administration, Header, conform, make_table
from ..money import parse_cents, parse_rate_bp
from ..progress import CountingReader
from .safety import parser_options, xml_error
from .versions import XafFile, sniff_xaf
from .vocabulary import Vocabulary, vocabulary_for

BATCH_SIZE = 100_000

# Canonical line columns that come from the trLine (or CLAIR2 line) itself, in row-slot order.
LINE_SLOTS = (
    "line_nr",
    "account_id",
    "description",
    "relation_id",
    "doc_ref",
    "invoice_ref",
    "effective_date",
    "cost_center",
    "cost_unit",
    "project",
    "quantity",
    "bank_account",
    "vat_code",
    "vat_rate",
    "currency",
)
SLOT = {name: i for i, name in enumerate(LINE_SLOTS)}
# Raw amount slots after the named ones: A (amnt / debitAmount), B (amntTp / creditAmount),
# VAT amount, VAT side, currency amount, source line number.
A, B, VAT_AMT, VAT_SIDE, CUR_AMT, SRC_LINE = range(len(LINE_SLOTS), len(LINE_SLOTS) + 6)
ROW_WIDTH = SRC_LINE + 1

_AMOUNTS_OK = re.compile(r"(?:\s*[+-]?\d+(?:\.\d*)?\s*\n)*")
_DATE_OK = re.compile(r"(?:\d{4}-\d{2}-\d{2}\n)*")

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


def _text(elem) -> str | None:
    text = elem.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def _children(elem, voc: Vocabulary) -> dict[str, object]:
    """Child texts of a master-data record by local name; nested blocks as dicts (first one wins)."""
    out: dict[str, object] = {}
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = tag[voc.ns_len :]
        if len(child):
            out.setdefault(name, _children(child, voc))
        else:
            out.setdefault(name, _text(child))
    return out


class _Reader:
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
        self.opening_entries: set[tuple[str, str]] = set()
        self.opening_lines: list[pd.DataFrame] = []
        self.ob_declared: dict[str, str | None] = {}
        self.entries_in_batch = 0
        self.side_totals = [0, 0]  # Σ debit, Σ credit as written by side

    # -- helpers -------------------------------------------------------------------------------
    def _count(self, what: str, n: int = 1) -> None:
        self.not_carried[what] = self.not_carried.get(what, 0) + n

    def _error(self, message: str, line: int | None, field: str | None = None, hint: str | None = None):
        return KoppelError(message, file=self.info.path, line=line, field=field, hint=hint)

    # -- the pass ------------------------------------------------------------------------------
    def batches(self) -> Iterator[pd.DataFrame]:
        voc = self.voc
        line_tag = voc.tag(voc.line_name)
        tx_tag = voc.tag("transaction")
        handlers = voc.master_handlers(self)
        tags = [line_tag, tx_tag, *handlers]
        line_map = voc.line_map
        vat_map = voc.vat_map
        cur_map = voc.currency_map
        rows: list[list] = []
        tx_rows = 0
        ctx = _TxContext()
        journal_elem = None
        journal_id = None
        count = self._count
        path = str(self.info.path)
        encoding = self.info.encoding if self.info.encoding not in ("utf-8",) else None
        forced = self._forced_encoding
        source = path
        if self.progress is not None:
            source = CountingReader(open(path, "rb"), self.progress)  # noqa: SIM115 - closed below
        context = etree.iterparse(
            source,
            events=("end",),
            tag=tags,
            encoding=forced or encoding,
            **parser_options(self.huge_tree),
        )
        try:
            for _event, elem in context:
                tag = elem.tag
                if tag == line_tag:
                    row = [None] * ROW_WIDTH
                    for child in elem:
                        slot = line_map.get(child.tag)
                        if slot is not None:
                            if slot >= 0:
                                row[slot] = child.text
                            elif slot == -1:  # vat block
                                if row[SLOT["vat_code"]] is not None or row[VAT_AMT] is not None:
                                    count(voc.local("line") + "/vat (second and further)")
                                    continue
                                for sub in child:
                                    s = vat_map.get(sub.tag)
                                    if s is not None:
                                        row[s] = sub.text
                            elif slot == -2:  # currency block
                                for sub in child:
                                    s = cur_map.get(sub.tag)
                                    if s is not None:
                                        row[s] = sub.text
                        elif isinstance(child.tag, str):
                            count(voc.local("line") + "/" + child.tag[voc.ns_len :])
                    row[SRC_LINE] = elem.sourceline
                    rows.append(row)
                    tx_rows += 1
                elif tag == tx_tag:
                    parent = elem.getparent()
                    if parent is not journal_elem:
                        journal_elem = parent
                        journal_id = self._journal_seen(parent)
                    nr = desc = period = date = None
                    for child in elem:
                        name = voc.tx_fields.get(child.tag)
                        if name is None:
                            if child.tag != line_tag and isinstance(child.tag, str):
                                count(voc.local("transaction") + "/" + child.tag[voc.ns_len :])
                        elif name == "nr":
                            nr = _text(child)
                        elif name == "desc":
                            desc = child.text
                        elif name == "period":
                            period = _text(child)
                        elif name == "date":
                            date = _text(child)
                    ctx.journal.append(journal_id)
                    ctx.nr.append(nr)
                    ctx.desc.append(desc)
                    ctx.period.append(period)
                    ctx.date.append(date)
                    ctx.count.append(tx_rows)
                    ctx.source_line.append(elem.sourceline)
                    if period == "0" and journal_id is not None and nr is not None:
                        self.opening_entries.add((journal_id, nr))
                    tx_rows = 0
                    self.entries_in_batch += 1
                    elem.clear()
                    parent.remove(elem)
                    if len(rows) >= self.batch_size:
                        yield self._batch(rows, ctx)
                        rows = []
                        ctx.clear()
                else:
                    if handlers[tag](elem) is not False:  # False: the element belongs to a record not yet ended
                        elem.clear()
        except etree.XMLSyntaxError as exc:
            raise xml_error(self.info.path, exc, forced or self.info.encoding) from None
        finally:
            if source is not path:
                source.close()
        if tx_rows:
            raise self._error("transaction lines outside a transaction", rows[-1][SRC_LINE])
        if rows or ctx.count:
            yield self._batch(rows, ctx)

    _forced_encoding: str | None = None

    def _journal_seen(self, journal) -> str | None:
        """Record a journal when its first transaction arrives (its own fields precede the transactions)."""
        voc = self.voc
        record: dict[str, object] = {}
        for child in journal:
            tag = child.tag
            if tag == voc.tag("transaction"):
                break
            if isinstance(tag, str) and not len(child):
                record.setdefault(tag[voc.ns_len :], _text(child))
        journal_id = record.get(voc.journal_fields["journal_id"])
        self.master["journals"].append(
            {canonical: record.get(local) for canonical, local in voc.journal_fields.items()}
        )
        journal.set("{urn:koppel}seen", "1")
        return journal_id

    def journal_end(self, elem) -> None:
        if elem.get("{urn:koppel}seen") is None:  # a journal without transactions
            self._journal_seen(elem)

    # -- batch building ------------------------------------------------------------------------
    def _batch(self, rows: list[list], ctx: _TxContext) -> pd.DataFrame:
        n = len(rows)
        columns = list(zip(*rows, strict=True)) if rows else [()] * ROW_WIDTH
        counts = np.asarray(ctx.count, dtype=np.int64)
        data: dict[str, object] = {}
        for name, values in (
            ("journal_id", ctx.journal),
            ("entry_nr", ctx.nr),
            ("entry_description", ctx.desc),
            ("period", ctx.period),
        ):
            data[name] = np.repeat(np.asarray(values, dtype=object), counts) if n else []
        src_lines = columns[SRC_LINE]
        data["date"] = self._dates(
            np.repeat(np.asarray(ctx.date, dtype=object), counts) if n else [],
            src_lines,
            "trDt" if self.voc.version != "2.0" else "transactionDate",
        )
        for name in LINE_SLOTS:
            if name in ("vat_rate", "effective_date"):
                continue
            values = columns[SLOT[name]]
            data[name] = [v.strip() if v is not None else None for v in values] if name in _STRIP else values
        data["due_date"] = [None] * n
        data["effective_date"] = self._dates(columns[SLOT["effective_date"]], src_lines, "effDate")
        data["vat_rate"] = self._rates(columns[SLOT["vat_rate"]], src_lines)
        amount, debit, credit = self.voc.amounts(self, columns[A], columns[B], src_lines)
        self.side_totals[0] += debit
        self.side_totals[1] += credit
        data["amount"] = amount
        data["vat_amount"] = self.voc.vat_amounts(self, columns[VAT_AMT], columns[VAT_SIDE], amount, src_lines)
        data["currency_amount"] = self._signed_currency(columns[CUR_AMT], amount, src_lines)
        frame = make_table("lines", {}, n=n) if n == 0 else _frame(data, n)
        if self.opening_entries and n:
            self._collect_opening(frame)
        return frame

    def _collect_opening(self, frame: pd.DataFrame) -> None:
        mask = (frame["period"] == "0").fillna(False)
        if mask.any():
            self.opening_lines.append(
                frame.loc[mask, ["line_nr", "account_id", "amount", "description", "relation_id"]]
            )

    def _dates(self, values, src_lines, field: str):
        values = [v.strip() if v is not None else None for v in values]
        present = [v for v in values if v is not None]
        if present and not _DATE_OK.fullmatch("\n".join(present) + "\n"):
            for value, line in zip(values, src_lines, strict=True):
                if value is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    raise self._error(f"not a date: {value!r}", line, field, "write dates as YYYY-MM-DD")
        try:
            return pd.to_datetime(pd.Series(values, dtype=object), format="%Y-%m-%d").astype(DATE)
        except (ValueError, OverflowError):
            for value, line in zip(values, src_lines, strict=True):
                if value is not None:
                    try:
                        pd.Timestamp(value)
                    except (ValueError, OverflowError):
                        raise self._error(f"not a date: {value!r}", line, field, "no such day") from None
            raise

    def _rates(self, values, src_lines) -> list:
        out = []
        for value, line in zip(values, src_lines, strict=True):
            if value is None:
                out.append(None)
            else:
                try:
                    out.append(parse_rate_bp(value))
                except KoppelError as exc:
                    raise exc.at(self.info.path, line) from None
        return out

    def cents(self, values, src_lines, field: str) -> list:
        """Parse amount strings to cents; a fast path for the usual 'digits.dd', exact either way."""
        present = [v for v in values if v is not None]
        if not _AMOUNTS_OK.fullmatch("\n".join(present) + "\n" if present else ""):
            for value, line in zip(values, src_lines, strict=True):
                if value is not None:
                    try:
                        parse_cents(value, field=field)
                    except KoppelError as exc:
                        raise exc.at(self.info.path, line) from None
        out = []
        append = out.append
        for value in values:
            if value is None:
                append(None)
                continue
            whole, _dot, frac = value.partition(".")
            if len(frac) == 2 and whole[:1] not in (" ", "\n", "\t", "\r"):
                append(int(whole + frac))
            else:
                append(parse_cents(value, field=field))
        return out

    def _signed_currency(self, values, amount, src_lines) -> list:
        cents = self.cents(values, src_lines, "curAmnt")
        # curAmnt has no side of its own: it takes the side of its line.
        return [None if c is None else (-abs(c) if a < 0 else c) for c, a in zip(cents, amount, strict=True)]

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


_STRIP = frozenset(
    {
        "line_nr",
        "account_id",
        "relation_id",
        "vat_code",
        "currency",
        "cost_center",
        "cost_unit",
        "project",
        "quantity",
        "bank_account",
    }
)


def _frame(data: dict[str, object], n: int) -> pd.DataFrame:
    columns = {}
    for col, dtype in TABLES["lines"].items():
        values = data[col]
        if isinstance(values, pd.Series):
            columns[col] = values.reset_index(drop=True)
        elif dtype == "int64":
            columns[col] = pd.Series(np.asarray(values, dtype=np.int64), dtype="int64")
        else:
            columns[col] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(columns)


def iter_xaf(
    path: str | Path,
    *,
    encoding: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    **options,
) -> tuple[_Reader, Iterator[pd.DataFrame]]:
    """Open an auditfile for streaming: returns the reader (master data fills as the pass runs) and the
    iterator of canonical ``lines`` batches."""
    info = sniff_xaf(path, encoding)
    reader = _Reader(info, batch_size, progress, options)
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
    reader, batches = iter_xaf(path, encoding=encoding, batch_size=batch_size, progress=progress, **options)
    adm = Administration(header=reader.header)
    for batch in batches:
        adm.lines.append(batch)
        adm.stats.add_batch(batch, reader.entries_in_batch)
        reader.entries_in_batch = 0
    adm.lines.close()
    adm.stats.debit, adm.stats.credit = reader.side_totals
    for name, frame in reader.master_tables().items():
        setattr(adm, name, frame)
    _settle_opening(adm, reader)
    adm.not_carried = dict(sorted(reader.not_carried.items()))
    return adm


def _settle_opening(adm: Administration, reader: _Reader) -> None:
    """Opening balance from ``openingBalance``, else from period-0 transactions."""
    if not adm.opening_balance.empty:
        adm.header.opening_source = "openingBalance"
        return
    if reader.opening_entries:
        adm.opening_entries = reader.opening_entries
        adm.header.opening_source = "period0"
        adm.opening_balance = conform("opening_balance", pd.concat(reader.opening_lines, ignore_index=True))
