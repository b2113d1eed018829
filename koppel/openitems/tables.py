"""The item and posting tables of a result, worked out column-wise from the matching, and their pandas form.

An item's figures (original, paid, open amount, dates, status, how it was matched) are sums, minima and firsts
over its postings in the order they were added: numpy's ``reduceat`` over the postings sorted by item does them
all at once. The tables stay columns (:class:`Table`); :func:`frame` makes the pandas DataFrame the reports and
callers have always seen, for all rows or for a slice of them (the writers stream it a slice at a time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .columns import DAY, NONE, PostingColumns, as_dates, flat
from .matching import METHODS, NAMED_BY_DOC, NAMED_BY_INV, UNALLOCATED, Assignment

NO_RELATION = "no relation: not an item"
STATUSES = ("unallocated", "paid", "overpaid", "open", "partly paid")
KINDS = ("payment", "invoice", "credit note")
DATES = {"invoice_date", "due_date", "last_payment_date", "date"}
NULLABLE_INTS = {"days_overdue"}  # int64 with NONE for missing
ARROW = (pa.Array, pa.ChunkedArray)


@dataclass
class Table:
    """Named columns of one length: Arrow (text, null: None), or numpy (dates in DATES, ints, flags).

    ``texts`` names the text columns that hold any text at all: pandas makes those ``str`` columns (a missing
    value NaN) and the others ``object``; a slice or a subset keeps the whole table's types, as a slice of its
    DataFrame would."""

    columns: dict
    order: tuple[str, ...]
    texts: frozenset | None = None

    def __post_init__(self) -> None:
        if self.texts is None:
            self.texts = frozenset(
                name
                for name, value in self.columns.items()
                if isinstance(value, ARROW) and len(value) - value.null_count > 0
            )

    def __len__(self) -> int:
        first = self.columns[self.order[0]]
        return len(first)

    def where(self, mask: np.ndarray) -> Table:
        return self.take(np.flatnonzero(mask))

    def take(self, picked: np.ndarray) -> Table:
        """The rows at ``picked``, in that order."""
        arrow_index = pa.array(picked, type=pa.int64())
        return Table(
            {k: (v.take(arrow_index) if isinstance(v, ARROW) else v[picked]) for k, v in self.columns.items()},
            self.order,
            self.texts,
        )


def _plain(table: Table, name: str, start: int, stop: int) -> list:
    value = table.columns[name]
    if isinstance(value, ARROW):
        return value.slice(start, stop - start).to_pylist()
    part = value[start:stop]
    if name in DATES:
        return as_dates(part)
    if name in NULLABLE_INTS:
        return [None if v == NONE else v for v in part.tolist()]
    return part.tolist()


def frame(table: Table, start: int = 0, stop: int | None = None) -> pd.DataFrame:
    """Rows ``start:stop`` as the DataFrame built from row tuples (so pandas infers the dtypes as it always did)."""
    stop = len(table) if stop is None else min(stop, len(table))
    columns = [_plain(table, name, start, stop) for name in table.order]
    out = pd.DataFrame(list(zip(*columns, strict=True)), columns=list(table.order))
    for name in table.texts:
        if out[name].dtype == object:
            out[name] = out[name].astype("str")
    for col in ("original_amount", "paid_amount", "open_amount", "postings"):
        if col in out:
            out[col] = out[col].astype("int64")
    if "days_overdue" in out:
        out["days_overdue"] = out["days_overdue"].astype("Int64")
    return out


def chunks(table: Table, size: int = 20_000, rows: np.ndarray | None = None):
    """The table as DataFrames of ``size`` rows (one empty frame for an empty table); ``rows``: only those rows,
    taken a chunk at a time (a subset taken whole was a copy of nearly the whole table at the report's peak)."""
    if rows is None:
        for start in range(0, max(len(table), 1), size):
            yield frame(table, start, start + size)
        return
    for start in range(0, max(len(rows), 1), size):
        yield frame(table.take(rows[start : start + size]))


def _dictionary(codes: np.ndarray, words) -> pa.Array:
    """``codes`` into ``words`` as a dictionary column, its codes in the narrowest integer that holds them (a code
    per item or posting: as int8 a status of 400k items is 0.4 MB, as int32 1.6 MB)."""
    words = list(words)
    codes = pa.array(codes, type=_code_type(len(words)))
    return pa.DictionaryArray.from_arrays(codes, pa.array(words, type=pa.string()))


def _code_type(n_words: int) -> pa.DataType:
    for dtype in (pa.int8(), pa.int16()):
        if n_words <= np.iinfo(dtype.to_pandas_dtype()).max + 1:
            return dtype
    return pa.int32()


@dataclass
class Groups:
    """The (account, relation) groups the matching went through, in that order, and which in-scope posting is
    at each of its positions."""

    at: np.ndarray  # in-scope index of each matched position
    account: list[str]
    relation: list[str]
    side: list[str]
    natural: np.ndarray


def item_table(
    posts: PostingColumns, groups: Groups, asg: Assignment, names: dict[str, str], at_us: int, columns: tuple
) -> tuple[Table, pa.Array]:
    """The items sorted as the report lists them, and each item's invoice number (by item id, for the postings).

    Worked out in stages, each item column put in report order as it is made, so that few temporaries of the
    postings' length are alive at once."""
    n_items = len(asg.item_group)
    by_item = np.lexsort((asg.seq, asg.item)) if n_items else np.zeros(0, dtype=np.int64)
    counts = np.bincount(asg.item[by_item], minlength=n_items)
    starts = (np.cumsum(counts) - counts).astype(np.int64)
    src = groups.at[by_item]
    n = len(src)
    amount = posts.amount[src]
    natural_item = groups.natural[asg.item_group].astype(np.int8)
    own_side = amount * np.repeat(natural_item, counts) > 0
    level = np.repeat(_invoice_level(posts, src, own_side, starts).astype(np.int8), counts)
    first = np.zeros(n, dtype=bool)
    first[starts] = True
    marked = np.select(
        [level == 1, level == 2, level == 3],
        [posts.mut_invoice[src], posts.opening[src] | posts.sales_purchase[src], own_side],
        first,
    )
    del level, first, own_side
    position = np.arange(n, dtype=np.int64)

    def first_where(mask: np.ndarray) -> np.ndarray:
        return _reduce(np.minimum, np.where(mask, position, n), starts)

    def at(values: np.ndarray, index: np.ndarray, missing) -> np.ndarray:
        return np.where(index < n, values[np.minimum(index, max(n - 1, 0))], missing) if n else values[:0]

    top = np.iinfo(np.int64).max
    dates = posts.date[src]
    invoice_dates = posts.invoice_date[src]
    invoice_date = _reduce(np.minimum, np.where(marked & (invoice_dates != NONE), invoice_dates, top), starts)
    del invoice_dates
    invoice_date = np.where(invoice_date == top, at(dates, first_where(marked), NONE), invoice_date)
    invoice = _invoices(posts, groups, asg)
    # report order: account, relation (the groups' order), invoice date (none last), invoice number; stable
    day = np.where(invoice_date == NONE, top, np.floor_divide(invoice_date, DAY))
    rank = pc.rank(invoice, sort_keys="ascending", tiebreaker="dense").to_numpy() if n_items else day
    order = np.lexsort((rank, day, asg.item_group)) if n_items else np.zeros(0, dtype=np.int64)
    del day, rank
    cols: dict = {"invoice_date": invoice_date[order]}
    del invoice_date
    dues = posts.due[src]
    cols["due_date"] = at(dues, first_where(marked & (dues != NONE)), NONE)[order]
    del dues
    first_amount = at(amount, first_where(marked & (amount != 0)), 0)
    sign = np.where(first_amount >= 0, 1, -1).astype(np.int8)
    del first_amount
    settles = amount * np.repeat(sign, counts) <= 0
    original = _reduce(np.add, np.where(settles, 0, amount), starts)
    settled = _reduce(np.add, np.where(settles, amount, 0), starts)
    del amount
    cols["last_payment_date"] = _reduce(np.maximum, np.where(settles & (dates != NONE), dates, NONE), starts)[order]
    del dates, settles
    matched_by = _matched_by(asg.method[by_item], ~marked, starts, n_items)
    del marked, src, by_item
    open_ = original + settled
    unallocated = asg.item_reference == UNALLOCATED
    status = np.select([unallocated, open_ == 0, open_ * sign < 0, settled == 0], [0, 1, 2, 3], 4)
    kind = np.where(unallocated, 0, np.where(sign == natural_item, 1, 2))
    original = np.where(unallocated, 0, original)
    settled = np.where(unallocated, open_, settled)
    due = cols["due_date"]
    overdue = (due != NONE) & (open_[order] != 0) & ~unallocated[order]
    days = np.where(overdue, np.maximum(np.floor_divide(at_us - np.where(overdue, due, at_us), DAY), 0), NONE)
    by_group = _GroupWords(asg.item_group[order])
    picked = pa.array(order, type=pa.int64())
    cols = {
        "control_account": by_group(groups.account),
        "side": by_group(groups.side),
        "relation_id": by_group(groups.relation),
        "relation_name": by_group([names.get(r) for r in groups.relation]),
        "invoice": invoice.take(picked),
        "kind": _dictionary(kind[order], KINDS),
        "reference": _dictionary(asg.item_reference[order], METHODS),
        "invoice_date": cols["invoice_date"],
        "due_date": due,
        "original_amount": original[order],
        "paid_amount": -settled[order],
        "open_amount": open_[order],
        "days_overdue": days,
        "status": _dictionary(status[order], STATUSES),
        "matched_by": matched_by.take(picked),
        "last_payment_date": cols["last_payment_date"],
        "postings": counts[order].astype(np.int64),
    }
    return Table(cols, columns), invoice


class _GroupWords:
    """A group's word (account, side, relation, name; None: none) for each item, as codes into the groups' words.

    The columns whose words are all there share one array of codes (the item's group) instead of a copy each."""

    def __init__(self, group: np.ndarray) -> None:
        self.group = group
        self.codes = pa.array(group.astype(np.int32))

    def __call__(self, words: list) -> pa.Array:
        missing = np.array([w is None for w in words], dtype=bool)
        codes = pa.array(self.group.astype(np.int32), mask=missing[self.group]) if missing.any() else self.codes
        return pa.DictionaryArray.from_arrays(codes, pa.array(words, type=pa.string()))


def _sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return _reduce(np.add, values, starts)


def _reduce(ufunc: np.ufunc, values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``ufunc`` over each item's postings (``starts``: where each item's run begins; no run is empty)."""
    return ufunc.reduceat(values, starts) if len(values) else values[:0]


def _invoice_level(posts: PostingColumns, src: np.ndarray, own_side: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per item which postings are invoice-like: 1 subledger mutTp I, else 2 opening or sales/purchase journal,
    else 3 those on the account's own side, else 4 the first."""
    if not len(src):
        return np.zeros(0, dtype=np.int64)
    any_mut = np.logical_or.reduceat(posts.mut_invoice[src], starts)
    any_sp = np.logical_or.reduceat(posts.opening[src] | posts.sales_purchase[src], starts)
    any_side = np.logical_or.reduceat(own_side, starts)
    return np.where(any_mut, 1, np.where(any_sp, 2, np.where(any_side, 3, 4)))


def _invoices(posts: PostingColumns, groups: Groups, asg: Assignment) -> pa.Array:
    """Each item's invoice number ("" for none): the invoice reference or doc_ref of the posting that named it.

    Only the naming postings' texts are taken, each from the column that names it, and put in item order by one
    take: the invoice and doc_ref texts of every item, chosen between, held three copies more at the peak."""
    at = groups.at[np.maximum(asg.item_name_at, 0)]
    by_inv = np.flatnonzero(asg.item_name_from == NAMED_BY_INV)
    by_doc = np.flatnonzero(asg.item_name_from == NAMED_BY_DOC)
    texts = [flat(posts.inv.take(pa.array(at[by_inv], type=pa.int64()))) if len(by_inv) else None,
             flat(posts.doc.take(pa.array(at[by_doc], type=pa.int64()))) if len(by_doc) else None]  # fmt: skip
    words = pa.concat_arrays([t for t in texts if t is not None] + [pa.array([""], type=pa.string())])
    del texts
    where = np.full(len(at), len(words) - 1, dtype=np.int64)  # "" unless named
    where[by_inv] = np.arange(len(by_inv))
    where[by_doc] = len(by_inv) + np.arange(len(by_doc))
    return flat(pc.fill_null(words.take(pa.array(where)), ""))


def _matched_by(method: np.ndarray, counted: np.ndarray, starts: np.ndarray, n_items: int) -> pa.Array:
    """'doc_ref 2, invoice_ref 1': how many of an item's postings beyond its invoice-like ones each rule placed.

    Counted per rule that placed any such posting; the distinct combinations of counts are few, so each is
    worded once."""
    if not n_items:
        return pa.array([], type=pa.string())
    present = np.unique(method[counted])
    if not len(present):
        return _dictionary(np.zeros(n_items, dtype=np.int32), [""])
    key = np.zeros(n_items, dtype=np.int64)
    counts = []
    for m in present:
        count = np.add.reduceat((counted & (method == m)).astype(np.int32), starts)
        counts.append(count)
    combos = np.stack(counts, axis=1) if counts else np.zeros((n_items, 0), dtype=np.int32)
    del counts
    if len(present) and int(combos.max()) < 2 ** (62 // len(present)):  # one int64 per combination
        width = 62 // len(present)
        for i in range(len(present)):
            key |= combos[:, i].astype(np.int64) << (width * i)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        rows = combos[first]
    else:
        rows, inverse = np.unique(combos, axis=0, return_inverse=True)
    words = [
        ", ".join(f"{m} {c}" for m, c in sorted((METHODS[present[k]], int(c)) for k, c in enumerate(row) if c))
        for row in rows
    ]
    return _dictionary(inverse.reshape(-1), words)


def posting_table(
    posts: PostingColumns, groups: Groups, asg: Assignment, item_invoice: pa.Array, columns: tuple
) -> Table:
    """The in-scope postings in file order, each with its item's invoice number and how it was placed."""
    n = len(posts)
    item = np.full(n, -1, dtype=np.int64)
    method = np.full(n, len(METHODS), dtype=np.int64)
    item[groups.at] = asg.item
    method[groups.at] = asg.method
    # codes into the items' invoice numbers, "" (after them) for a posting of no item: not a copy of the text
    no_item = len(item_invoice)
    codes = pa.array(np.where(item >= 0, item, no_item).astype(np.int32))
    words = pa.concat_arrays([flat(item_invoice), pa.array([""], type=pa.string())])
    invoice = pa.DictionaryArray.from_arrays(codes, words)
    cols = {
        "control_account": posts.account,
        "relation_id": posts.relation,
        "invoice": invoice,
        "journal_id": posts.journal,
        "entry_nr": posts.entry,
        "line_nr": posts.line,
        "date": posts.date,
        "amount": posts.amount,
        "opening": posts.opening,
        "method": _dictionary(method, (*METHODS, NO_RELATION)),
        "match_key": posts.match_key,
        "rec_ref": posts.rec_ref,
        "doc_ref": posts.doc,
        "description": posts.description,
    }
    return Table(cols, columns)
