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

from .columns import DAY, MK_NAN, NONE, PostingColumns, as_dates
from .matching import METHODS, NAMED_BY_DOC, NAMED_BY_INV, UNALLOCATED, Assignment

NO_RELATION = "no relation: not an item"
STATUSES = ("unallocated", "paid", "overpaid", "open", "partly paid")
KINDS = ("payment", "invoice", "credit note")
DATES = {"invoice_date", "due_date", "last_payment_date", "date"}
NULLABLE_INTS = {"days_overdue"}  # int64 with NONE for missing


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
                if isinstance(value, pa.Array) and len(value) - value.null_count - _nan_keys(name, value) > 0
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
            {k: (v.take(arrow_index) if isinstance(v, pa.Array) else v[picked]) for k, v in self.columns.items()},
            self.order,
            self.texts,
        )


def _nan_keys(name: str, value: pa.Array) -> int:
    if name not in ("match_key", "rec_ref"):
        return 0
    return int(pc.sum(pc.equal(value, MK_NAN)).as_py() or 0)


def _plain(table: Table, name: str, start: int, stop: int) -> list:
    value = table.columns[name]
    if isinstance(value, pa.Array):
        out = value.slice(start, stop - start).to_pylist()
        if name in ("match_key", "rec_ref"):  # a NaN key read from the file stays NaN, as it always was
            return [np.nan if v == MK_NAN else v for v in out]
        return out
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


def chunks(table: Table, size: int = 20_000):
    """The table as DataFrames of ``size`` rows (one empty frame for an empty table)."""
    for start in range(0, max(len(table), 1), size):
        yield frame(table, start, start + size)


def _dictionary(codes: np.ndarray, words) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(codes, type=pa.int32()), pa.array(list(words), type=pa.string()))


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
    """The items sorted as the report lists them, and each item's invoice number (by item id, for the postings)."""
    n_items = len(asg.item_group)
    by_item = np.lexsort((asg.seq, asg.item)) if n_items else np.zeros(0, dtype=np.int64)
    item = asg.item[by_item]
    src = groups.at[by_item]
    counts = np.bincount(item, minlength=n_items)
    starts = (np.cumsum(counts) - counts).astype(np.int64)
    n = len(item)
    amount = posts.amount[src]
    natural_item = groups.natural[asg.item_group]
    natural = np.repeat(natural_item, counts)
    invoice_like = np.repeat(_invoice_level(posts, src, amount * natural > 0, starts), counts)
    first = np.zeros(n, dtype=bool)
    first[starts] = True
    side_ = amount * natural > 0
    opening_sp = posts.opening[src] | posts.sales_purchase[src]
    marked = np.select(
        [invoice_like == 1, invoice_like == 2, invoice_like == 3], [posts.mut_invoice[src], opening_sp, side_], first
    )
    position = np.arange(n)

    def first_where(mask: np.ndarray) -> np.ndarray:
        return np.minimum.reduceat(np.where(mask, position, n), starts) if n else np.zeros(0, dtype=np.int64)

    def at(values: np.ndarray, index: np.ndarray, missing) -> np.ndarray:
        return np.where(index < n, values[np.minimum(index, max(n - 1, 0))], missing) if n else values[:0]

    first_amount = at(amount, first_where(marked & (amount != 0)), 0)
    sign = np.where(first_amount >= 0, 1, -1)
    settles = amount * np.repeat(sign, counts) <= 0
    original = _sums(np.where(settles, 0, amount), starts)
    settled = _sums(np.where(settles, amount, 0), starts)
    open_ = original + settled
    dates = posts.date[src]
    invoice_dates = posts.invoice_date[src]
    top = np.iinfo(np.int64).max
    invoice_date = _reduce(np.minimum, np.where(marked & (invoice_dates != NONE), invoice_dates, top), starts)
    invoice_date = np.where(invoice_date == top, at(dates, first_where(marked), NONE), invoice_date)
    dues = posts.due[src]
    due = at(dues, first_where(marked & (dues != NONE)), NONE)
    last_pay = _reduce(np.maximum, np.where(settles & (dates != NONE), dates, NONE), starts)
    unallocated = asg.item_reference == UNALLOCATED
    status = np.select([unallocated, open_ == 0, open_ * sign < 0, settled == 0], [0, 1, 2, 3], 4)
    original = np.where(unallocated, 0, original)
    settled = np.where(unallocated, open_, settled)
    overdue = (due != NONE) & (open_ != 0) & ~unallocated
    days = np.where(overdue, np.maximum(np.floor_divide(at_us - np.where(overdue, due, at_us), DAY), 0), NONE)
    kind = np.where(unallocated, 0, np.where(sign == natural_item, 1, 2))
    invoice = _invoices(posts, groups, asg)
    matched_by = _matched_by(asg.method[by_item], ~marked, starts, n_items)
    relation = pa.array(groups.relation, type=pa.string()).take(pa.array(asg.item_group, type=pa.int64()))
    cols = {
        "control_account": pa.array(groups.account, type=pa.string()).take(pa.array(asg.item_group, type=pa.int64())),
        "side": pa.array(groups.side, type=pa.string()).take(pa.array(asg.item_group, type=pa.int64())),
        "relation_id": relation,
        "relation_name": pa.array([names.get(r) for r in groups.relation], type=pa.string()).take(
            pa.array(asg.item_group, type=pa.int64())
        ),
        "invoice": invoice,
        "kind": _dictionary(kind, KINDS),
        "reference": _dictionary(asg.item_reference, METHODS),
        "invoice_date": invoice_date,
        "due_date": due,
        "original_amount": original,
        "paid_amount": -settled,
        "open_amount": open_,
        "days_overdue": days,
        "status": _dictionary(status, STATUSES),
        "matched_by": matched_by,
        "last_payment_date": last_pay,
        "postings": counts.astype(np.int64),
    }
    # sorted by account, relation (the groups' order), invoice date (none last) and invoice number, stably
    day = np.where(invoice_date == NONE, top, np.floor_divide(invoice_date, DAY))
    rank = pc.rank(invoice, sort_keys="ascending", tiebreaker="dense").to_numpy() if n_items else day
    order = np.lexsort((rank, day, asg.item_group)) if n_items else np.zeros(0, dtype=np.int64)
    return Table(cols, columns).take(order), invoice


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
    """Each item's invoice number ("" for none): the invoice reference or doc_ref of the posting that named it."""
    at = pa.array(groups.at[np.maximum(asg.item_name_at, 0)], type=pa.int64())
    by_inv = posts.inv.take(at) if len(at) else pa.array([], type=pa.string())
    by_doc = posts.doc.take(at) if len(at) else pa.array([], type=pa.string())
    named = pc.if_else(
        pa.array(asg.item_name_from == NAMED_BY_INV),
        by_inv,
        pc.if_else(pa.array(asg.item_name_from == NAMED_BY_DOC), by_doc, pa.scalar(None, pa.string())),
    )
    return pc.fill_null(named, "")


def _matched_by(method: np.ndarray, counted: np.ndarray, starts: np.ndarray, n_items: int) -> pa.Array:
    """'doc_ref 2, invoice_ref 1': how many of an item's postings beyond its invoice-like ones each rule placed."""
    if not n_items:
        return pa.array([], type=pa.string())
    counts = np.stack(
        [np.add.reduceat((counted & (method == m)).astype(np.int64), starts) for m in range(len(METHODS))], axis=1
    )
    combos, inverse = np.unique(counts, axis=0, return_inverse=True)
    words = [
        ", ".join(f"{m} {c}" for m, c in sorted((METHODS[k], int(c)) for k, c in enumerate(row) if c)) for row in combos
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
    owned = pa.array(np.maximum(item, 0), type=pa.int64())
    invoice = item_invoice.take(owned) if len(item_invoice) else pa.nulls(n, pa.string())
    invoice = pc.if_else(pa.array(item >= 0), invoice, pa.scalar("", pa.string())) if n else pa.array([], pa.string())
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
