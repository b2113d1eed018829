"""Transaction lines as XAF text, a batch at a time, with pandas column operations (no per-line Python).

Pass 1 (:func:`plan_lines`) gathers what the header and master data need before any line is written:
totals by side, counts, referenced ids, period dates and whether journals and entries are contiguous.
Pass 2 (:class:`LineFormatter`) turns each batch into ``<journal>/<transaction>/<trLine>`` text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import KoppelError
from ..model import Administration
from .report import ConversionReport

KEY_SEP = "\x1f"
_NEEDS_ESCAPE = r"[&<>]"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_PERIOD_OK = r"\d{1,3}"


def esc_text(value: str) -> str:
    """Escape one text value for element content (and strip characters XML 1.0 cannot hold)."""
    value = re.sub(_CONTROL, "", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def cents_text(cents: np.ndarray) -> pd.Series:
    """Non-negative cents as 'units.cc' strings (the sign goes into the D/C element)."""
    whole = pd.Series(cents // 100).astype(str)
    frac = pd.Series(cents % 100).astype(str).str.zfill(2)
    return whole + "." + frac


def date_text(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[s]").astype("datetime64[D]").astype(str)


def normal_periods(period: pd.Series, date: pd.Series) -> tuple[pd.Series, pd.Series]:
    """XAF ``periodNumber`` is a number of at most three digits; anything else becomes the month of trDt."""
    period = period.astype("string").str.strip()
    ok = period.str.fullmatch(_PERIOD_OK).fillna(False)
    if ok.all():
        return period, ok
    months = pd.Series(date.dt.month.astype("Int64").astype("string").to_numpy(), index=period.index)
    return period.where(ok, months), ok


@dataclass
class LinePlan:
    """What pass 1 learnt about the lines to be written."""

    lines: int = 0
    entries: int = 0
    debit: int = 0
    credit: int = 0
    journals: list[str] = field(default_factory=list)  # in order of first appearance
    accounts: set[str] = field(default_factory=set)
    relations: set[str] = field(default_factory=set)
    vat_codes: set[str] = field(default_factory=set)
    codes: dict[str, set[str]] = field(default_factory=dict)  # cost_center / cost_unit / project -> codes
    period_dates: dict[str, list] = field(default_factory=dict)  # period -> [min date, max date]
    min_date: object = None
    max_date: object = None
    journals_contiguous: bool = True
    entries_contiguous: bool = True
    period_fixed: int = 0
    period0_lines: int = 0
    unbalanced: dict[str, int] = field(default_factory=dict)  # entry key -> net cents (not zero)


def opening_mask(batch: pd.DataFrame, keys: set[str]) -> np.ndarray:
    """Rows that belong to a period-0 opening entry (moved into ``openingBalance``)."""
    if not keys:
        return np.zeros(len(batch), dtype=bool)
    key = batch["journal_id"].astype("string") + KEY_SEP + batch["entry_nr"].astype("string")
    return key.isin(keys).fillna(False).to_numpy()


def entry_keys(adm: Administration) -> set[str]:
    return {f"{j}{KEY_SEP}{n}" for j, n in adm.opening_entries}


def plan_lines(adm: Administration, skip: set[str]) -> LinePlan:
    """Pass 1 over the lines: totals by side, references, period dates, contiguity."""
    plan = LinePlan()
    seen_journals: set[str] = set()
    last_journal = last_key = None
    run_hashes: list[np.ndarray] = []
    runs = 0
    for batch in adm.lines.batches():
        if skip:
            batch = batch[~opening_mask(batch, skip)]
        if batch.empty:
            continue
        for col in ("journal_id", "entry_nr", "account_id"):
            missing = batch[col].isna()
            if missing.any():
                row = batch[missing].iloc[0]
                raise KoppelError(
                    f"a line has no {col}",
                    field=col,
                    hint=f"every line needs a journal, entry number and account (entry {row['entry_nr']!r})",
                )
        if batch["date"].isna().any():
            row = batch[batch["date"].isna()].iloc[0]
            raise KoppelError(
                f"entry {row['journal_id']}/{row['entry_nr']} has no booking date",
                field="trDt",
                hint="XAF needs a date (trDt) on every transaction",
            )
        amount = batch["amount"].to_numpy()
        plan.lines += len(batch)
        plan.debit += int(amount[amount >= 0].sum())
        plan.credit -= int(amount[amount < 0].sum())
        journal = batch["journal_id"].astype("string")
        key = journal + KEY_SEP + batch["entry_nr"].astype("string")
        prev = key.shift(1)
        prev.iloc[0] = last_key
        starts = (key != prev).fillna(True).to_numpy()
        plan.entries += int(starts.sum())
        _balance(plan.unbalanced, amount, key)
        plan.period0_lines += int((batch["period"].astype("string").str.strip() == "0").fillna(False).sum())
        runs += int(starts.sum())
        run_hashes.append(pd.util.hash_pandas_object(key[starts], index=False).to_numpy())
        jprev = journal.shift(1)
        jprev.iloc[0] = last_journal
        jstarts = (journal != jprev).fillna(True).to_numpy()
        for j in journal[jstarts].tolist():
            if j in seen_journals:
                plan.journals_contiguous = False
            else:
                seen_journals.add(j)
                plan.journals.append(j)
        last_key, last_journal = key.iloc[-1], journal.iloc[-1]
        plan.accounts.update(batch["account_id"].dropna().unique().tolist())
        rel = batch["relation_id"].dropna()
        plan.relations.update(rel[rel.str.len() > 0].unique().tolist())
        plan.vat_codes.update(batch["vat_code"].dropna().unique().tolist())
        for col in ("cost_center", "cost_unit", "project"):
            values = batch[col].dropna().str.strip()
            plan.codes.setdefault(col, set()).update(values[values.str.len() > 0].unique().tolist())
        periods, ok = normal_periods(batch["period"], batch["date"])
        plan.period_fixed += int((~ok).sum())
        dates = batch["date"]
        for p, lo, hi in zip(*_period_bounds(periods, dates), strict=True):
            cur = plan.period_dates.get(p)
            if cur is None:
                plan.period_dates[p] = [lo, hi]
            else:
                cur[0], cur[1] = min(cur[0], lo), max(cur[1], hi)
        lo, hi = dates.min(), dates.max()
        plan.min_date = lo if plan.min_date is None else min(plan.min_date, lo)
        plan.max_date = hi if plan.max_date is None else max(plan.max_date, hi)
    if run_hashes:
        all_runs = np.concatenate(run_hashes)
        plan.entries_contiguous = len(np.unique(all_runs)) == runs
        plan.entries = len(np.unique(all_runs))
    return plan


def _balance(open_sums: dict[str, int], amount: np.ndarray, key: pd.Series) -> None:
    """Keep the net of every entry whose lines seen so far do not sum to zero (entries may span batches)."""
    sums = pd.Series(amount).groupby(key.to_numpy(), sort=False).sum()
    touch = sums.to_numpy() != 0
    if open_sums:
        touch |= sums.index.isin(list(open_sums))
    for k, net in zip(sums.index[touch].tolist(), sums[touch].tolist(), strict=True):
        total = open_sums.pop(k, 0) + net
        if total:
            open_sums[k] = total


def _period_bounds(periods: pd.Series, dates: pd.Series):
    grouped = dates.groupby(periods.to_numpy(), sort=False)
    lo, hi = grouped.min(), grouped.max()
    return lo.index.tolist(), lo.tolist(), hi.tolist()


# -- pass 2 -----------------------------------------------------------------------------------
@dataclass
class Limits:
    """Maximum lengths of the target version for line-level values."""

    ref: int  # docRef, invRef
    code: int  # costID/prodID/projID (3.2) or cost/product/project (4.0)


_NEEDS_ESCAPE_RE = re.compile(_NEEDS_ESCAPE)
_CONTROL_RE = re.compile(_CONTROL)


def _values(s: pd.Series) -> list:
    """A column as a Python list, missing values as None."""
    return s.astype(object).where(s.notna(), None).tolist()


def cents_list(cents: np.ndarray) -> list[str]:
    """Non-negative cents as 'units.cc' strings."""
    return cents_text(cents).tolist()


class LineFormatter:
    """Turns canonical line batches into XAF text for one target version, keeping journal/entry state.

    Values are handled as Python lists: whole-column checks (markup, control characters, lengths) run on
    one joined string in C, and each line is one f-string; measured faster here than pandas string ops.
    """

    def __init__(self, version: str, report: ConversionReport, journals: dict[str, str], currencies=None) -> None:
        self.v4 = version == "4.0"
        self.report = report
        self.journal_open: str | None = None
        self.key_open: tuple | None = None
        self.journal_heads = journals  # journal id -> "<journal>...<offsetAccID/>" head text
        self.currencies = currencies  # allowed currency codes (3.2) or None (4.0: pattern only)
        self.limits = Limits(ref=255, code=999) if self.v4 else Limits(ref=999, code=35)
        self.written: set[str] = set()

    def _text(self, s, name: str, limit: int | None = None, refuse: bool = False, strip: bool = True) -> list:
        """Codes are stripped (as the reader does); free text is written exactly as it is. Escaped."""
        values = _values(s) if isinstance(s, pd.Series) else s
        if strip:
            values = [v.strip() or None if v is not None else None for v in values]
        else:
            values = [v if v else None for v in values]
        present = [v for v in values if v is not None]
        if not present:
            return values
        if limit is not None and max(map(len, present)) > limit:
            long = [v for v in present if len(v) > limit]
            if refuse:
                raise KoppelError(
                    f"{name} {long[0]!r} is longer than the {limit} characters XAF allows",
                    field=name,
                    hint="map such codes to shorter ones before converting",
                )
            self.report.fixed(name, f"cut to {limit} characters", len(long))
            values = [v[:limit] if v is not None and len(v) > limit else v for v in values]
            present = [v for v in values if v is not None]
        joined = "\n".join(present)
        if _CONTROL_RE.search(joined):
            self.report.fixed(name, "control characters removed (XML 1.0 cannot hold them)",
                              sum(1 for v in present if _CONTROL_RE.search(v)))  # fmt: skip
            values = [_CONTROL_RE.sub("", v) if v is not None else None for v in values]
        if _NEEDS_ESCAPE_RE.search(joined):
            values = [
                v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if v is not None else None
                for v in values
            ]
        if "\r" in joined:  # a parser turns a raw CR into LF; a character reference keeps it
            values = [v.replace("\r", "&#13;") if v is not None else None for v in values]
        return values

    @staticmethod
    def _el(tag: str, values: list) -> list | str:
        """``<tag>v</tag>`` per value ('' when missing); a plain '' when the whole column is empty."""
        if all(v is None for v in values):
            return ""
        open_, close = f"<{tag}>", f"</{tag}>"
        return ["" if v is None else f"{open_}{v}{close}" for v in values]

    def batch(self, frame: pd.DataFrame) -> str:
        """XAF text for ``frame`` (lines in journal/entry order); opens and closes journals and transactions."""
        if frame.empty:
            return ""
        frame = frame.reset_index(drop=True)
        rep = self.report
        t = self._text
        el = self._el
        amount = frame["amount"].to_numpy()
        side = np.where(amount < 0, "C", "D").tolist()
        amnt = cents_list(np.abs(amount))
        journals = _values(frame["journal_id"])
        entries = _values(frame["entry_nr"])
        nr = t(frame["line_nr"], "trLine/nr", 35, refuse=True)
        position = None
        if any(v is None for v in nr):
            position = (frame.groupby(["journal_id", "entry_nr"], sort=False).cumcount() + 1).astype(str).tolist()
            rep.fixed("trLine/nr", "missing line number: position within the entry", sum(v is None for v in nr))
            nr = [p if v is None else v for v, p in zip(nr, position, strict=True)]
        keys = list(zip(journals, entries, nr, strict=True))
        if len(set(keys)) != len(keys):
            twice = pd.Series(keys).duplicated(keep=False).to_numpy()
            bad = {(j, e) for (j, e, _n), dup in zip(keys, twice, strict=True) if dup}
            position = (frame.groupby(["journal_id", "entry_nr"], sort=False).cumcount() + 1).astype(str).tolist()
            in_bad = [(j, e) in bad for j, e in zip(journals, entries, strict=True)]
            rep.fixed("trLine/nr", "repeated within its transaction: lines numbered 1..n", sum(in_bad))
            nr = [p if b else v for v, p, b in zip(nr, position, in_bad, strict=True)]
        acc = t(frame["account_id"], "trLine/accID", 35, refuse=True)
        doc = t(frame["doc_ref"], "trLine/docRef", self.limits.ref, strip=False)
        trdt = date_text(frame["date"]).tolist()
        eff_missing = frame["effective_date"].isna().to_numpy()
        if eff_missing.any():
            rep.fixed("trLine/effDate", "missing: the booking date (trDt)", int(eff_missing.sum()))
            eff = np.where(eff_missing, np.asarray(trdt), date_text(frame["effective_date"])).tolist()
        else:
            eff = date_text(frame["effective_date"]).tolist()
        code = self.limits.code
        optional = [
            el("custSupID", t(frame["relation_id"], "trLine/custSupID", 35, refuse=True)),
            el("invRef", t(frame["invoice_ref"], "trLine/invRef", self.limits.ref, strip=False)),
        ]
        if self.v4:
            optional += [
                el("cost", t(frame["cost_center"], "trLine/cost", code, refuse=True)),
                el("product", t(frame["cost_unit"], "trLine/product", code, refuse=True)),
                el("project", t(frame["project"], "trLine/project", code, refuse=True)),
                el("bankAccNr", t(frame["bank_account"], "trLine/bankAccNr", 35, refuse=True)),
            ]
            rep.dropped_element("trLine/qntity", "XAF 4.0 has no quantity", int(frame["quantity"].notna().sum()))
        else:
            qty = frame["quantity"].astype("string").str.strip()
            qty_ok = qty.str.fullmatch(r"\d{1,10}").fillna(False)
            rep.dropped(
                "trLine/qntity", "not a whole number of at most 10 digits (XSD)", int((qty.notna() & ~qty_ok).sum())
            )
            optional += [
                el("costID", t(frame["cost_center"], "trLine/costID", code, refuse=True)),
                el("prodID", t(frame["cost_unit"], "trLine/prodID", code, refuse=True)),
                el("projID", t(frame["project"], "trLine/projID", code, refuse=True)),
                el("qntity", _values(qty.where(qty_ok))),
                el("bankAccNr", t(frame["bank_account"], "trLine/bankAccNr", 35, refuse=True)),
            ]
        rep.dropped("trLine/dueDate", "XAF has no due date on a transaction line", int(frame["due_date"].notna().sum()))
        optional += [self._vat(frame), self._currency(frame)]
        optional = [o for o in optional if o != ""]
        tail = ["".join(parts) for parts in zip(*optional, strict=True)] if optional else [""] * len(frame)
        desc = el("desc", t(frame["description"], "trLine/desc", strip=False))
        if desc == "":
            desc = [""] * len(frame)
        docs = ["" if v is None else v for v in doc]  # docRef is mandatory: absent is written empty, never invented
        prefix = self._prefixes(frame, journals, entries, trdt)
        text = [
            f"{p}<trLine><nr>{n}</nr><accID>{a}</accID><docRef>{d}</docRef><effDate>{e}</effDate>{ds}"
            f"<amnt>{m}</amnt><amntTp>{sd}</amntTp>{tl}</trLine>\n"
            for p, n, a, d, e, ds, m, sd, tl in zip(prefix, nr, acc, docs, eff, desc, amnt, side, tail, strict=True)
        ]
        return "".join(text)

    def _vat(self, frame: pd.DataFrame) -> list | str:
        rep = self.report
        code = self._text(frame["vat_code"], "vat/vatID", 35, refuse=True)
        has = np.array([v is not None for v in code])
        rate = frame["vat_rate"]
        vat_amount = frame["vat_amount"]
        orphan = (~has) & (rate.notna().to_numpy() | vat_amount.notna().to_numpy())
        rep.dropped("trLine/vat", "VAT rate or amount without a VAT code (vatID is mandatory)", int(orphan.sum()))
        if not has.any():
            return ""
        rate_missing = has & rate.isna().to_numpy()
        rep.fixed("vat/vatPerc", "missing: written as 0.00", int(rate_missing.sum()))
        bp = rate.fillna(0).astype("int64").to_numpy()
        if (bp < 0).any():
            raise KoppelError("a negative VAT rate cannot be written (vatPerc >= 0)", field="vat/vatPerc")
        amt_missing = has & vat_amount.isna().to_numpy()
        rep.fixed("vat/vatAmnt", "missing: written as 0.00", int(amt_missing.sum()))
        va = vat_amount.fillna(0).astype("int64").to_numpy()
        perc = cents_list(bp)
        amnt = cents_list(np.abs(va))
        tp = np.where(va < 0, "C", "D").tolist()
        return [
            f"<vat><vatID>{c}</vatID><vatPerc>{p}</vatPerc><vatAmnt>{a}</vatAmnt><vatAmntTp>{s}</vatAmntTp></vat>"
            if c is not None
            else ""
            for c, p, a, s in zip(code, perc, amnt, tp, strict=True)
        ]

    def _currency(self, frame: pd.DataFrame) -> list | str:
        if frame["currency"].isna().all():
            return ""
        cur = frame["currency"].astype("string").str.strip().str.upper()
        amount = frame["currency_amount"]
        has = cur.notna() & amount.notna()
        if self.currencies is not None:
            ok = cur.isin(self.currencies).fillna(False)
        else:
            ok = cur.str.fullmatch(r"[A-Z]{1,3}").fillna(False)
        self.report.dropped("trLine/currency", "currency code not allowed by the target schema", int((has & ~ok).sum()))
        self.report.dropped(
            "trLine/currency",
            "currency code without a foreign amount (curAmnt is mandatory)",
            int((cur.notna() & amount.isna()).sum()),
        )
        write = (has & ok).to_numpy().tolist()
        ca = cents_list(np.abs(amount.fillna(0).astype("int64").to_numpy()))
        return [
            f"<currency><curCode>{c}</curCode><curAmnt>{a}</curAmnt></currency>" if w else ""
            for c, a, w in zip(_values(cur), ca, write, strict=True)
        ]

    def _prefixes(self, frame: pd.DataFrame, journals: list, entries: list, trdt: list) -> list[str]:
        """Journal and transaction open/close text for the first line of each entry ('' elsewhere)."""
        n = len(frame)
        j = np.asarray(journals, dtype=object)
        e = np.asarray(entries, dtype=object)
        starts = np.ones(n, dtype=bool)
        if n > 1:
            starts[1:] = (j[1:] != j[:-1]) | (e[1:] != e[:-1])
        if self.key_open is not None:
            starts[0] = (journals[0], entries[0]) != self.key_open
        idx = np.flatnonzero(starts)
        out = [""] * n
        if not len(idx):
            return out
        sub = frame.iloc[idx]
        periods, ok = normal_periods(sub["period"], sub["date"])
        self.report.fixed(
            "transaction/periodNumber", "not a number of at most 3 digits: month of trDt", int((~ok).sum())
        )
        nrs = self._text(sub["entry_nr"], "transaction/nr", 35, refuse=True)
        descs = self._text(sub["entry_description"], "transaction/desc", strip=False)
        for i, nr, desc, period in zip(idx.tolist(), nrs, descs, _values(periods), strict=True):
            head = []
            if self.key_open is not None:
                head.append("</transaction>\n")
            jid = journals[i]
            if jid != self.journal_open:
                if self.journal_open is not None:
                    head.append("</journal>\n")
                head.append(self.journal_heads[jid])
                self.journal_open = jid
                self.written.add(jid)
            d = "" if desc is None else f"<desc>{desc}</desc>"
            head.append(f"<transaction><nr>{nr}</nr>{d}<periodNumber>{period}</periodNumber><trDt>{trdt[i]}</trDt>\n")
            out[i] = "".join(head)
            self.key_open = (jid, entries[i])
        self.key_open = (journals[-1], entries[-1])
        return out

    def close(self) -> str:
        out = ""
        if self.key_open is not None:
            out += "</transaction>\n"
        if self.journal_open is not None:
            out += "</journal>\n"
        self.key_open = self.journal_open = None
        return out
