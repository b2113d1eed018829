"""From line batches to posting columns: the fields the matching needs, each posting's subledger detail folded in.

A batch's postings are worked out as plain lists a batch at a time and kept as compact columns
(:mod:`.columns`), so memory holds one batch of Python values, not one object per posting of the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .columns import NONE, micros, micros_of, text

SEP = "\x1f"


@dataclass
class Context:
    """What every batch is read against: subledger lines by trLine key, match keys, journals, payment terms."""

    sb: pd.DataFrame
    sb_of_key: dict[str, int]
    mk_by_key: dict[str, tuple]
    journal_kind: dict[str, str]
    pay_days: dict[str, int]

    def __post_init__(self) -> None:
        # the subledger fields read per posting, as plain lists (an .iloc per posting was a Series each)
        sb = self.sb
        self.sb_field = {
            name: (sb[name].tolist() if name in sb.columns else [None] * len(sb))
            for name in ("invRef", "invDt", "invDueDt", "matchKeyID", "recRef", "mutTp")
        }


def clean(value):
    """Text without surrounding blanks; None for missing or blank."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    text_ = str(value).strip()
    return text_ or None


def zero_ref(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip("0 ") == ""


def ts(value):
    value = clean(value)
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except ValueError:
        return None


def _plain(series: pd.Series) -> list:
    """A column as plain Python values, None for missing."""
    return series.astype(object).where(series.notna(), None).tolist()


def batch_part(post: pd.DataFrame, ctx: Context) -> dict:
    """The columns of one batch of postings (``post``: POSTING_COLUMNS with order, key and is_opening)."""
    n = len(post)
    relation = [clean(v) for v in _plain(post["relation_id"])]
    journal = [clean(v) for v in _plain(post["journal_id"])]
    entry = [clean(v) for v in _plain(post["entry_nr"])]
    doc = [clean(v) for v in _plain(post["doc_ref"])]
    kinds = [ctx.journal_kind.get(j or "") for j in journal]
    inv = [clean(v) for v in _plain(post["invoice_ref"])]
    for i, value in enumerate(inv):
        if zero_ref(value) or (value in (entry[i], doc[i]) and kinds[i] not in ("S", "P")):
            inv[i] = None  # a placeholder, or a payment that names its own entry: not an invoice reference
    booked = micros(post["date"])
    effective = micros(post["effective_date"])
    invoice_date = np.where(effective != NONE, effective, booked)
    due = micros(post["due_date"])
    inv_sub = np.zeros(n, dtype=bool)
    mut_invoice = np.zeros(n, dtype=bool)
    match_key: list = [None] * n
    rec_ref: list = [None] * n
    keys = _plain(post["key"]) if (ctx.sb_of_key or ctx.mk_by_key) else []
    for i, key in enumerate(keys):
        if not isinstance(key, str):
            continue
        sbi = ctx.sb_of_key.get(key)
        mk, rr = ctx.mk_by_key.get(key, (None, None))
        if sbi is not None:
            f = ctx.sb_field
            mk = mk or clean(f["matchKeyID"][sbi])
            rr = rr or clean(f["recRef"][sbi])
            if inv[i] is None and not zero_ref(clean(f["invRef"][sbi])):
                inv[i], inv_sub[i] = clean(f["invRef"][sbi]), True
            sb_date = ts(f["invDt"][sbi])
            if sb_date is not None:
                invoice_date[i] = micros_of(sb_date)
            sb_due = ts(f["invDueDt"][sbi])
            if sb_due is not None:
                due[i] = micros_of(sb_due)
            mut_invoice[i] = clean(f["mutTp"][sbi]) == "I"
        match_key[i] = mk
        rec_ref[i] = rr
    if ctx.pay_days:  # no due date: the invoice date plus the relation's payment term
        for i, rel in enumerate(relation):
            if due[i] == NONE and invoice_date[i] != NONE and rel in ctx.pay_days:
                due[i] = invoice_date[i] + ctx.pay_days[rel] * 86_400_000_000
    return {
        "account": text([str(v) for v in _plain(post["account_id"])]),
        "relation": text(relation),
        "journal": text(journal),
        "entry": text(entry),
        "line": text([clean(v) for v in _plain(post["line_nr"])]),
        "doc": text(doc),
        "description": text([clean(v) for v in _plain(post["description"])]),
        "inv": text(inv),
        "match_key": text(match_key),
        "rec_ref": text(rec_ref),
        "amount": post["amount"].to_numpy(dtype=np.int64),
        "date": booked,
        "invoice_date": invoice_date,
        "due": due,
        "order": post["order"].to_numpy(dtype=np.int64),
        "opening": post["is_opening"].to_numpy(dtype=bool),
        "inv_subledger": inv_sub,
        "mut_invoice": mut_invoice,
        "sales_purchase": np.array([k in ("S", "P") for k in kinds], dtype=bool),
    }
