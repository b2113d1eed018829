"""Open items per relation and invoice at a date, from the postings on the debtors/creditors control accounts.

Every posting on a control account that carries a relation id belongs to exactly one *item*. Postings are
matched to items in this order (the ``method`` of each posting says which rule placed it):

1. ``invoice_ref`` — the line's own invoice reference (``invRef``); ``subledger`` when only the subledger
   line (``sbLine/invRef``) names it. References made of zeros only (``0``) are placeholders, and a line
   outside a sales/purchase journal whose invRef is its own entry number or docRef names itself, not an
   invoice: neither counts as a reference.
2. ``matchKeyID`` — postings sharing a ``matchKeyID`` (XAF 3.2) join the item of any posting with that key.
3. ``doc_ref`` — an invoice-side posting and settling postings of one relation that share a document
   reference in different entries form one item (e-Boekhouden writes the invoice's reference on its
   payment); the invoice number is the doc_ref. A reference shared only by payments (a bank statement
   number) links nothing.
4. an unreferenced posting on the account's own side (debit for debtors, credit for creditors) is an item
   of its own, named after its doc_ref.
5. ``relation+amount`` — a remaining payment that settles exactly the open amount of an item of the same
   relation and account; when several items qualify, the one due first. This is the documented fallback.
6. whatever is left is reported as ``unallocated`` (one item per posting): never spread over invoices.

Amounts are signed cents, debit positive, as everywhere in koppel: a supplier invoice is negative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import KoppelError
from ..heap import give_back
from ..model import Administration, Subledgers
from . import tables
from .columns import NONE, PostingColumns, concat, flat, mask, micros, micros_of
from .control import ControlAccount, account_use, detect_control_accounts
from .matching import Assignment, GroupInput, match
from .postings import SEP, Context, batch_part, ts

POSTING_COLUMNS = (
    "journal_id",
    "entry_nr",
    "line_nr",
    "date",
    "account_id",
    "amount",
    "relation_id",
    "doc_ref",
    "invoice_ref",
    "effective_date",
    "due_date",
    "description",
)
ITEM_COLUMNS = (
    "control_account",
    "side",
    "relation_id",
    "relation_name",
    "invoice",
    "kind",
    "reference",
    "invoice_date",
    "due_date",
    "original_amount",
    "paid_amount",
    "open_amount",
    "days_overdue",
    "status",
    "matched_by",
    "last_payment_date",
    "postings",
)

POSTING_OUT_COLUMNS = (
    "control_account",
    "relation_id",
    "invoice",
    "journal_id",
    "entry_nr",
    "line_nr",
    "date",
    "amount",
    "opening",
    "method",
    "match_key",
    "rec_ref",
    "doc_ref",
    "description",
)
RECON_COLUMNS = (
    "control_account",
    "name",
    "side",
    "identified_by",
    "opening_balance",
    "movements",
    "closing_balance",
    "open_items_total",
    "unallocated_total",
    "difference",
    "opening_without_relation",
    "lines_without_relation",
    "unexplained",
    "subledger_total",
    "reconciles",
    "note",
)



@dataclass
class OpenItemsResult:
    """Items (open or settled) at ``at``, the postings behind them, and the control-account reconciliation.

    The item and posting tables are held as columns (``item_table``, ``posting_table``); ``items`` and
    ``postings`` are their DataFrames, made when asked (a report streams the columns instead)."""

    at: date
    control: list[ControlAccount]
    item_table: tables.Table
    posting_table: tables.Table
    reconciliation: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @cached_property
    def items(self) -> pd.DataFrame:
        return tables.frame(self.item_table)

    @cached_property
    def postings(self) -> pd.DataFrame:
        return tables.frame(self.posting_table)

    def open_rows(self) -> np.ndarray:
        """Where the open items are in ``item_table``."""
        return np.flatnonzero(self.item_table.columns["open_amount"] != 0)

    def open_item_table(self) -> tables.Table:
        return self.item_table.take(self.open_rows())

    def open_items(self) -> pd.DataFrame:
        return tables.frame(self.open_item_table())

    def open_count(self) -> int:
        return int(np.count_nonzero(self.item_table.columns["open_amount"]))


def default_at(adm: Administration) -> date:
    """End of the fiscal year, else the last booking date."""
    if adm.header.end_date:
        try:
            return date.fromisoformat(adm.header.end_date[:10])
        except ValueError:
            pass
    last = None
    for batch in adm.lines.batches():
        d = batch["date"].max()
        if pd.notna(d) and (last is None or d > last):
            last = d
    if last is None:
        raise KoppelError("the administration has no end date and no dated lines", hint="give --at YYYY-MM-DD")
    return pd.Timestamp(last).date()


def subledgers_of(adm: Administration) -> Subledgers | None:
    """The subledgers and match keys the read collected in its own pass (``Administration.subledgers``).

    An auditfile read without asking for them is refused rather than read a second time or matched without
    them: read it within :func:`koppel.xaf.consumers.wanted_in_pass` ``(subledgers=True)``.
    """
    if adm.subledgers is None and _has_subledgers(adm.header.source_format):
        raise KoppelError(
            "the auditfile was read without its subledgers, which open items need",
            hint="read it within koppel.xaf.consumers.wanted_in_pass(subledgers=True)",
        )
    return adm.subledgers


def _has_subledgers(source_format: str | None) -> bool:
    """Whether the input's format carries subledgers its reader collects when asked (its spec says so)."""
    from ..registry import all_formats

    return any(f.name == source_format and f.subledgers for f in all_formats())


def compute_open_items(
    adm: Administration,
    at: date | None = None,
    *,
    subledgers: Subledgers | None = None,
    control_accounts: dict[str, str] | None = None,
    opening_only: bool = False,
) -> OpenItemsResult:
    """Open items of ``adm`` at ``at`` (default: end of the fiscal year); ``opening_only`` takes the opening
    balance alone (the open items a migration starts from), whatever the dates of the other lines."""
    at = at or default_at(adm)
    at_us = micros_of(pd.Timestamp(at))
    notes: list[str] = []
    rel = adm.relations.drop_duplicates("relation_id").set_index("relation_id")
    kinds = {str(k): str(v) for k, v in rel["kind"].dropna().items()}
    names = {str(k): str(v) for k, v in rel["name"].dropna().items()}
    pay_days = {str(k): int(v) for k, v in rel["payment_days"].dropna().items()}
    journal_kind = {
        str(j): str(k) for j, k in zip(adm.journals["journal_id"], adm.journals["kind"], strict=True) if pd.notna(k)
    }
    subledgers = subledgers if subledgers is not None else Subledgers()
    sb, tr_keys = subledgers.lines, subledgers.tr_keys

    # subledger lines -> candidate trLine keys (Twinfield omits the journal prefix in trNr/trLineNr)
    sb_by_key: dict[str, int] = {}
    if not sb.empty:
        for i, row in enumerate(sb.itertuples(index=False)):
            if row.kind != "sb":
                continue
            j, t, ln = row.jrnID, row.trNr, row.trLineNr
            for key in (f"{j}{SEP}{t}{SEP}{ln}", f"{j}{SEP}{j}.{t}{SEP}{j}.{t}.{ln}", f"{j}{SEP}{j}.{t}{SEP}{ln}"):
                sb_by_key.setdefault(key, i)
    mk_by_key = {}
    for row in tr_keys.itertuples(index=False):  # a trLine with a recRef only has no matchKeyID (pandas: NaN)
        mk_by_key[f"{row.journal_id}{SEP}{row.entry_nr}{SEP}{row.line_nr}"] = (_key(row.match_key), _key(row.rec_ref))

    # pass 1: account use, and which trLines the subledger lines point to
    sb_hit: dict[int, str] = {}  # sb row -> line key
    sb_account: dict[int, str] = {}

    def batches_with_keys():
        for batch in adm.lines.batches():
            if sb_by_key:
                keys = _keys(batch)
                hits = keys.isin(sb_by_key.keys()).to_numpy()
                for key, account in zip(keys[hits], batch["account_id"][hits], strict=True):
                    i = sb_by_key[key]
                    if i not in sb_hit:
                        sb_hit[i] = key
                        sb_account[i] = str(account)
            yield batch

    use = account_use(batches_with_keys(), kinds)
    sb_types: dict[str, dict[str, int]] = {}
    for i, account in sb_account.items():
        t = sb.iloc[i]["sb_type"] or "ZZ"
        sb_types.setdefault(account, {}).setdefault(t, 0)
        sb_types[account][t] += 1
    subledger_accounts = {acc: max(c, key=c.get) for acc, c in sb_types.items()}
    unresolved = sorted(set(range(len(sb))) - set(sb_hit) - set(sb.index[sb["kind"] == "ob"].tolist()))
    if unresolved:
        sample = sb.iloc[unresolved[0]]
        notes.append(
            f"{len(unresolved)} subledger line(s) point to no transaction line (e.g. journal {sample['jrnID']}, "
            f"trNr {sample['trNr']}, trLineNr {sample['trLineNr']}); their data is not used"
        )
    control = detect_control_accounts(adm.accounts, adm.relations, use, subledger_accounts, control_accounts)
    if not control:
        notes.append("no debtors/creditors control account found; name them with --control-account")
    side = {c.account_id: c.side for c in control}
    sb_of_key = {key: i for i, key in sb_hit.items()}

    # pass 2: postings on the control accounts, a batch at a time into columns
    ctx = Context(sb=sb, sb_of_key=sb_of_key, mk_by_key=mk_by_key, journal_kind=journal_kind, pay_days=pay_days)
    parts = []
    opening_keys = {f"{j}{SEP}{e}" for j, e in adm.opening_entries}
    order = 0
    for batch in adm.lines.batches():
        mask = batch["account_id"].isin(side.keys()).to_numpy()
        if not mask.any():
            order += len(batch)
            continue
        part = batch.loc[mask, list(POSTING_COLUMNS)].copy()
        part["order"] = range(order, order + len(part))
        order += len(batch)
        part["key"] = _keys(part)
        entry_key = part["journal_id"].astype(str) + SEP + part["entry_nr"].astype(str)
        part["is_opening"] = entry_key.isin(opening_keys) if opening_keys else False
        part = part[_in_scope(part, at_us, opening_only)]  # only what counts at ``at`` is kept
        if len(part):
            parts.append(batch_part(part, ctx))
        del part
    ob_parts = _opening_postings(adm, side, sb, notes)
    if not ob_parts.empty:
        parts.append(batch_part(ob_parts, ctx))
    posts = concat(parts)
    del parts
    give_back()  # each phase's temporaries: holes the next phase's long-lived arrays would not fill
    groups, asg = _match(posts, side)
    give_back()
    item_table, invoice = tables.item_table(posts, groups, asg, names, at_us, ITEM_COLUMNS)
    give_back()
    posting_table = tables.posting_table(posts, groups, asg, invoice, POSTING_OUT_COLUMNS)
    recon = _reconcile(adm, control, posts, item_table, sb, sb_account)
    return OpenItemsResult(at, control, item_table, posting_table, recon, notes)


def _in_scope(part: pd.DataFrame, at_us: int, opening_only: bool) -> np.ndarray:
    """The opening postings, and unless ``opening_only`` those booked on or before ``at``."""
    opening = part["is_opening"].to_numpy(dtype=bool)
    if opening_only:
        return opening
    booked = micros(part["date"])
    return opening | ((booked != NONE) & (booked <= at_us))


def _ranks(values: pa.Array) -> tuple[np.ndarray, list]:
    """Per value its rank among the distinct values in string order (null: -1), and those values."""
    encoded = flat(values).dictionary_encode()
    words = encoded.dictionary.to_pylist()
    order = sorted(range(len(words)), key=words.__getitem__)
    rank = np.empty(len(words), dtype=np.int64)
    rank[order] = np.arange(len(words))
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    if not words:
        return np.full(len(indices), -1, dtype=np.int64), []
    return np.where(indices >= 0, rank[np.maximum(indices, 0)], -1), sorted(words)


def _match(posts: PostingColumns, side: dict[str, str]) -> tuple[tables.Groups, Assignment]:
    """Group the postings with a relation by (account, relation) in that order, and match each group."""
    account_rank, accounts = _ranks(posts.account)
    relation_rank, relations = _ranks(posts.relation)
    date_key = np.where(posts.date == NONE, pd.Timestamp.min.value // 1000, posts.date)
    with_relation = np.flatnonzero(relation_rank >= 0)
    order = np.lexsort(
        (
            posts.order[with_relation],
            date_key[with_relation],
            ~posts.opening[with_relation],
            relation_rank[with_relation],
            account_rank[with_relation],
        )
    )
    at = with_relation[order]
    del order, date_key
    acc, rel = account_rank[at], relation_rank[at]
    new_group = np.ones(len(at), dtype=bool)
    new_group[1:] = (acc[1:] != acc[:-1]) | (rel[1:] != rel[:-1])
    starts = np.flatnonzero(new_group)
    group_account = [accounts[i] for i in acc[starts]]
    group_relation = [relations[i] for i in rel[starts]]
    group_side = [side.get(a, "unknown") for a in group_account]
    natural = np.array([-1 if side.get(a) == "supplier" else 1 for a in group_account], dtype=np.int64)
    due_key = np.where(
        posts.due != NONE,
        posts.due,
        np.where(posts.invoice_date != NONE, posts.invoice_date, pd.Timestamp.max.value // 1000),
    )
    data = GroupInput(
        starts=np.append(starts, len(at)),
        natural=natural,
        at=at,
        text={"inv": posts.inv, "match_key": posts.match_key, "doc": posts.doc, "journal": posts.journal,
              "entry": posts.entry},
        amount=posts.amount[at],
        opening=posts.opening[at],
        inv_subledger=posts.inv_subledger[at],
        due_key=due_key[at],
        order=posts.order[at],
    )
    groups = tables.Groups(at=at, account=group_account, relation=group_relation, side=group_side, natural=natural)
    return groups, match(data)


def _keys(frame: pd.DataFrame) -> pd.Series:
    return (
        frame["journal_id"].astype(str).fillna("")
        + SEP
        + frame["entry_nr"].astype(str).fillna("")
        + SEP
        + frame["line_nr"].astype(str).fillna("")
    )


def _opening_postings(adm: Administration, side: dict[str, str], sb: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Opening-balance lines on control accounts as postings; obSubledger lines replace the obLine they detail."""
    if adm.header.opening_source == "period0" or adm.opening_balance.empty:
        return pd.DataFrame()
    ob = adm.opening_balance[adm.opening_balance["account_id"].isin(side.keys())]
    if ob.empty:
        return pd.DataFrame()
    when = adm.header.opening_date or adm.header.start_date
    when = pd.Timestamp(when[:10]) if when else pd.NaT
    obsb = sb[sb["kind"] == "ob"] if not sb.empty else pd.DataFrame(columns=["obLineNr"])
    rows = []
    for i, line in enumerate(ob.itertuples(index=False)):
        base = {
            "journal_id": None,
            "entry_nr": None,
            "line_nr": line.line_nr,
            "date": when,
            "account_id": line.account_id,
            "relation_id": line.relation_id,
            "doc_ref": None,
            "invoice_ref": getattr(line, "invoice_ref", None),
            "effective_date": pd.NaT,
            "due_date": getattr(line, "due_date", pd.NaT),
            "description": line.description,
            "order": -len(ob) + i,
            "key": None,
            "is_opening": True,
        }
        details = obsb[obsb["obLineNr"] == line.line_nr] if pd.notna(line.line_nr) else obsb.iloc[0:0]
        rest = int(line.amount)
        for d in details.itertuples(index=False):
            rows.append(
                {
                    **base,
                    "relation_id": d.custSupID or line.relation_id,
                    "doc_ref": d.docRef,
                    "invoice_ref": d.invRef,
                    "effective_date": ts(d.invDt) or pd.NaT,
                    "due_date": ts(d.invDueDt) or pd.NaT,
                    "description": d.desc or line.description,
                    "amount": int(d.amount),
                }
            )
            rest -= int(d.amount)
        if len(details) and rest:
            notes.append(
                f"opening line {line.line_nr} on {line.account_id}: its obSubledger lines differ from it by "
                f"{rest} cents; the difference is kept as an item without invoice number"
            )
        if rest or not len(details):
            rows.append({**base, "amount": rest})
    return pd.DataFrame(rows)



def _reconcile(adm, control, posts: PostingColumns, items: tables.Table, sb, sb_account) -> pd.DataFrame:
    """Per control account: closing balance at ``at`` against the sum of the open items, differences explained."""
    names = dict(zip(adm.accounts["account_id"], adm.accounts["name"], strict=True))
    rows = []
    for c in control:
        acc = c.account_id
        own = _is(posts.account, acc)
        amount, ob = posts.amount, posts.opening
        no_relation = mask(posts.relation.is_null())
        opening = int(amount[own & ob].sum())
        movements = int(amount[own & ~ob].sum())
        no_rel_ob = int(amount[own & no_relation & ob].sum())
        no_rel = int(amount[own & no_relation & ~ob].sum())
        mine = _is(items.columns["control_account"], acc)
        open_amount = items.columns["open_amount"]
        open_total = int(open_amount[mine].sum())
        unallocated = int(open_amount[mine & _is(items.columns["status"], "unallocated")].sum())
        closing = opening + movements
        difference = closing - open_total
        unexplained = difference - no_rel_ob - no_rel
        sb_total = None
        if not sb.empty:
            hits = [i for i, a in sb_account.items() if a == acc]
            sb_total = int(sum(int(sb.iloc[i]["amount"]) for i in hits)) if hits else None
        note = []
        if no_rel_ob:
            note.append("opening balance without relation detail")
        if no_rel:
            note.append("lines without relation id")
        if unexplained:
            note.append("UNEXPLAINED")
        rows.append(
            {
                "control_account": acc,
                "name": names.get(acc),
                "side": c.side,
                "identified_by": c.reason,
                "opening_balance": opening,
                "movements": movements,
                "closing_balance": closing,
                "open_items_total": open_total,
                "unallocated_total": unallocated,
                "difference": difference,
                "opening_without_relation": no_rel_ob,
                "lines_without_relation": no_rel,
                "unexplained": unexplained,
                "subledger_total": sb_total,
                "reconciles": difference == 0,
                "note": "; ".join(note),
            }
        )
    return pd.DataFrame(rows, columns=list(RECON_COLUMNS))


def _is(values: pa.Array, text: str) -> np.ndarray:
    """Where ``values`` equals ``text``, as a numpy mask."""
    if isinstance(values.type, pa.DictionaryType):
        values = values.cast(pa.string())
    return mask(pc.equal(values, text)) if len(values) else np.zeros(0, dtype=bool)


def _key(value) -> str | None:
    """A trLine's matchKeyID or recRef as text; None where it has none. A missing key read as NaN was a key of
    its own before, shared by every such line: a relation's unrelated postings were joined into one item."""
    return value if isinstance(value, str) and value.strip() else None
