"""Money is int64 cents, signed, debit positive. Parsed and formatted here, and nowhere else."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .errors import KoppelError

# An amount as written in a file: optional sign, digits, optional point and decimals. No grouping,
# no exponent, no spaces inside. Surrounding white space is tolerated (XML may indent text).
_AMOUNT = re.compile(r"\s*([+-]?)(\d+)(?:\.(\d*))?\s*\Z")
_AMOUNT_COMMA = re.compile(r"\s*([+-]?)(\d+)(?:,(\d*))?\s*\Z")


def parse_cents(text: str | None, *, decimal_mark: str = ".", field: str | None = None) -> int:
    """Parse an exact decimal amount into integer cents; more than two significant decimals is an error."""
    if text is None:
        raise KoppelError("amount is missing", field=field, hint="write an amount such as 12.50")
    match = (_AMOUNT if decimal_mark == "." else _AMOUNT_COMMA).match(text)
    if match is None:
        raise KoppelError(
            f"not an amount: {text.strip()!r}", field=field, hint="use digits with a decimal point, e.g. 1234.50"
        )
    sign, whole, frac = match.groups()
    frac = frac or ""
    if len(frac) > 2:
        if frac[2:].strip("0"):
            raise KoppelError(
                f"amount {text.strip()!r} has more than two decimals",
                field=field,
                hint="round to cents in the source, or set a rounding rule in the profile",
            )
        frac = frac[:2]
    cents = int(whole) * 100 + int((frac + "00")[:2])
    return -cents if sign == "-" else cents


def format_cents(cents: int, *, decimal_mark: str = ".", thousands: str = "") -> str:
    """Format integer cents as a decimal string with two decimals: -123456 -> '-1234.56'.

    ``thousands`` groups the whole part for display: ``format_cents(123456, decimal_mark=",", thousands=".")``
    -> '1.234,56'.
    """
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    digits = f"{whole:,}".replace(",", thousands) if thousands else str(whole)
    return f"{sign}{digits}{decimal_mark}{frac:02d}"


def format_cents_series(values: pd.Series, *, decimal_mark: str = ".") -> pd.Series:
    """Vectorised :func:`format_cents` for a column of int64 cents (missing values become '')."""
    mask = values.isna()
    cents = values.fillna(0).astype("int64").to_numpy()
    whole = np.abs(cents) // 100
    frac = np.abs(cents) % 100
    sign = np.where(cents < 0, "-", "")
    text = pd.Series(sign, index=values.index, dtype=object) + pd.Series(whole, index=values.index).astype(str)
    text = text + decimal_mark + pd.Series(frac, index=values.index).astype(str).str.zfill(2)
    text[mask.to_numpy()] = ""
    return text


def parse_rate_bp(text: str | None, *, field: str | None = None) -> int | None:
    """Parse a percentage such as '21.000' into basis points (2100); None when empty."""
    if text is None or not text.strip():
        return None
    match = _AMOUNT.match(text)
    if match is None:
        raise KoppelError(f"not a percentage: {text.strip()!r}", field=field, hint="write e.g. 21 or 21.00")
    sign, whole, frac = match.groups()
    frac = (frac or "").rstrip("0")
    if len(frac) > 2:
        raise KoppelError(f"percentage {text.strip()!r} has more than two decimals", field=field)
    bp = int(whole) * 100 + int((frac + "00")[:2])
    return -bp if sign == "-" else bp


def format_rate_bp(bp: int) -> str:
    """Basis points as a percentage string: 2100 -> '21.00'."""
    return format_cents(bp)


def amount_pattern(decimal_mark: str = ".", thousands: str = "") -> str:
    """The regular expression of an amount cell: sign before or after, optional €, optional grouping."""
    dec = re.escape(decimal_mark)
    whole = r"\d+"
    if thousands:
        whole = rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+"
    return rf"^([+-]?)\s*(?:€\s*)?([+-]?)({whole})(?:{dec}(\d*))?\s*(-?)$"


_SCALE = np.array([100, 10, 1], dtype=np.int64)


def _plain_cents(text, decimal_mark: str, thousands: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Fast path for the usual cells (``-1234.5``, ``1.234,56``): all parsed in pyarrow, or None.

    ``text`` is a pandas Series or a pyarrow string array without nulls; returns (cents, present). The cents
    come from the digits and the position of the decimal mark (integer arithmetic, no float). None when a
    cell is not plain, or an amount would not fit int64 cents: the row-wise path then names it.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = text if isinstance(text, pa.Array) else pa.array(text.to_numpy(dtype=object), type=pa.string())
    dec = re.escape(decimal_mark)
    whole = rf"\d{{1,3}}(?:{re.escape(thousands)}\d{{3}}){{1,4}}|\d{{1,15}}" if thousands else r"\d{1,15}"
    plain = pc.match_substring_regex(arr, rf"^-?(?:{whole})(?:{dec}\d{{1,2}})?$")
    empty = pc.equal(arr, "")
    if not pc.all(pc.or_(plain, empty)).as_py():
        return None
    if thousands:
        arr = pc.replace_substring(arr, thousands, "")
    at = np.asarray(pc.find_substring(arr, decimal_mark).to_numpy(zero_copy_only=False), dtype=np.int64)
    length = np.asarray(pc.binary_length(arr).to_numpy(zero_copy_only=False), dtype=np.int64)
    decimals = np.where(at < 0, 0, length - at - 1)  # 0, 1 or 2 (checked above; digits are ASCII)
    digits = pc.if_else(empty, "0", pc.replace_substring(arr, decimal_mark, ""))
    try:
        value = np.asarray(pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    except pa.ArrowInvalid:  # more digits than int64 holds
        return None
    if len(value) and np.abs(value).max() > np.iinfo(np.int64).max // 100:
        return None
    return value * _SCALE[decimals], ~np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool)


def parse_cents_arrow_plain(column, *, decimal_mark: str = ".", thousands: str = ""):
    """Arrow column of amount cells -> (int64 cents, present) numpy arrays, or None if a cell is unusual.

    Each distinct cell is parsed once (dictionary-encoded); exact, never via float. ``None`` means: use
    :func:`parse_cents_series`, which names the bad cell.
    """
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)  # cells with spaces are not plain: the row-wise path strips them
    if hasattr(encoded, "combine_chunks"):
        encoded = encoded.combine_chunks()
    fast = _plain_cents(encoded.dictionary, decimal_mark, thousands)
    if fast is None:
        return None
    cents, present = fast
    index = encoded.indices.to_numpy(zero_copy_only=False)
    return cents[index], present[index]


def parse_cents_series(
    values: pd.Series, *, decimal_mark: str = ".", thousands: str = ""
) -> tuple[pd.Series, pd.Series]:
    """Vectorised exact parse of amount cells into nullable ``Int64`` cents (never via float).

    Accepts a sign before or after the number (``12,50-`` as some Dutch exports write), an optional ``€``,
    grouping with ``thousands`` in groups of three, and ``decimal_mark``. Empty cells are missing (``<NA>``).
    Returns ``(cents, bad)``: ``bad`` marks non-empty cells that are not amounts or carry more than two
    non-zero decimals; their cents are ``<NA>``. Distinct values are parsed once (amounts repeat a lot).
    """
    codes, uniques = pd.factorize(values.astype("string").str.strip(), use_na_sentinel=True)
    text = pd.Series(uniques, dtype="string")
    fast = _plain_cents(text, decimal_mark, thousands)
    if fast is not None:
        cents, ok = fast
        data = cents[np.where(codes >= 0, codes, 0)] if len(text) else np.zeros(len(values), dtype=np.int64)
        missing = (codes < 0) | ~ok[np.where(codes >= 0, codes, 0)] if len(text) else codes < 0
        out = pd.Series(pd.arrays.IntegerArray(np.where(missing, 0, data), missing), index=values.index)
        return out, pd.Series(np.zeros(len(values), dtype=bool), index=values.index)
    parts = text.str.extract(amount_pattern(decimal_mark, thousands))
    sign1, sign2, whole, frac, sign3 = (parts[i] for i in range(5))
    empty = text == ""
    bad = whole.isna() & ~empty
    frac = frac.fillna("")
    bad |= frac.str.slice(2).str.contains("[1-9]", regex=True).fillna(False)
    signs = (sign1.fillna("") + sign2.fillna("") + sign3.fillna("")).str.len()
    bad |= signs > 1
    if thousands:
        whole = whole.str.replace(thousands, "", regex=False)
    bad |= (whole.str.len() > 15).fillna(False)  # more than a trillion euros: a misread column, not an amount
    ok = ~bad & ~empty
    cents = np.zeros(len(text), dtype=np.int64)
    if ok.any():
        w = whole[ok].astype("int64").to_numpy()
        f = (frac[ok] + "00").str.slice(0, 2).astype("int64").to_numpy()
        negative = ((sign1[ok] == "-") | (sign2[ok] == "-") | (sign3[ok] == "-")).fillna(False).to_numpy()
        cents[ok.to_numpy()] = np.where(negative, -(w * 100 + f), w * 100 + f)
    present = codes >= 0
    take = np.where(present, codes, 0)
    missing = ~present | ~ok.to_numpy()[take] if len(text) else ~present
    data = cents[take] if len(text) else np.zeros(len(values), dtype=np.int64)
    out = pd.Series(pd.arrays.IntegerArray(np.where(missing, 0, data), missing), index=values.index)
    bad_rows = np.zeros(len(values), dtype=bool)
    bad_rows[present] = bad.to_numpy()[codes[present]]
    return out, pd.Series(bad_rows, index=values.index)


def format_cents_arrow(cents, *, decimal_mark: str = ".", integer: bool = False):
    """Vectorised formatting into a pyarrow string array: '-1234.56' (or '-123456' with ``integer``).

    ``cents`` is anything numpy can read as int64; ``None``/NaN positions given as a mask become null.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(cents, dtype=np.int64)
    if integer:
        return pc.cast(pa.array(values), pa.string())
    absolute = np.abs(values)
    whole = pc.cast(pa.array(absolute // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(absolute % 100), pa.string()), 2, "0")
    sign = pa.array(np.where(values < 0, "-", ""))
    return pc.binary_join_element_wise(pc.binary_join_element_wise(sign, whole, ""), frac, decimal_mark)


_ARROW_AMOUNT = {".": r"^-?\d+\.\d\d$", ",": r"^-?\d+,\d\d$"}


def parse_cents_arrow(values, *, decimal_mark: str = ".", integer: bool = False, field: str | None = None):
    """Parse a pyarrow/pandas column of amount strings (no nulls) into int64 cents, exactly.

    The usual form ('-1234.56', or '-123456' cents with ``integer``) is parsed vectorised; any other value
    goes through :func:`parse_cents`, whose KoppelError names the value. Returns an int64 numpy array.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values, type=pa.string()) if not isinstance(values, pa.Array | pa.ChunkedArray) else values
    if integer:
        ok = pc.match_substring_regex(arr, r"^-?\d+$")
        if pc.all(ok).as_py() is not False:
            return pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False)
    else:
        ok = pc.match_substring_regex(arr, _ARROW_AMOUNT.get(decimal_mark, _ARROW_AMOUNT["."]))
        if pc.all(ok).as_py() is not False:
            digits = pc.replace_substring(arr, decimal_mark, "")
            return pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)
    out = []
    for text in arr.to_pylist():
        if integer:
            if text is None or not re.fullmatch(r"\s*[+-]?\d+\s*", text):
                raise KoppelError(f"not an amount in cents: {text!r}", field=field, hint="whole cents, e.g. -1250")
            out.append(int(text))
        else:
            out.append(parse_cents(text, decimal_mark=decimal_mark, field=field))
    return np.asarray(out, dtype=np.int64)
