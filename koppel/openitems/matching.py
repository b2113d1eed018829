"""The matching rules (see :mod:`koppel.openitems.engine`), one (account, relation) group at a time.

Postings come in as integer columns (codes for references, cents for amounts) sorted into groups; each group
is matched over plain lists of its own, and what comes out is an integer per posting (its item, how it was
placed, when it was added) and a few integers per item — no object per posting or per item.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

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
    amount: np.ndarray
    opening: np.ndarray
    inv: np.ndarray  # invoice-reference code, -1: none
    inv_subledger: np.ndarray
    match_key: np.ndarray  # code, -1: none
    doc: np.ndarray  # code, -1: none
    entry: np.ndarray  # code of (journal, entry number)
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


def match(data: GroupInput) -> Assignment:
    n = len(data.amount)
    item = np.full(n, -1, dtype=np.int64)
    method = np.full(n, -1, dtype=np.int8)
    seq = np.full(n, -1, dtype=np.int64)
    out_items: tuple[list, list, list, list] = ([], [], [], [])
    added = 0
    for g in range(len(data.starts) - 1):
        s, e = int(data.starts[g]), int(data.starts[g + 1])
        local_item, local_method, order_added, names = _match_group(data, s, e, int(data.natural[g]))
        first = len(out_items[0])
        item[s:e] = np.asarray(local_item, dtype=np.int64) + first
        method[s:e] = local_method
        seq[np.asarray(order_added, dtype=np.int64) + s] = np.arange(added, added + len(order_added))
        added += len(order_added)
        for name_from, name_at, reference in names:
            out_items[0].append(g)
            out_items[1].append(name_from)
            out_items[2].append(name_at + s if name_from != NO_NAME else -1)
            out_items[3].append(reference)
    return Assignment(
        item=item,
        method=method,
        seq=seq,
        item_group=np.asarray(out_items[0], dtype=np.int64),
        item_name_from=np.asarray(out_items[1], dtype=np.int8),
        item_name_at=np.asarray(out_items[2], dtype=np.int64),
        item_reference=np.asarray(out_items[3], dtype=np.int8),
    )


def _match_group(data: GroupInput, s: int, e: int, natural: int):
    """The rules 1-6 over one group's postings (positions 0..n-1 of the slice ``s:e``)."""
    amount = data.amount[s:e].tolist()
    opening = data.opening[s:e].tolist()
    inv = data.inv[s:e].tolist()
    inv_sb = data.inv_subledger[s:e].tolist()
    mkey = data.match_key[s:e].tolist()
    doc = data.doc[s:e].tolist()
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

    by_inv: dict[int, int] = {}
    for k in range(n):  # 1. invoice reference
        code = inv[k]
        if code >= 0:
            m = SUBLEDGER if inv_sb[k] else INVOICE_REF
            it = by_inv.get(code)
            if it is None:
                it = by_inv[code] = new(NAMED_BY_INV, k, m)
            add(it, k, m)
    by_key: dict[int, int] = {}
    for it in range(len(posts)):
        for k in posts[it]:
            if mkey[k] >= 0:
                by_key[mkey[k]] = it
    for k in range(n):  # 2. matchKeyID
        if owner[k] >= 0 or mkey[k] < 0:
            continue
        it = by_key.get(mkey[k])
        if it is None:
            it = by_key[mkey[k]] = new(NO_NAME, 0, MATCH_KEY)
        add(it, k, MATCH_KEY)
    doc_items: dict[int, list[int]] = {}  # doc_ref of an item's invoice-side postings -> items
    for it in range(len(posts)):
        for ref in {doc[k] for k in posts[it] if amount[k] * natural > 0}:
            if ref >= 0:
                doc_items.setdefault(ref, []).append(it)
    by_doc: dict[int, list[int]] = {}
    for k in range(n):
        if owner[k] < 0 and doc[k] >= 0:
            by_doc.setdefault(doc[k], []).append(k)
    if by_doc:
        entry = data.entry[s:e].tolist()
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
