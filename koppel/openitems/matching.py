"""The matching rules (see :mod:`koppel.openitems.engine`), one (account, relation) group at a time.

Postings come in as columns sorted into groups; groups are matched a block of about 50k postings at a time over
plain lists made for that block only, and what comes out is an integer per posting (its item, how it was placed,
when it was added) and a few integers per item — no object per posting or per item is kept.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

# how a posting was placed (posting ``method``) and how an item was found (item ``reference``)
METHODS = ("invoice_ref", "subledger", "matchKeyID", "doc_ref", "opening", "none", "relation+amount", "unallocated")
INVOICE_REF, SUBLEDGER, MATCH_KEY, DOC_REF, OPENING, OWN, AMOUNT, UNALLOCATED = range(len(METHODS))
# where an item's invoice number comes from: none, the invoice reference or the doc_ref of its naming posting
NO_NAME, NAMED_BY_INV, NAMED_BY_DOC = 0, 1, 2


@dataclass
class GroupInput:
    """The postings of all groups, sorted by group and within a group by (opening first, date, order)."""

    starts: np.ndarray  # first position of each group, plus the end
    natural: np.ndarray  # per group: 1 (debtors) or -1 (creditors)
    at: np.ndarray  # which posting of ``text`` is at each position
    text: dict  # inv, match_key, doc, journal, entry: Arrow text of all postings (null: none)
    amount: np.ndarray
    opening: np.ndarray
    inv_subledger: np.ndarray
    due_key: np.ndarray  # due date, else invoice date, else the latest date (the item due first goes first)
    order: np.ndarray


@dataclass
class Assignment:
    """Per posting (in the input's positions) its item, method and add sequence; per item its group, name, kind."""

    item: np.ndarray
    method: np.ndarray
    seq: np.ndarray
    item_group: np.ndarray
    item_name_from: np.ndarray  # NO_NAME / NAMED_BY_INV / NAMED_BY_DOC
    item_name_at: np.ndarray  # position of the posting whose inv or doc names the item
    item_reference: np.ndarray  # a METHODS code


BLOCK = 10_000  # postings whose text is made Python values at once (50k: ~20 MB more at the matching's peak)


def _blocks(starts: np.ndarray):
    """Runs of whole groups of about BLOCK postings: (first group, end group)."""
    g, n_groups = 0, len(starts) - 1
    while g < n_groups:
        end = int(np.searchsorted(starts, starts[g] + BLOCK, side="right")) - 1
        end = min(max(end, g + 1), n_groups)
        yield g, end
        g = end


def match(data: GroupInput) -> Assignment:
    n = len(data.amount)
    item = np.full(n, -1, dtype=np.int32)  # fewer than 2**31 postings
    method = np.full(n, -1, dtype=np.int8)
    seq = np.full(n, -1, dtype=np.int32)
    per_group: list[tuple[np.ndarray, ...]] = []  # each group's items as arrays (as lists they held 60 MB)
    made = added = 0
    for first, end in _blocks(data.starts):
        block_start = int(data.starts[first])
        picked = pa.array(data.at[block_start : int(data.starts[end])], type=pa.int64())
        text = {name: values.take(picked).to_pylist() for name, values in data.text.items()}
        for g in range(first, end):
            s, e = int(data.starts[g]), int(data.starts[g + 1])
            values = {name: column[s - block_start : e - block_start] for name, column in text.items()}
            local_item, local_method, order_added, names = _match_group(data, values, s, e, int(data.natural[g]))
            item[s:e] = np.asarray(local_item, dtype=np.int32) + made
            method[s:e] = local_method
            seq[np.asarray(order_added, dtype=np.int64) + s] = np.arange(added, added + len(order_added))
            added += len(order_added)
            made += len(names)
            name_from, name_at, reference = (np.asarray(column, dtype=np.int64) for column in zip(*names, strict=True))
            per_group.append(
                (
                    np.full(len(names), g, dtype=np.int32),
                    name_from.astype(np.int8),
                    np.where(name_from != NO_NAME, name_at + s, -1),
                    reference.astype(np.int8),
                )
            )
    joined = [np.concatenate(column) for column in zip(*per_group, strict=True)] if per_group else None
    empty = (np.zeros(0, np.int32), np.zeros(0, np.int8), np.zeros(0, np.int64), np.zeros(0, np.int8))
    group, name_from, name_at, reference = joined or empty
    return Assignment(
        item=item,
        method=method,
        seq=seq,
        item_group=group,
        item_name_from=name_from,
        item_name_at=name_at,
        item_reference=reference,
    )


def _match_group(data: GroupInput, text: dict, s: int, e: int, natural: int):
    """The rules 1-6 over one group's postings (positions 0..n-1 of the slice ``s:e``; ``text`` their texts)."""
    amount = data.amount[s:e].tolist()
    opening = data.opening[s:e].tolist()
    inv = text["inv"]
    inv_sb = data.inv_subledger[s:e].tolist()
    mkey = text["match_key"]
    doc = text["doc"]
    n = len(amount)
    owner = [-1] * n
    how = [-1] * n
    order_added: list[int] = []
    names: list[tuple[int, int, int]] = []  # per item: (name from, naming posting, reference)
    posts: list[list[int]] = []
    open_: list[int] = []

    def new(name_from: int, name_at: int, reference: int) -> int:
        names.append((name_from, name_at, reference))
        posts.append([])
        open_.append(0)
        return len(names) - 1

    def add(it: int, k: int, m: int) -> None:
        posts[it].append(k)
        open_[it] += amount[k]
        owner[k], how[k] = it, m
        order_added.append(k)

    by_inv: dict[str, int] = {}
    for k in range(n):  # 1. invoice reference
        code = inv[k]
        if code is not None:
            m = SUBLEDGER if inv_sb[k] else INVOICE_REF
            it = by_inv.get(code)
            if it is None:
                it = by_inv[code] = new(NAMED_BY_INV, k, m)
            add(it, k, m)
    by_key: dict[str, int] = {}
    for it in range(len(posts)):
        for k in posts[it]:
            if mkey[k] is not None:
                by_key[mkey[k]] = it
    for k in range(n):  # 2. matchKeyID
        if owner[k] >= 0 or mkey[k] is None:
            continue
        it = by_key.get(mkey[k])
        if it is None:
            it = by_key[mkey[k]] = new(NO_NAME, 0, MATCH_KEY)
        add(it, k, MATCH_KEY)
    doc_items: dict[str, list[int]] = {}  # doc_ref of an item's invoice-side postings -> items
    for it in range(len(posts)):
        for ref in {doc[k] for k in posts[it] if amount[k] * natural > 0}:
            if ref is not None:
                doc_items.setdefault(ref, []).append(it)
    by_doc: dict[str, list[int]] = {}
    for k in range(n):
        if owner[k] < 0 and doc[k] is not None:
            by_doc.setdefault(doc[k], []).append(k)
    if by_doc:
        entry = list(zip(text["journal"], text["entry"], strict=True))
        for ref, members in by_doc.items():  # 3. document reference: an invoice and its settlement(s)
            settling = [k for k in members if amount[k] * natural < 0]
            known = doc_items.get(ref, [])
            if len(known) == 1:
                for k in settling:
                    add(known[0], k, DOC_REF)
            elif not known and settling and len(settling) < len(members) and len({entry[k] for k in members}) > 1:
                it = new(NAMED_BY_DOC, members[0], DOC_REF)
                for k in members:
                    add(it, k, DOC_REF)
    for k in range(n):  # 4. an unreferenced posting on the account's own side is an item of its own
        if owner[k] >= 0 or (amount[k] * natural <= 0 and not opening[k]):
            continue
        m = OPENING if opening[k] else OWN
        add(new(NO_NAME if opening[k] else NAMED_BY_DOC, k, m), k, m)
    rest = [k for k in range(n) if owner[k] < 0]
    if rest:  # 5. relation + amount: an index of open amounts, the item due first at the front
        due_key = data.due_key[s:e].tolist()
        order = data.order[s:e].tolist()
        by_open: dict[int, deque] = {}
        for it in sorted(range(len(posts)), key=lambda i: (due_key[posts[i][0]], order[posts[i][0]])):
            if open_[it]:
                by_open.setdefault(open_[it], deque()).append(it)
        for k in rest:  # 5. relation + amount, 6. unallocated
            candidates = by_open.get(-amount[k])
            if candidates:
                add(candidates.popleft(), k, AMOUNT)  # its open amount is now 0
            else:
                add(new(NO_NAME, 0, UNALLOCATED), k, UNALLOCATED)
    return owner, how, order_added, names
