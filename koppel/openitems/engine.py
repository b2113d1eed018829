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

import pandas as pd

from ..errors import KoppelError
from ..model import Administration, Subledgers
from .control import ControlAccount, account_use, detect_control_accounts

SEP = "\x1f"
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
    """Items (open or settled) at ``at``, the postings behind them, and the control-account reconciliation."""

    at: date
    control: list[ControlAccount]
    items: pd.DataFrame
    postings: pd.DataFrame
    reconciliation: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def open_items(self) -> pd.DataFrame:
        return self.items[self.items["open_amount"] != 0].reset_index(drop=True)


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


def _zero_ref(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip("0 ") == ""


def _clean(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


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
    at_ts = pd.Timestamp(at)
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
    for row in tr_keys.itertuples(index=False):
        mk_by_key[f"{row.journal_id}{SEP}{row.entry_nr}{SEP}{row.line_nr}"] = (row.match_key, row.rec_ref)

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

    # pass 2: postings on the control accounts
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
        parts.append(part)
    ob_parts = _opening_postings(adm, side, sb, notes)
    frames = [p for p in parts if not p.empty] + ([ob_parts] if not ob_parts.empty else [])
    if frames:
        post = pd.concat(frames, ignore_index=True)
    else:
        post = pd.DataFrame({c: pd.Series(dtype=object) for c in (*POSTING_COLUMNS, "order", "key", "is_opening")})

    # everything the matching needs, as plain python values; a value many postings share (an account, a relation,
    # a journal, a date) is one object for all of them: on 300k lines the postings held 680k strings and 200k dates
    shared: dict = {}
    days: dict = {}

    def one(value):
        return value if value is None else shared.setdefault(value, value)

    def day(value):
        if value is None or pd.isna(value):
            return None
        made = days.get(value)
        if made is None:  # a Timestamp is made once per distinct date, not once per posting
            made = days[value] = pd.Timestamp(value)
        return made

    records = []
    for row in _plain_rows(post):
        sbi = sb_of_key.get(row.key) if isinstance(row.key, str) else None
        sbr = sb.iloc[sbi] if sbi is not None else None
        mk, rr = mk_by_key.get(row.key, (None, None)) if isinstance(row.key, str) else (None, None)
        if sbr is not None:
            mk = mk or _clean(sbr["matchKeyID"])
            rr = rr or _clean(sbr["recRef"])
        inv, method = _clean(row.invoice_ref), "invoice_ref"
        kind_of_journal = journal_kind.get(_clean(row.journal_id) or "")
        if _zero_ref(inv) or (inv in (_clean(row.entry_nr), _clean(row.doc_ref)) and kind_of_journal not in ("S", "P")):
            inv = None  # a placeholder, or a payment that names its own entry: not an invoice reference
        if inv is None and sbr is not None and not _zero_ref(_clean(sbr["invRef"])):
            inv, method = _clean(sbr["invRef"]), "subledger"
        booked = day(row.date)
        inv_date = _ts(sbr["invDt"]) if sbr is not None else None
        inv_date = inv_date or day(row.effective_date) or booked
        due = _ts(sbr["invDueDt"]) if sbr is not None else None
        due = due or day(row.due_date)
        relation = one(_clean(row.relation_id))
        if due is None and inv_date is not None and relation in pay_days:
            due = inv_date + pd.Timedelta(days=pay_days[relation])
        records.append(
            _Posting(
                account_id=one(str(row.account_id)),
                relation_id=relation,
                journal_id=one(_clean(row.journal_id)),
                entry_nr=_clean(row.entry_nr),
                line_nr=one(_clean(row.line_nr)),
                date=booked,
                amount=int(row.amount),
                is_opening=bool(row.is_opening),
                doc_ref=_clean(row.doc_ref),
                description=_clean(row.description),
                inv_ref=inv,
                inv_method=method,
                match_key=mk,
                rec_ref=rr,
                invoice_date=inv_date,
                due_date=due,
                mut_tp=_clean(sbr["mutTp"]) if sbr is not None else None,
                journal_kind=kind_of_journal,
                order=int(row.order),
            )
        )
    del post, parts  # the plain records are all that is needed from here on
    in_scope = [
        r for r in records if r["is_opening"] or (not opening_only and r["date"] is not None and r["date"] <= at_ts)
    ]
    items, assigned = _match(in_scope, side)
    item_frame = _item_frame(items, in_scope, assigned, side, names, at_ts)
    posting_frame = _posting_frame(in_scope, assigned, items)
    recon = _reconcile(adm, control, in_scope, item_frame, sb, sb_account, at_ts)
    return OpenItemsResult(at, control, item_frame, posting_frame, recon, notes)


def _plain_rows(frame: pd.DataFrame, chunk: int = 20_000):
    """Rows as namedtuples of plain Python values (None for missing), without per-cell Arrow access;
    converted ``chunk`` rows at a time so the plain copy stays small."""
    from collections import namedtuple

    row = namedtuple("Row", list(frame.columns))
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        columns = []
        for col in part.columns:
            values = part[col]
            if str(values.dtype).startswith("datetime64"):
                columns.append([None if pd.isna(v) else v for v in values.tolist()])
            else:
                columns.append(values.astype(object).where(values.notna(), None).tolist())
        for values in zip(*columns, strict=True):
            yield row(*values)


def _ts(value):
    value = _clean(value)
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except ValueError:
        return None


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
                    "effective_date": _ts(d.invDt) or pd.NaT,
                    "due_date": _ts(d.invDueDt) or pd.NaT,
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


class _Posting:
    """One posting on a control account, with what the matching needs (slots: many of these are held)."""

    __slots__ = (
        "account_id",
        "amount",
        "date",
        "description",
        "doc_ref",
        "due_date",
        "entry_nr",
        "inv_method",
        "inv_ref",
        "invoice_date",
        "is_opening",
        "journal_id",
        "journal_kind",
        "line_nr",
        "match_key",
        "mut_tp",
        "order",
        "rec_ref",
        "relation_id",
    )  # fmt: skip

    def __init__(self, **values) -> None:
        for key, value in values.items():
            setattr(self, key, value)

    def __getitem__(self, key: str):
        return getattr(self, key)


class _ItemMaker:
    """Find or make the item of one (account, relation) group by key."""

    def __init__(self, account: str, relation: str, local: dict, items: list) -> None:
        self.account, self.relation, self.local, self.items = account, relation, local, items

    def __call__(self, key: tuple, invoice: str | None, reference: str) -> _Item:
        if key not in self.local:
            self.local[key] = _Item(self.account, self.relation, invoice, reference)
            self.items.append(self.local[key])
        return self.local[key]


@dataclass
class _Item:
    account: str
    relation: str
    invoice: str | None
    reference: str
    postings: list[int] = field(default_factory=list)
    open: int = 0


def _match(records: list[dict], side: dict[str, str]) -> tuple[list[_Item], dict[int, str]]:
    """Assign every posting with a relation to one item; returns the items and posting -> method."""
    items: list[_Item] = []
    assigned: dict[int, str] = {}
    groups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(records):
        if r["relation_id"] is not None:
            groups.setdefault((r["account_id"], r["relation_id"]), []).append(i)

    def add(item: _Item, i: int, method: str) -> None:
        item.postings.append(i)
        item.open += records[i]["amount"]
        assigned[i] = method

    for (account, relation), idx in sorted(groups.items()):
        idx.sort(
            key=lambda i: (not records[i]["is_opening"], records[i]["date"] or pd.Timestamp.min, records[i]["order"])
        )
        natural = -1 if side.get(account) == "supplier" else 1
        local: dict[tuple, _Item] = {}

        item_for = _ItemMaker(account, relation, local, items)

        for i in idx:  # 1. invoice reference
            r = records[i]
            if r["inv_ref"] is not None:
                add(item_for(("inv", r["inv_ref"]), r["inv_ref"], r["inv_method"]), i, r["inv_method"])
        by_key = {
            records[i]["match_key"]: local[k]
            for k, it in local.items()
            for i in it.postings
            if records[i]["match_key"] is not None
        }
        for i in idx:  # 2. matchKeyID
            r = records[i]
            if i in assigned or r["match_key"] is None:
                continue
            item = by_key.get(r["match_key"]) or item_for(("mk", r["match_key"]), None, "matchKeyID")
            by_key.setdefault(r["match_key"], item)
            add(item, i, "matchKeyID")
        doc_items: dict[str, list[_Item]] = {}  # doc_ref of an item's invoice-side postings -> items
        for it in local.values():
            refs = {records[i]["doc_ref"] for i in it.postings if records[i]["amount"] * natural > 0}
            for ref in refs - {None}:
                doc_items.setdefault(ref, []).append(it)
        by_doc: dict[str, list[int]] = {}
        for i in idx:
            if i not in assigned and records[i]["doc_ref"] is not None:
                by_doc.setdefault(records[i]["doc_ref"], []).append(i)
        for ref, members in by_doc.items():  # 3. document reference: an invoice and its settlement(s)
            settling = [i for i in members if records[i]["amount"] * natural < 0]
            known = doc_items.get(ref, [])
            entries = {(records[i]["journal_id"], records[i]["entry_nr"]) for i in members}
            if len(known) == 1:
                for i in settling:
                    add(known[0], i, "doc_ref")
            elif not known and settling and len(settling) < len(members) and len(entries) > 1:
                item = item_for(("doc", ref), ref, "doc_ref")
                for i in members:
                    add(item, i, "doc_ref")
        for i in idx:  # 4. an unreferenced posting on the account's own side is an item of its own
            r = records[i]
            if i in assigned or (r["amount"] * natural <= 0 and not r["is_opening"]):
                continue
            reference = "opening" if r["is_opening"] else "none"
            add(item_for(("own", i), r["doc_ref"] if not r["is_opening"] else None, reference), i, reference)
        rest = [i for i in idx if i not in assigned]
        by_open: dict[int, list[_Item]] = {}
        if rest:  # 5. relation + amount: an index of open amounts, the item due first at the front
            for it in sorted(local.values(), key=lambda it: _due_key(it, records)):
                if it.open:
                    by_open.setdefault(it.open, []).append(it)
        for i in rest:  # 5. relation + amount, 6. unallocated
            r = records[i]
            candidates = by_open.get(-r["amount"])
            if candidates:
                add(candidates.pop(0), i, "relation+amount")  # its open amount is now 0
            else:
                add(item_for(("free", i), None, "unallocated"), i, "unallocated")
    return items, assigned


def _due_key(item: _Item, records: list[dict]):
    first = records[item.postings[0]]
    return (first["due_date"] or first["invoice_date"] or pd.Timestamp.max, first["order"])


def _direction(item: _Item, records: list[dict], natural: int) -> tuple[int, list[int]]:
    """Sign of the item's invoice (its first invoice-like posting), and which postings are invoice-like:
    subledger mutTp I, else opening or sales/purchase-journal postings, else those on the account's own side."""
    posts = item.postings
    marked = [i for i in posts if records[i]["mut_tp"] == "I"]
    if not marked:
        marked = [i for i in posts if records[i]["is_opening"] or records[i]["journal_kind"] in ("S", "P")]
    if not marked:
        marked = [i for i in posts if records[i]["amount"] * natural > 0] or posts[:1]
    first = next((records[i]["amount"] for i in marked if records[i]["amount"]), 0)
    return (1 if first >= 0 else -1), marked


def _row(columns: tuple[str, ...], values: dict) -> tuple:
    """A row as a tuple in column order (many rows are held: tuples are a fraction of dicts)."""
    return tuple(values[c] for c in columns)


def _item_frame(items: list[_Item], records, assigned, side, names, at_ts) -> pd.DataFrame:
    rows = []
    for it in items:
        natural = -1 if side.get(it.account) == "supplier" else 1
        sign, marked = _direction(it, records, natural)
        amounts = [records[i]["amount"] for i in it.postings]
        original = sum(a for a in amounts if a * sign > 0)
        settled = sum(a for a in amounts if a * sign <= 0)
        open_ = original + settled
        first = records[marked[0]]
        invoice_date = min(
            (records[i]["invoice_date"] for i in marked if records[i]["invoice_date"] is not None), default=None
        )
        due = next((records[i]["due_date"] for i in marked if records[i]["due_date"] is not None), None)
        pays = [records[i]["date"] for i in it.postings if records[i]["amount"] * sign <= 0 and records[i]["date"]]
        if it.reference == "unallocated":
            status = "unallocated"
            original, settled = 0, open_
        elif open_ == 0:
            status = "paid"
        elif open_ * sign < 0:
            status = "overpaid"
        elif settled == 0:
            status = "open"
        else:
            status = "partly paid"
        overdue = (at_ts - due).days if due is not None and open_ and status != "unallocated" else None
        methods: dict[str, int] = {}
        for i in it.postings:
            if i not in marked:
                m = assigned[i]
                methods[m] = methods.get(m, 0) + 1
        rows.append(
            _row(
                ITEM_COLUMNS,
                {
                    "control_account": it.account,
                    "side": side.get(it.account, "unknown"),
                    "relation_id": it.relation,
                    "relation_name": names.get(it.relation),
                    "invoice": it.invoice or "",
                    "kind": "payment" if status == "unallocated" else ("invoice" if sign == natural else "credit note"),
                    "reference": it.reference,
                    "invoice_date": invoice_date.date()
                    if invoice_date is not None
                    else (first["date"].date() if first["date"] is not None else None),
                    "due_date": due.date() if due is not None else None,
                    "original_amount": original,
                    "paid_amount": -settled,
                    "open_amount": open_,
                    "days_overdue": max(overdue, 0) if overdue is not None else None,
                    "status": status,
                    "matched_by": ", ".join(f"{m} {n}" for m, n in sorted(methods.items())),
                    "last_payment_date": max(pays).date() if pays else None,
                    "postings": len(it.postings),
                },
            )
        )
    frame = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    if not frame.empty:
        frame = frame.sort_values(["control_account", "relation_id", "invoice_date", "invoice"], kind="stable")
    for col in ("original_amount", "paid_amount", "open_amount", "postings"):
        frame[col] = frame[col].astype("int64")
    frame["days_overdue"] = frame["days_overdue"].astype("Int64")
    return frame.reset_index(drop=True)


def _posting_frame(records, assigned, items) -> pd.DataFrame:
    owner = {i: it for it in items for i in it.postings}
    rows = []
    for i, r in enumerate(records):
        it = owner.get(i)
        rows.append(
            _row(
                POSTING_OUT_COLUMNS,
                {
                    "control_account": r["account_id"],
                    "relation_id": r["relation_id"],
                    "invoice": (it.invoice or "") if it else "",
                    "journal_id": r["journal_id"],
                    "entry_nr": r["entry_nr"],
                    "line_nr": r["line_nr"],
                    "date": r["date"].date() if r["date"] is not None else None,
                    "amount": r["amount"],
                    "opening": r["is_opening"],
                    "method": assigned.get(i, "no relation: not an item"),
                    "match_key": r["match_key"],
                    "rec_ref": r["rec_ref"],
                    "doc_ref": r["doc_ref"],
                    "description": r["description"],
                },
            )
        )
    return pd.DataFrame(rows, columns=list(POSTING_OUT_COLUMNS))


def _reconcile(adm, control, records, items, sb, sb_account, at_ts) -> pd.DataFrame:
    """Per control account: closing balance at ``at`` against the sum of the open items, differences explained."""
    names = dict(zip(adm.accounts["account_id"], adm.accounts["name"], strict=True))
    rows = []
    for c in control:
        acc = c.account_id
        own = [r for r in records if r["account_id"] == acc]
        opening = sum(r["amount"] for r in own if r["is_opening"])
        movements = sum(r["amount"] for r in own if not r["is_opening"])
        no_rel_ob = sum(r["amount"] for r in own if r["relation_id"] is None and r["is_opening"])
        no_rel = sum(r["amount"] for r in own if r["relation_id"] is None and not r["is_opening"])
        mine = items[items["control_account"] == acc] if len(items) else items
        open_total = int(mine["open_amount"].sum()) if len(mine) else 0
        unallocated = int(mine.loc[mine["status"] == "unallocated", "open_amount"].sum()) if len(mine) else 0
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
