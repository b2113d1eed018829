"""What a descriptor column can carry (``source``), computed per batch without per-row Python.

Each source yields a pandas Series: strings for code/text columns, int64 cents (nullable) for money,
datetime64 for dates. ``=VALUE`` is a literal. The reader inverts the same names (:mod:`.reader`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import KoppelError
from ..kinds import require_account_kinds

KIND_NL = {"customer": "Debiteur", "supplier": "Crediteur", "both": "Beide", "other": "Overig"}
ACCOUNT_KIND_NL = {"B": "Balans", "P": "Winst en verlies", "M": "Gemengd"}
JOURNAL_TYPES = {"S": "V", "P": "I", "B": "B", "C": "K"}  # XAF jrnTp -> Exact dagb_type (formats.md §3.1)

LINE_COLUMNS = (
    "journal_id",
    "entry_nr",
    "line_nr",
    "period",
    "entry_description",
    "account_id",
    "description",
    "relation_id",
    "doc_ref",
    "invoice_ref",
    "vat_code",
    "currency",
    "cost_center",
    "cost_unit",
    "project",
    "quantity",
    "bank_account",
    "date",
    "due_date",
    "effective_date",
    "amount",
    "vat_amount",
)


@dataclass
class Context:
    """What line sources need besides the batch itself."""

    relation_kind: dict[str, str] = field(default_factory=dict)  # mapped relation id -> kind
    journal_kind: dict[str, str] = field(default_factory=dict)  # mapped journal id -> XAF jrnTp
    journal_types: bool = False  # Minox: map jrnTp to dagb_type instead of M for everything
    mixed_kind: str | None = None  # B or P for XAF "M" accounts
    target: str = "this target"  # named in refusals
    account_functions: dict[str, str] = field(default_factory=dict)  # account kind -> target's function number
    account_names: dict[str, str] = field(default_factory=dict)  # mapped account id -> its name
    running: int = 0  # running line number across a file
    periods_from_date: int = 0  # lines whose missing period was taken from the month of their date


def fast_map(values: pd.Series, table: dict) -> pd.Series:
    """``values.map(table)`` by distinct value (ids repeat a lot in lines)."""
    codes, uniques = pd.factorize(values)
    found = (table.get(u) for u in uniques)
    mapped = np.array([*(None if v is None or v is pd.NA or v != v else v for v in found), None], dtype=object)
    return pd.Series(mapped[np.where(codes < 0, len(uniques), codes)], index=values.index, dtype=object)


def date_text(values: pd.Series, fmt: str) -> pd.Series:
    """strftime by distinct day."""
    codes, uniques = pd.factorize(values)
    texts = np.array([*pd.DatetimeIndex(uniques).strftime(fmt), None], dtype=object)
    return pd.Series(texts[np.where(codes < 0, len(uniques), codes)], index=values.index, dtype="string")


def _customer_side(frame: pd.DataFrame, ctx: Context) -> pd.Series:
    kinds = fast_map(frame["relation_id"], ctx.relation_kind)
    return pd.Series(kinds.to_numpy() != "supplier", index=frame.index)


def line_source(name: str, frame: pd.DataFrame, ctx: Context, starts: np.ndarray) -> pd.Series:
    """Values of source ``name`` for every row of a lines batch."""
    n = len(frame)
    if name.startswith("="):
        return pd.Series([name[1:]] * n, dtype="string", index=frame.index)
    if name == "period" or name in ("year_period", "period2"):
        period = frame["period"]
        missing = period.isna() & frame["date"].notna()
        if missing.any():
            ctx.periods_from_date += int(missing.sum())
            period = period.where(~missing, frame["date"].dt.month.astype("Int64").astype("string"))
        frame = frame.assign(period=period)
    if name in LINE_COLUMNS:
        return frame[name]
    if name == "text":
        return frame["description"].fillna(frame["entry_description"])
    if name == "debit":
        return frame["amount"].where(frame["amount"] > 0).astype("Int64")
    if name == "credit":
        return (-frame["amount"]).where(frame["amount"] < 0).astype("Int64")
    if name == "vat_amount_abs":
        return frame["vat_amount"].abs()
    if name in ("line_seq", "running"):
        positions = np.arange(n, dtype=np.int64)
        if name == "running":
            return pd.Series(positions + ctx.running + 1, index=frame.index)
        entry_start = np.repeat(starts, np.diff(np.append(starts, n)))
        return pd.Series(positions - entry_start + 1, index=frame.index)
    if name == "journal_type":
        if not ctx.journal_types:
            return pd.Series(["M"] * n, dtype="string", index=frame.index)
        kinds = fast_map(fast_map(frame["journal_id"], ctx.journal_kind), JOURNAL_TYPES)
        return kinds.fillna("M").astype("string")
    if name == "journal_upper":
        return frame["journal_id"].str.upper()
    if name == "year2":
        return date_text(frame["date"], "%y")
    if name in ("year_period", "period2"):
        period = frame["period"].fillna("")
        bad = ~period.str.fullmatch(r"\d{1,2}")
        if bad.any():
            row = frame.loc[bad].iloc[0]
            raise KoppelError(
                f"entry {row['journal_id']}/{row['entry_nr']}: period {row['period']!r} is not a number of 1-2 digits",
                field="period",
                hint="this target numbers periods 00-99; fix the period in the source",
            )
        padded = period.str.zfill(2)
        if name == "period2":
            return padded.astype("string")
        return (date_text(frame["date"], "%y") + padded).astype("string")
    if name == "relation_customer":
        return frame["relation_id"].where(_customer_side(frame, ctx))
    if name == "relation_supplier":
        return frame["relation_id"].where(~_customer_side(frame, ctx))
    if name == "invoice_customer":
        return frame["invoice_ref"].where(_customer_side(frame, ctx))
    if name == "invoice_supplier":
        return frame["invoice_ref"].where(~_customer_side(frame, ctx))
    if name == "payment_days":
        days = (frame["due_date"] - frame["date"]).dt.days
        return days.astype("Int64")
    if name == "account_name":  # for packages that want the account's name on every line (e.g. to create it)
        return fast_map(frame["account_id"], ctx.account_names).astype("string")
    if name == "entry_text":  # a description of the entry as a whole: its own, else journal and number
        fallback = (frame["journal_id"].fillna("") + " " + frame["entry_nr"].fillna("")).str.strip()
        own = frame["entry_description"].astype("string")
        return own.mask(own.str.strip() == "").fillna(fallback).astype("string")
    raise KeyError(f"unknown line source {name!r}")


def relation_source(name: str, frame: pd.DataFrame, ctx: Context) -> pd.Series:
    """Values of source ``name`` for every row of a (mapped) relations table."""
    n = len(frame)
    if name.startswith("="):
        return pd.Series([name[1:]] * n, dtype="string", index=frame.index)
    if name in frame.columns:
        return frame[name]
    if name == "address":
        street, nr, addition = frame["street"], frame["house_nr"], frame["house_nr_addition"]
        both = (street.fillna("") + " " + nr.fillna("") + " " + addition.fillna("")).str.strip()
        both = both.str.replace(r"\s+", " ", regex=True)
        return both.where(both != "").astype("string")
    if name == "postcode_city":
        joined = (frame["postal_code"].fillna("") + " " + frame["city"].fillna("")).str.strip()
        return joined.where(joined != "").astype("string")
    if name == "kind_nl":
        return frame["kind"].map(KIND_NL).astype("string")
    if name == "kvk_digits":  # a KvK number written with spaces or dots: the digits are the number
        digits = frame["kvk"].astype("string").str.replace(r"\D", "", regex=True)
        return digits.where(digits != "").astype("string")
    if name == "search_code":  # a short search key: the name in capitals without spaces, else the code
        key = frame["name"].astype("string").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True).str[:10]
        return key.where(key.fillna("") != "", frame["relation_id"].astype("string").str[:10]).astype("string")
    raise KeyError(f"unknown relation source {name!r}")


def account_source(name: str, frame: pd.DataFrame, ctx: Context) -> pd.Series:
    """Values of source ``name`` for every row of a (mapped) accounts table."""
    n = len(frame)
    if name.startswith("="):
        return pd.Series([name[1:]] * n, dtype="string", index=frame.index)
    if name in frame.columns:
        return frame[name]
    if name == "kind_nl":
        return frame["kind"].map(ACCOUNT_KIND_NL).astype("string")
    if name == "kind_bp":
        require_account_kinds(frame, ctx.target)  # missing or unknown: stated in [account_kinds], never guessed
        kind = frame["kind"].astype("string")
        mixed = kind == "M"
        if mixed.any():
            if ctx.mixed_kind not in ("B", "P"):
                row = frame.loc[mixed.fillna(False)].iloc[0]
                raise KoppelError(
                    f"account {row['account_id']!r} is of kind M (mixed); this target needs B or P",
                    field="kind",
                    hint="choose with --option mixed_kind=B (or P), or fix the account in the source",
                )
            kind = kind.where(~mixed.fillna(False), ctx.mixed_kind)
        return kind
    if name == "account_function":  # the target's function number for the account's kind ([account_functions])
        kinds = frame["kind"].astype("string")
        return pd.Series([ctx.account_functions.get(k) or None if isinstance(k, str) else None for k in kinds],
                         index=frame.index, dtype="string")  # fmt: skip
    raise KeyError(f"unknown account source {name!r}")


def source_function(content: str):
    if content in ("entries", "opening"):
        return line_source
    if content in ("debtors", "creditors", "relations"):
        return relation_source
    return account_source
