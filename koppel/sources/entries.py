"""From typed source rows to balanced journal entries: postings, aggregation, VAT split and rounding.

Rounding method (documented, deterministic):

* VAT is computed **per entry per VAT rate** from the gross total of that rate:
  ``vat = round_half_up(gross × rate / (100 + rate))`` in whole cents (half a cent rounds away from zero,
  "rekenkundig afronden"); net = gross − vat. Where the source gives the VAT amount (a Z-report does), that
  amount is used instead. When one rate feeds several revenue accounts in an entry, the rate's VAT is shared
  out in proportion to their gross amounts, rounded half-up, the remaining cent(s) going to the largest line.
  So net + VAT equals the gross of the source to the cent, per rate and per entry.
* What is left after that (e.g. cash rounded to 5 cents at the till, or a source's net + VAT one cent off its
  gross) is the entry's residual: within ``entries.rounding_tolerance`` it is booked to
  ``entries.rounding_account`` as its own line; beyond it, or without a rounding account, it is an error
  naming the entry and its first source row. An entry never leaves here unbalanced.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from ..errors import KoppelError
from ..model import Administration, Header, conform, make_table
from ..money import format_cents, format_rate_bp, parse_cents_series
from .profile import Posting, Profile
from .table import ROW

GROUP = ["journal_id", "_key", "_post", "account_id", "_bp", "vat_code", "_split", "description", "relation_id"]
RANGE_ROWS = 200_000  # postings made into lines at a time when there are more: memory follows this, not the file
ROWS = "_rows"  # how many source rows a typed row stands for (rows equal in every key field are summed)
ROWS_WITH_MONEY = f"{ROWS}:money"


def row_counts(profile: Profile) -> dict[str, tuple[str, ...]]:
    """The source-row counts a typed row carries, each as the money fields of which a counted row has one.

    ``_rows``: every row (``()``); ``_rows:money``: rows with an amount; ``_rows:IDX``: rows with posting IDX's
    amount. Reports count source rows through them, also after equal rows were summed.
    """
    counts = {ROWS: (), ROWS_WITH_MONEY: tuple(profile.money)}
    for idx, post in enumerate(profile.postings):
        counts[f"{ROWS}:{idx}"] = tuple(dict.fromkeys(field for _, field in post.amount))
    return counts


def half_up_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` rounded half away from zero, exactly (den never 0); int64, Python ints if it could overflow."""
    num = np.asarray(num)
    den = np.asarray(den)
    if len(num) == 0:
        return np.zeros(0, dtype=np.int64)
    if num.dtype != object and den.dtype != object and np.abs(num).max() < 2**60 and np.abs(den).max() < 2**60:
        a = num.astype(np.int64)
        b = den.astype(np.int64)
        a = np.where(b < 0, -a, a)
        b = np.abs(b)
        q = (2 * np.abs(a) + b) // (2 * b)
        return np.where(a >= 0, q, -q)
    num = num.astype(object)
    den = den.astype(object)
    out = np.empty(len(num), dtype=object)
    for i, (a, b) in enumerate(zip(num, den, strict=True)):
        if b < 0:
            a, b = -a, -b
        q = (2 * abs(a) + b) // (2 * b)
        out[i] = q if a >= 0 else -q
    return out.astype(np.int64)


def _zero_lines(frame: pd.DataFrame) -> np.ndarray:
    """Lines with no money: amount 0 and no VAT amount. They are not written (a package refuses or ignores them)."""
    zero = frame["amount"] == 0
    if "vat_amount" in frame:
        zero &= frame["vat_amount"].fillna(0) == 0
    return zero.to_numpy()


def _missing_ints(n: int) -> pd.arrays.IntegerArray:
    """An all-missing Int64 array of length ``n`` (without a Python list of n NAs)."""
    return pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))


class _LineSink:
    """Where :meth:`EntryBuilder._lines` puts lines: the administration's line store, its stats, the extra fields,
    the account and journal ids the master tables need, and each entry's number (checked once, over all)."""

    def __init__(self, adm: Administration) -> None:
        self.adm = adm
        self.accounts: set = set()
        self.journals: set = set()
        self.extras: list[pd.DataFrame] = []
        self.numbered: list[pd.DataFrame] = []  # journal_id, _key, number of each entry, in entry order

    def add(self, lines: pd.DataFrame, entries: int, extras: pd.DataFrame | None, numbered: pd.DataFrame) -> None:
        self.adm.lines.append(lines)
        self.adm.stats.add_batch(lines, entries)
        self.accounts.update(lines["account_id"].dropna().unique().tolist())
        self.journals.update(lines["journal_id"].dropna().unique().tolist())
        if extras is not None:
            self.extras.append(extras)
        self.numbered.append(numbered)

    def close(self, builder: EntryBuilder) -> None:
        if self.numbered:
            builder._check_numbers(pd.concat(self.numbered, ignore_index=True))
        if self.extras:
            builder.line_extras = pd.concat(self.extras, ignore_index=True)
        builder._masters(self.adm, self.accounts, self.journals)


_DATE_PARTS = {"%Y": (0, 4), "%y": (2, 4), "%m": (5, 7), "%d": (8, 10)}


def _date_text(dates: pd.Series, fmt: str) -> pd.Series:
    """``dates.dt.strftime(fmt)`` as string dtype, for formats of %Y %y %m %d and literals, sliced from ISO text
    (strftime formats value by value)."""
    tokens = re.findall(r"%.|[^%]+", fmt)
    iso = None
    if dates.notna().all() and all(t in _DATE_PARTS or not t.startswith("%") for t in tokens):
        iso = pd.Series(np.datetime_as_string(dates.to_numpy().astype("datetime64[D]")), dtype="string")
        if not (iso.str.len() == 10).all():  # years beyond 0-9999
            iso = None
    if iso is None:
        return dates.dt.strftime(fmt).astype("string")
    text = pd.Series("", index=iso.index, dtype="string")
    for token in tokens:
        text = text + (iso.str.slice(*_DATE_PARTS[token]) if token in _DATE_PARTS else token)
    text.index = dates.index
    return text


def _sort_order(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Row positions as ``frame.sort_values(keys, kind="stable")`` orders them (missing values last), from
    sorted factor codes: one ``np.lexsort`` instead of pandas' multi-column sort of strings."""
    codes = []
    for name in reversed(keys):  # lexsort sorts by its last key first
        values, uniques = pd.factorize(frame[name], sort=True)
        codes.append(np.where(values < 0, len(uniques), values))
    return np.lexsort(codes) if len(frame) else np.zeros(0, dtype=np.int64)


class Groups:
    """Rows numbered by group as ``groupby(keys, sort=False, dropna=False)`` numbers them (first appearance).

    One factorisation per key column, then plain numpy per aggregate: the frames here are small (entries x
    accounts), so pandas' per-groupby overhead, not the data, was the cost.
    """

    def __init__(self, frame: pd.DataFrame, keys: list[str]) -> None:
        n = len(frame)
        key = np.zeros(n, dtype=np.int64)
        mult = 1
        for name in keys:
            codes, uniques = pd.factorize(frame[name], use_na_sentinel=False)
            size = max(len(uniques), 1)
            if mult * size >= 2**62:  # renumber what we have so far before it could overflow
                key = pd.factorize(key)[0].astype(np.int64)
                mult = int(key.max()) + 1 if n else 1
            key += codes.astype(np.int64) * mult
            mult *= size
        self.ids, uniques = pd.factorize(key)
        self.count = len(uniques)
        self.order = np.argsort(self.ids, kind="stable")
        self.starts = np.searchsorted(self.ids[self.order], np.arange(self.count))
        self.first = self.order[self.starts]  # each group's first row (position)

    def sum(self, values) -> np.ndarray:
        """int64 sums per group (missing counts as 0)."""
        values = values.fillna(0).to_numpy(dtype=np.int64) if isinstance(values, pd.Series) else values
        return np.add.reduceat(values[self.order], self.starts) if self.count else np.zeros(0, dtype=np.int64)

    def min(self, values: pd.Series) -> np.ndarray:
        data = values.to_numpy()
        return np.minimum.reduceat(data[self.order], self.starts) if self.count else data[:0]

    def max(self, values: pd.Series) -> np.ndarray:
        data = values.to_numpy()
        return np.maximum.reduceat(data[self.order], self.starts) if self.count else data[:0]

    def size(self) -> np.ndarray:
        return np.diff(np.append(self.starts, len(self.ids)))

    def aggregate(self, frame: pd.DataFrame, keys: list[str], how: dict[str, str]) -> pd.DataFrame | None:
        """Like ``groupby(keys, sort=False, dropna=False).agg(how).reset_index()`` for sum/min/max/first;
        None when a min/max/first column has missing values (pandas skips those: let it do that case)."""
        out = frame[keys].iloc[self.first].reset_index(drop=True)
        for name, fn in how.items():
            column = frame[name]
            if fn == "sum":
                sums = self.sum(column)
                out[name] = pd.array(sums, dtype="Int64") if isinstance(column.dtype, pd.Int64Dtype) else sums
                continue
            if column.isna().any():
                return None
            if fn == "first":
                out[name] = column.iloc[self.first].reset_index(drop=True)
            else:
                values = self.min(column) if fn == "min" else self.max(column)
                out[name] = pd.Series(values, dtype=column.dtype)
        return out


class EntryBuilder:
    """Collects postings chunk by chunk (aggregated as they come for day/month) and makes the entries."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.parts: list[pd.DataFrame] = []
        self.fallbacks: dict[tuple[str, str], int] = {}  # (table, value) -> rows booked on the fallback
        self.zero_lines = 0  # lines of amount 0 (and no VAT amount) left out: counted, never silently gone
        self.vat_differences: list[str] = []  # given VAT more than a cent off gross x rate / (100 + rate)
        self._vat_notes: list[tuple[int, str]] = []  # (first row, text) of those, made in finish()
        self.files: list[Path] = []
        self.line_extras: pd.DataFrame | None = None  # the [extra] fields per line, made in finish()

    @property
    def merging(self) -> bool:
        return self.profile.aggregate != "none" or self.profile.merge_lines

    # -- postings ---------------------------------------------------------------------------------------
    def add(self, typed: pd.DataFrame, path: Path) -> None:
        if typed.empty:
            return
        if path not in self.files:
            self.files.append(path)
        file_nr = self.files.index(path)
        p = self.profile
        if self.merging:
            typed = self._prereduce(typed, path)
        journal = typed[p.journal_field] if p.journal_field else pd.Series(p.journal_id, index=typed.index)
        if (journal == "").any():
            i = int(np.argmax((journal == "").to_numpy()))
            raise KoppelError("journal is empty", file=path, line=int(typed[ROW].iloc[i]), field=p.journal_field)
        # what every posting of a row carries besides its own columns, given to _posting to take its rows of
        context = {
            "journal_id": journal.astype("string"),
            "_key": self._entry_key(typed, file_nr),
            "_date": typed["date"],
            **{f"g:{name}": typed[name] for name in p.group_by},
            **{name: typed[name] for name in typed.columns if name.startswith("extra:")},  # merging: counts
            "_file": np.full(len(typed), file_nr),
        }
        for idx, post in enumerate(p.postings):
            frame = self._posting(typed, idx, post, path, context)
            if frame is not None:
                self.parts.append(frame)  # merged once in finish(): the rows were summed already (_prereduce)

    def _key_fields(self) -> list[str]:
        """The fields that decide a posting's entry, account, VAT, text: rows equal in these can be summed."""
        p = self.profile
        fields = ["date", *p.group_by]
        if p.aggregate == "none" and "doc" in p.columns:
            fields.append("doc")
        if p.journal_field:
            fields.append(p.journal_field)
        for post in p.postings:
            fields += list(post.when)
            fields += [post.vat_rate] if post.vat_rate else []
            for ref in (post.account, post.vat_code, post.description, post.relation):
                if ref and ref.startswith("field:"):
                    fields.append(ref[6:])
                elif ref and ref.startswith("map:"):
                    parts = ref.split(":")
                    fields.append(parts[2] if len(parts) > 2 else parts[1])
        return list(dict.fromkeys(fields))

    def _prereduce(self, typed: pd.DataFrame, path: Path) -> pd.DataFrame:
        """Sum the money of rows that post alike, before any posting is made (vectorised, exact int64).

        A million till rows become a few thousand sums per day, store, category and method, so all later
        work is on those. ``_row`` keeps the first source row of each group for error messages.
        """
        p = self.profile
        for post in p.postings:  # a missing given VAT must be found before sums could hide it
            if post.vat_amount:
                mask = pd.Series(False, index=typed.index)
                for _, name in post.amount:
                    mask |= typed[name].notna().to_numpy()
                for name, values in post.when.items():
                    mask &= typed[name].str.casefold().isin([v.casefold() for v in values]).to_numpy()
                missing = mask & typed[post.vat_amount[0][1]].isna()
                if missing.any():
                    i = int(np.argmax(missing.to_numpy()))
                    raise KoppelError(
                        "the VAT amount is missing",
                        file=path,
                        line=int(typed[ROW].iloc[i]),
                        field=post.vat_amount[0][1],
                        hint="this posting takes VAT from the source",
                    )
        fields = self._key_fields()
        groups = Groups(typed, fields)
        out = typed.iloc[groups.first][[ROW, *fields]].reset_index(drop=True)
        for name in p.money:
            column = typed[name]
            sums = groups.sum(column)
            counts = groups.sum(column.notna().to_numpy().astype(np.int64))
            out[name] = pd.arrays.IntegerArray(np.where(counts == 0, 0, sums), counts == 0)
        for name in [c for c in typed.columns if str(c).startswith("extra:")]:
            column = typed[name]
            if pd.api.types.is_integer_dtype(column):  # already a count (arrow pre-aggregation)
                filled = column.to_numpy(dtype=np.int64)
            else:
                filled = (column.fillna("") != "").to_numpy().astype(np.int64)
            out[name] = groups.sum(filled)
        for name in [c for c in row_counts(p) if c in typed.columns]:
            out[name] = groups.sum(typed[name].to_numpy(dtype=np.int64))
        return out

    def _entry_key(self, typed: pd.DataFrame, file_nr: int) -> pd.Series:
        p = self.profile
        if p.aggregate == "none":
            row = typed[ROW].astype("string")
            if file_nr:
                row = f"{file_nr + 1}." + row
            if "doc" in p.columns:
                key = typed["doc"].astype("string")
                missing = key == ""
                if missing.any():
                    key = key.mask(missing, row)
            else:
                key = row
        else:
            fmt = "%Y%m%d" if p.aggregate == "day" else "%Y%m"
            codes, days = pd.factorize(typed["date"])  # format each distinct date once (NaT: code -1 -> <NA>)
            text = np.append(pd.Index(days).strftime(fmt).to_numpy(dtype=object), None)
            key = pd.Series(text[codes], index=typed.index, dtype="string")
        for name in p.group_by:
            key = key + "-" + typed[name].astype("string")
        return key

    def _posting(self, typed: pd.DataFrame, idx: int, post: Posting, path: Path, context: dict) -> pd.DataFrame | None:
        mask = pd.Series(True, index=typed.index)
        for name, values in post.when.items():
            mask &= typed[name].str.casefold().isin([v.casefold() for v in values]).to_numpy()
        present = pd.Series(False, index=typed.index)
        for _, name in post.amount:
            present |= typed[name].notna().to_numpy()
        mask &= present
        if not mask.any():
            return None
        sub = typed[mask.to_numpy()]
        amount = sum(sign * sub[name].fillna(0).astype("int64") for sign, name in post.amount)
        # the columns are collected first and made into a frame once (each column set on a frame costs more
        # than the few thousand summed rows here)
        frame: dict = {"_post": idx, "amount": amount.astype("int64"), ROW: sub[ROW]}
        frame["_bp"] = pd.Series(_missing_ints(len(sub)), index=sub.index)
        frame["_given"] = _missing_ints(len(sub))
        frame["_split"] = False
        frame["vat_code"] = self._ref(post.vat_code, sub) if post.vat_code else pd.Series("", index=sub.index)
        if post.vat_rate:
            frame["_bp"] = self._rates(sub, post.vat_rate, path)
            frame["_split"] = True
            frame["vat_code"] = frame["_bp"].map({bp: r.code for bp, r in self.profile.vat_rates.items()})
            if post.vat_amount:
                given = sum(sign * sub[name].astype("Int64") for sign, name in post.vat_amount)
                if given.isna().any():
                    i = int(np.argmax(given.isna().to_numpy()))
                    name = post.vat_amount[0][1]
                    raise KoppelError(
                        "the VAT amount is missing",
                        file=path,
                        line=int(sub[ROW].iloc[i]),
                        field=name,
                        hint="this posting takes VAT from the source; fill it in",
                    )
                frame["_given"] = given.astype("Int64")
        rows_column = f"{ROWS}:{idx}"
        source_rows = sub[rows_column].to_numpy() if rows_column in sub else np.ones(len(sub), dtype=np.int64)
        frame["account_id"] = self._account(post.account, sub, frame["_bp"], path, source_rows)
        frame["description"] = self._ref(post.description, sub) if post.description else ""
        frame["relation_id"] = self._ref(post.relation, sub) if post.relation else ""
        frame["doc_ref"] = sub.get("doc", "")
        for col in ("vat_code", "description", "relation_id", "doc_ref", "account_id"):
            values = frame[col]
            if isinstance(values, pd.Series):
                frame[col] = values.astype("string").fillna("")
            else:  # one text for every row
                frame[col] = pd.Series(values if values is not None else "", index=sub.index, dtype="string")
        rows = mask.to_numpy()
        frame |= {name: values[rows] for name, values in context.items()}
        return pd.DataFrame(frame, index=sub.index)

    @staticmethod
    def _ref(ref: str, sub: pd.DataFrame) -> pd.Series:
        if ref.startswith("field:"):
            return sub[ref[6:]].astype("string")
        return pd.Series(ref, index=sub.index, dtype="string")

    def _rates(self, sub: pd.DataFrame, name: str, path: Path) -> pd.Series:
        codes, uniques = pd.factorize(sub[name], use_na_sentinel=False)  # each distinct cell once
        text = pd.Series(uniques, dtype="string").str.replace("%", "", regex=False).str.strip()
        bp, bad = parse_cents_series(text, decimal_mark="." if not text.str.contains(",").any() else ",")
        bad |= bp.isna().to_numpy()
        unknown = (bad | ~bp.isin(list(self.profile.vat_rates)).fillna(False)).to_numpy()[codes]
        if unknown.any():
            i = int(np.argmax(unknown))
            known = ", ".join(format_rate_bp(b) for b in self.profile.vat_rates)
            raise KoppelError(
                f"VAT rate {sub[name].iloc[i]!r} is not in the profile",
                file=path,
                line=int(sub[ROW].iloc[i]),
                field=self.profile.columns[name].names[0],
                hint=f'rates with a VAT code and account: {known}; add [vat.rates."RATE"] to the profile',
            )
        return pd.Series(bp.astype("Int64").array.take(codes), index=sub.index)

    def _account(self, ref: str, sub: pd.DataFrame, bp: pd.Series, path: Path, source_rows: np.ndarray) -> pd.Series:
        """Each posting row's account; ``source_rows``: how many source rows each stands for (fallback counts)."""
        p = self.profile
        if ref.startswith("field:"):
            values = sub[ref[6:]].astype("string")
            if (values == "").any():
                i = int(np.argmax((values == "").to_numpy()))
                raise KoppelError(
                    "the account is empty", file=path, line=int(sub[ROW].iloc[i]), field=p.columns[ref[6:]].names[0]
                )
            return values
        if ref == "vat:revenue":
            revenue = {bp: r.revenue for bp, r in p.vat_rates.items()}
            values = bp.map(revenue)
            if values.isna().any():
                i = int(np.argmax(values.isna().to_numpy()))
                raise KoppelError(
                    f"no revenue account for VAT rate {format_rate_bp(int(bp.iloc[i]))}",
                    file=path,
                    line=int(sub[ROW].iloc[i]),
                    hint='set revenue = "8000" on the rate',
                )
            return values.astype("string")
        if ref.startswith("map:"):
            parts = ref.split(":")
            table_name = parts[1]
            field = parts[2] if len(parts) > 2 else table_name
            table = {k.casefold(): v for k, v in p.maps[table_name].items()}
            codes, uniques = pd.factorize(sub[field], use_na_sentinel=False)  # map each distinct cell once
            mapped = pd.Series(uniques, dtype="string").str.casefold().map(table).to_numpy(dtype=object)
            values = pd.Series(mapped[codes], index=sub.index)
            missing = values.isna()
            if missing.any():
                fallback = table.get("*")
                if fallback is None:
                    i = int(np.argmax(missing.to_numpy()))
                    raise KoppelError(
                        f"{sub[field].iloc[i]!r} is not in [map.{table_name}]",
                        file=path,
                        line=int(sub[ROW].iloc[i]),
                        field=p.columns[field].names[0],
                        hint=f'add it to [map.{table_name}], or a fallback "*" = "ACCOUNT" (reported)',
                    )
                unmapped = missing.to_numpy()
                per_value = pd.Series(source_rows[unmapped]).groupby(sub[field][unmapped].to_numpy()).sum()
                for value, count in per_value.items():
                    k = (table_name, str(value))
                    self.fallbacks[k] = self.fallbacks.get(k, 0) + int(count)
                values = values.fillna(fallback)
            return values.astype("string")
        return pd.Series(ref, index=sub.index, dtype="string")

    def _reduce(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Sum postings per entry x account x VAT code (day/month): memory follows entries, not rows."""
        keys = [*GROUP, *[c for c in frame.columns if c.startswith("g:")]]
        agg = {"amount": "sum", "_given": "sum", ROW: "min", "_date": "min", "_file": "min"}
        agg |= {c: "sum" for c in frame.columns if c.startswith("extra:")}
        out = Groups(frame, keys).aggregate(frame, keys, agg)
        return out if out is not None else frame.groupby(keys, dropna=False, sort=False).agg(agg).reset_index()

    # -- entries ----------------------------------------------------------------------------------------
    def finish(self, header: Header | None = None) -> Administration:
        p = self.profile
        adm = Administration(header=header or Header())
        if not self.parts:
            self._masters(adm, set(), set())
            return adm
        frame = pd.concat(self.parts, ignore_index=True)
        self.parts.clear()
        if self.merging:
            frame = self._reduce(frame)
            how = f"aggregated per {p.aggregate}" if p.aggregate != "none" else "lines merged per account"
            for c in [c for c in frame.columns if c.startswith("extra:")]:
                if int(frame[c].sum()):
                    adm.not_carried[f"extra field {c[6:]} (entries {how})"] = int(frame[c].sum())
                frame = frame.drop(columns=c)
        self._vat_notes.clear()
        sink = _LineSink(adm)
        if len(frame) <= RANGE_ROWS:
            frame = self._round(self._split_vat(frame))
            self._lines(frame, sink, self._numbers)
        else:
            self._finish_in_ranges(frame, sink)
        sink.close(self)
        self.vat_differences += [text for _, text in sorted(self._vat_notes, key=lambda note: note[0])]
        return adm

    def _finish_in_ranges(self, frame: pd.DataFrame, sink: _LineSink) -> None:
        """Make the lines of many postings (one entry per document) a range of whole entries at a time.

        Ranges follow the entries' final order (journal, key), so the lines, their order and every check come out
        as :meth:`finish` makes them in one go; besides the postings themselves, only the VAT split, rounding and
        lines of one range are held at once (they took about five copies of all postings). What needs all entries
        is done first: the balance check (the first unbalanced entry as :meth:`_round` finds it) and, for sequence
        numbers, the entries' dates (a first pass over the ranges); entry numbers are checked once, at the end.
        """
        frame["_pos"] = np.arange(len(frame))  # the order of first appearance, for the VAT notes
        entry = Groups(frame, ["journal_id", "_key"])
        self._check_balance(frame, entry)
        rank = np.empty(entry.count, dtype=np.int64)
        rank[_sort_order(frame.iloc[entry.first], ["journal_id", "_key"])] = np.arange(entry.count)
        sizes = np.bincount(rank[entry.ids], minlength=entry.count)  # rows per entry, in final order
        ends = np.cumsum(sizes)
        range_of_row = (ends // RANGE_ROWS)[rank][entry.ids]
        rows_by_range = np.argsort(range_of_row, kind="stable")  # within a range: original order
        pieces = np.split(rows_by_range, np.flatnonzero(np.diff(range_of_row[rows_by_range])) + 1)
        def made(rows: np.ndarray) -> pd.DataFrame:  # one range after the VAT split and rounding
            return self._round(self._split_vat(frame.iloc[rows].reset_index(drop=True)))

        numbers = self._numbers
        if self.profile.numbering == "sequence":
            dated = []
            for rows in pieces:
                _, _, entries, dates = self._entries_of(made(rows))
                dated.append(entries[["journal_id", "_key"]].assign(date=dates))
            self._vat_notes.clear()  # the second pass notes them again
            numbers = self._sequence_lookup(pd.concat(dated, ignore_index=True))
        for rows in pieces:
            self._lines(made(rows), sink, numbers)

    def _check_balance(self, frame: pd.DataFrame, entry: Groups) -> None:
        """Raise what :meth:`_round` raises for these postings, before any of them is made into lines.

        An entry's total does not change in the VAT split; :meth:`_round` sees the entries in order of first
        appearance after it: entries with a posting of no VAT split by their first such row, then the others by
        their first split row.
        """
        total = entry.sum(frame["amount"])
        too_big = (total != 0) & self._beyond_rounding(total)
        if not too_big.any():
            return
        split = frame["_split"].astype(bool).to_numpy()
        position = np.arange(len(frame))
        first_rest = entry.min(pd.Series(np.where(split, len(frame), position)))
        first_split = entry.min(pd.Series(np.where(split, position, len(frame))))
        order = np.where(first_rest < len(frame), first_rest, len(frame) + first_split)
        i = int(np.flatnonzero(too_big)[np.argmin(order[too_big])])
        journal, key = frame[["journal_id", "_key"]].iloc[entry.first[i]]
        self._unbalanced(frame, int(entry.first[i]), journal, key, int(total[i]), int(entry.min(frame["_file"])[i]),
                         int(entry.min(frame[ROW])[i]))  # fmt: skip

    def _beyond_rounding(self, total: np.ndarray) -> np.ndarray:
        """Entry totals off by more than the rounding line may take (any amount when there is no such account)."""
        p = self.profile
        return (np.abs(total) > p.rounding_tolerance) | (p.rounding_account is None)

    def _day_balances(self, frame: pd.DataFrame, journal, row: int) -> str:
        """The date of an unbalanced entry whose day balances as a whole (a journal export that groups entries by
        day, not by document: Asperion's own example), when entries are made per document; else ''."""
        if self.profile.aggregate != "none" or "_date" not in frame.columns:
            return ""
        date = frame["_date"].iloc[row]
        if pd.isna(date):
            return ""
        same = ((frame["journal_id"] == journal) & (frame["_date"] == date)).fillna(False).to_numpy(dtype=bool)
        return f"{date:%d-%m-%Y}" if int(frame["amount"].to_numpy()[same].sum()) == 0 else ""

    def _unbalanced(
        self, frame: pd.DataFrame, first: int, journal, key, total: int, file_nr: int, line: int
    ) -> NoReturn:
        """Refuse the entry whose first posting is row ``first`` of ``frame``; say so when its day balances."""
        p = self.profile
        day = self._day_balances(frame, journal, first)
        by_day = ""
        if day:
            by_day = f'; the rows of {day} balance together: one entry a day is [entries] aggregate = "day"'
            by_day += " (or --aggregate day)"
        raise KoppelError(
            f"entry {key} in journal {journal} does not balance: off by {format_cents(total)}",
            file=self.files[file_nr],
            line=line,
            hint=f"rounding tolerance is {format_cents(p.rounding_tolerance)} to account "
            f"{p.rounding_account or '(none)'}; check the rows of this entry, or set entries.rounding_account "
            f"and rounding_tolerance{by_day}",
        )

    def _split_vat(self, frame: pd.DataFrame) -> pd.DataFrame:
        split = frame["_split"].astype(bool).to_numpy()
        if not split.any():
            return frame
        rest = frame[~split]
        s = frame[split].reset_index(drop=True)
        keys = ["journal_id", "_key", "_post", "account_id", "_bp"]
        first = {c: "first" for c in s.columns if c not in (*keys, "amount", "_given", ROW, "_date")}
        how = {"amount": "sum", "_given": "sum", ROW: "min", "_date": "min", **first}
        summed = Groups(s, keys).aggregate(s, keys, how)
        s = summed if summed is not None else s.groupby(keys, dropna=False, sort=False).agg(how).reset_index()
        rate_keys = ["journal_id", "_key", "_bp"]
        rate = Groups(s, rate_keys)  # one VAT amount per entry and rate
        gross = s["amount"].to_numpy(dtype=np.int64)
        gross_rate = rate.sum(gross)[rate.ids]
        bp = s["_bp"].astype("int64").to_numpy()
        given_posts = {i for i, post in enumerate(self.profile.postings) if post.vat_amount}
        has_given = s["_post"].isin(given_posts).to_numpy()
        computed = half_up_div(gross_rate * bp, np.full(len(s), 10000) + bp)
        vat_rate_total = np.where(has_given, rate.sum(s["_given"])[rate.ids], computed)
        off = has_given & (np.abs(vat_rate_total - computed) > 1)  # the source's VAT is not this rate's VAT
        if off.any():  # noted with their first row, so that notes made a range at a time come out in that order
            notes = s.loc[off, ["_key", "_bp"]].assign(g=vat_rate_total[off], c=computed[off])
            notes["o"] = s.loc[off, "_pos"].to_numpy() if "_pos" in s else np.flatnonzero(off)
            for key, bp_off, given, own, first in notes.drop_duplicates(["_key", "_bp", "g", "c"]).to_numpy():
                text = (
                    f"entry {key}, rate {format_rate_bp(int(bp_off))}: source VAT {format_cents(int(given))}, "
                    f"computed {format_cents(int(own))}"
                )
                self._vat_notes.append((int(first), text))
        alone = rate.size()[rate.ids] == 1
        share = vat_rate_total.copy()
        shared = ~alone & (gross_rate != 0)
        if shared.any():
            share[shared] = half_up_div(
                vat_rate_total[shared].astype(object) * gross[shared].astype(object), gross_rate[shared]
            )
        share[~alone & (gross_rate == 0)] = 0
        residual = vat_rate_total - rate.sum(share)[rate.ids]
        # the residual cent(s) go to the line with the largest gross of its rate (the first such line on a tie)
        by_size = np.lexsort((np.arange(len(s)), -np.abs(gross), rate.ids))
        largest = by_size[np.searchsorted(rate.ids[by_size], np.arange(rate.count))]
        share[largest] += residual[largest]
        s["amount"] = gross - share
        s["vat_amount"] = share
        rates = self.profile.vat_rates
        vat = s[rate_keys].iloc[rate.first].reset_index(drop=True)
        vat["amount"] = rate.sum(share)
        vat["_post"] = rate.max(s["_post"])
        vat[ROW] = rate.min(s[ROW])
        vat["_date"] = pd.Series(rate.min(s["_date"]), dtype=s["_date"].dtype)
        vat["_file"] = rate.min(s["_file"])
        for c in [c for c in s.columns if c.startswith("g:")]:
            vat[c] = s[c].iloc[rate.first].reset_index(drop=True)
        vat["account_id"] = vat["_bp"].map({b: r.account for b, r in rates.items()}).astype("string")
        vat["vat_code"] = vat["_bp"].map({b: r.code for b, r in rates.items()}).astype("string")
        labels = {b: "BTW " + format_rate_bp(int(b)).rstrip("0").rstrip(".") + "%" for b in vat["_bp"].unique()}
        vat["description"] = vat["_bp"].map(labels).astype("string")
        vat["relation_id"] = ""
        vat["doc_ref"] = ""
        vat["_post"] = vat["_post"] + 0.5
        vat = vat[vat["amount"] != 0]  # a 0% rate has no VAT line; its revenue lines still carry the code
        return pd.concat([rest, s, vat], ignore_index=True)

    def _round(self, frame: pd.DataFrame) -> pd.DataFrame:
        p = self.profile
        keys = ["journal_id", "_key"]
        entry = Groups(frame, keys)
        total = entry.sum(frame["amount"])
        off = np.flatnonzero(total != 0)  # entries in order of first appearance
        if not len(off):
            return frame
        too_big = off[self._beyond_rounding(total[off])]
        if len(too_big):
            i = too_big[0]
            journal, key = frame[keys].iloc[entry.first[i]]
            total_i, file_nr, line = int(total[i]), int(entry.min(frame["_file"])[i]), int(entry.min(frame[ROW])[i])
            self._unbalanced(frame, int(entry.first[i]), journal, key, total_i, file_nr, line)
        lines = frame.iloc[entry.first[off]].reset_index(drop=True)
        lines["amount"] = -total[off]
        lines["account_id"] = p.rounding_account
        lines["description"] = "Afrondingsverschil"
        lines["vat_code"] = ""
        lines["_bp"] = _missing_ints(len(lines))
        lines["relation_id"] = ""
        lines["doc_ref"] = ""
        lines["_post"] = 1e9
        if "vat_amount" in lines:
            lines["vat_amount"] = pd.NA
        return pd.concat([frame, lines], ignore_index=True)

    def _entries_of(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, Groups, pd.DataFrame, pd.Series]:
        """Whole entries (after the VAT split and rounding) as their lines will be: without zero lines, in order;
        with each line's entry, each entry's first line and its date."""
        frame = frame[~_zero_lines(frame)]
        frame = frame.iloc[_sort_order(frame, ["journal_id", "_key", "_post", "account_id"])].reset_index(drop=True)
        entry = Groups(frame, ["journal_id", "_key"])  # entries in order, each line knows its entry (ids)
        dates = pd.Series(entry.min(frame["_date"]), dtype=frame["_date"].dtype)  # an entry's first day
        if self.profile.aggregate == "month":
            dates = (dates + pd.offsets.MonthEnd(0)).astype("datetime64[s]")
        entries = frame.iloc[entry.first]
        dates.index = entries.index
        return frame, entry, entries, dates

    def _lines(self, frame: pd.DataFrame, sink: _LineSink, numbers) -> None:
        """The canonical lines of whole entries (after the VAT split and rounding), given to ``sink``;
        ``numbers(entries, dates)`` gives each entry its number."""
        self.zero_lines += int(_zero_lines(frame).sum())
        frame, entry, entries, dates = self._entries_of(frame)
        line_nr = np.empty(len(frame), dtype=np.int64)
        line_nr[entry.order] = np.arange(len(frame)) - np.repeat(entry.starts, entry.size())
        frame["line_nr"] = pd.Series(line_nr + 1, index=frame.index).astype("string")
        descriptions = self._descriptions(entries, dates).to_numpy()[entry.ids]
        entry_numbers = numbers(entries, dates)
        numbered = entry_numbers.to_numpy()[entry.ids]
        periods = dates.dt.month.astype("string").array.take(entry.ids)
        doc_ref = frame["doc_ref"] if "doc_ref" in frame else pd.Series("", index=frame.index, dtype="string")
        lines = pd.DataFrame(
            {
                "journal_id": frame["journal_id"],
                "entry_nr": pd.Series(numbered, index=frame.index, dtype="string"),
                "line_nr": frame["line_nr"],
                "date": pd.Series(dates.to_numpy()[entry.ids], index=frame.index),
                "period": pd.Series(periods, index=frame.index),
                "entry_description": pd.Series(descriptions, index=frame.index, dtype="string"),
                "account_id": frame["account_id"],
                "amount": frame["amount"].astype("int64"),
                "description": frame["description"],
                "relation_id": frame["relation_id"].replace("", pd.NA),
                "doc_ref": doc_ref.fillna("").mask(doc_ref.fillna("") == "", frame["_key"]),
                "vat_code": frame["vat_code"].replace("", pd.NA),
                "vat_rate": frame["_bp"].astype("Int64"),
                "vat_amount": frame["vat_amount"].astype("Int64") if "vat_amount" in frame else pd.NA,
                "currency": pd.NA,  # amounts are in the administration currency (header); no foreign amount
            }
        )
        lines = conform("lines", lines)
        extras = [c for c in frame.columns if c.startswith("extra:")]
        table = None
        if extras:
            table = frame[["journal_id", "line_nr", *extras]].assign(entry_nr=lines["entry_nr"])
            table = table.rename(columns={c: c[6:] for c in extras}).astype("string")
        numbered_entries = entries[["journal_id", "_key"]].assign(number=entry_numbers)
        sink.add(lines, entry.count, table, numbered_entries)  # each entry is one (journal, key) group: no recount

    def _sequence_lookup(self, dated: pd.DataFrame):
        """``numbers`` for :meth:`_lines` from every entry's journal, key and date: 1, 2, 3 ... per journal in date
        order, as :meth:`_numbers` gives them when it sees all entries at once."""
        sequence = self._sequence(dated["journal_id"], dated["date"], dated["_key"])
        by_entry = pd.Series(sequence.to_numpy(), index=pd.MultiIndex.from_frame(dated[["journal_id", "_key"]]))

        def numbers(entries: pd.DataFrame, dates: pd.Series) -> pd.Series:
            found = by_entry.reindex(pd.MultiIndex.from_frame(entries[["journal_id", "_key"]])).to_numpy()
            return pd.Series(found, index=entries.index, dtype="string")

        return numbers

    def _numbers(self, entries: pd.DataFrame, dates: pd.Series) -> pd.Series:
        """Entry numbers, one per row of ``entries``: the source key, its digits, a date number, or a sequence per
        journal (see README)."""
        p = self.profile
        how = p.numbering
        if how == "source":
            numbers = entries["_key"]
        elif how == "digits":
            numbers = entries["_key"].str.replace(r"\D", "", regex=True)
        elif how == "date":
            numbers = _date_text(dates, "%y%m%d" if p.aggregate != "month" else "%Y%m")
            for name in p.group_by:
                numbers = numbers + entries[f"g:{name}"].astype("string")
        else:  # sequence: 1, 2, 3 ... per journal in date order, from entries.first_number
            numbers = self._sequence(entries["journal_id"], dates, entries["_key"])
        return numbers

    def _sequence(self, journals: pd.Series, dates: pd.Series, keys: pd.Series) -> pd.Series:
        order = pd.DataFrame({"j": journals, "d": dates, "k": keys}).sort_values(["j", "d", "k"], kind="stable")
        seq = order.groupby("j", sort=False).cumcount() + self.profile.first_number
        return seq.reindex(journals.index).astype("string")

    def _check_numbers(self, numbered: pd.DataFrame) -> None:
        """Every entry's number (``numbered``: journal_id, _key, number, in entry order) is digits (unless taken
        from the source) and unique within its journal."""
        how = self.profile.numbering
        numbers = numbered["number"]
        bad = ~numbers.str.fullmatch(r"\d+").fillna(False) if how != "source" else numbers == ""
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise KoppelError(
                f"entry {numbered['_key'].iloc[i]!r} gives no {how} entry number ({numbers.iloc[i]!r})",
                file=self.profile.path,
                field="entries.numbering",
                hint='use numbering = "sequence" or "source", or group_by fields that hold digits',
            )
        clash = numbered[["journal_id", "number"]].duplicated()
        if clash.any():
            i = int(np.argmax(clash.to_numpy()))
            raise KoppelError(
                f"two entries get number {numbers.iloc[i]} in journal {numbered['journal_id'].iloc[i]}",
                file=self.profile.path,
                field="entries.numbering",
                hint='use numbering = "sequence" (with first_number) or "source"',
            )

    def _descriptions(self, entries: pd.DataFrame, dates: pd.Series) -> pd.Series:
        """Entry descriptions, one per row of ``entries``, from the profile's template, built column-wise."""
        p = self.profile
        template = (
            p.entry_description
            or {"none": "{doc}", "day": "{journal} {date}", "month": "{journal} {month}"}[p.aggregate]
        )
        values = {  # made when the template asks for them
            "date": lambda: _date_text(dates, "%Y-%m-%d"),
            "month": lambda: _date_text(dates, "%Y-%m"),
            "doc": lambda: entries["_key"],
            "journal": lambda: entries["journal_id"],
            "description": lambda: entries["description"],
        }
        values |= {c[2:]: (lambda c=c: entries[c]) for c in entries.columns if str(c).startswith("g:")}
        text = pd.Series("", index=entries.index, dtype="string")
        for literal, name, _spec, _conv in string.Formatter().parse(template):
            text = text + literal
            if name is not None:
                if name not in values:
                    raise KoppelError(
                        f"unknown field {{{name}}} in entries.description",
                        file=p.path,
                        hint=f"use {', '.join('{' + k + '}' for k in values)}",
                    )
                text = text + values[name]().astype("string").fillna("")
        return text.str.slice(0, 200)

    def _masters(self, adm: Administration, accounts: set, journals: set) -> None:
        """Accounts, VAT codes and journals of the lines (``accounts``, ``journals``: the ids they use)."""
        p = self.profile
        used = sorted(accounts | set(p.accounts))
        adm.accounts = make_table(
            "accounts",
            {
                "account_id": used,
                "name": [p.accounts.get(a, {}).get("name") for a in used],
                "kind": [p.accounts.get(a, {}).get("kind") for a in used],
            },
            n=len(used),
        )
        rates = list(p.vat_rates.values())
        adm.vat_codes = make_table(
            "vat_codes",
            {
                "vat_code": [r.code for r in rates],
                "description": [f"BTW {format_rate_bp(r.bp)}%" for r in rates],
                "pay_account": [r.account for r in rates],
                "claim_account": [None] * len(rates),
            },
            n=len(rates),
        )
        journals = sorted(journals) if journals else [p.journal_id or ""]
        adm.journals = make_table(
            "journals",
            {
                "journal_id": journals,
                "description": [p.journal_description] * len(journals),
                "kind": [p.journal_kind] * len(journals),
            },
            n=len(journals),
        )
