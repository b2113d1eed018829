"""From raw text cells to typed canonical fields: columns found by header, dates per column, exact money.

Everything is vectorised over a chunk. A cell that does not parse is a KoppelError naming file, row and column.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import KoppelError
from ..money import parse_cents_series
from .profile import Profile
from .table import ROW

# formats tried for a date column without a format; ambiguity (03/04) between them is an error
DATE_CANDIDATES = (
    "%Y-%m-%d",
    "%Y%m%d",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%m-%y",
    "%d/%m/%y",
    "%m/%d/%y",
)
_HUMAN = (("YYYY", "%Y"), ("JJJJ", "%Y"), ("YY", "%y"), ("JJ", "%y"), ("MM", "%m"), ("DD", "%d"))
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def strptime_format(fmt: str) -> str:
    """Accept both ``%d-%m-%Y`` and the human ``DD-MM-YYYY`` (``JJJJ`` for Dutch profiles)."""
    if "%" in fmt:
        return fmt
    for human, code in _HUMAN:
        fmt = fmt.replace(human, code)
    return fmt


def header_key(name: str) -> str:
    """A header name as profiles match it: without case, spaces or a byte-order mark ("Naam/Omschrijving",
    "NAAM / OMSCHRIJVING" and "Naam / Omschrijving" are one column; so are "MutatieSoort" and "Mutatiesoort")."""
    return "".join(name.replace("\ufeff", "").split()).casefold()


def resolve_columns(profile: Profile, columns: list[str], path: Path, header_row: int) -> dict[str, str | None]:
    """Field -> source column (the first of the profile's header names present, compared by :func:`header_key`)."""
    by_key = {header_key(c): c for c in columns}
    out: dict[str, str | None] = {}
    for name, col in profile.columns.items():
        found = next((by_key[header_key(n)] for n in col.names if header_key(n) in by_key), None)
        if found is None and col.required and col.default is None:
            hint = f"columns in the file: {', '.join(columns[:30])}; fix [columns] in profile {profile.name}"
            other = next((d for d in ("\t", ";", ",", "|") if len(columns) == 1 and d in columns[0]), None)
            if other is not None:  # one column holding the others: the file is separated by another character
                what, toml = ("tabs", "\\t") if other == "\t" else (repr(other), other)
                hint = f'the header is one column with {what} in it: set delimiter = "{toml}" in [dialect]'
            raise KoppelError(
                f"no column {' or '.join(repr(n) for n in col.names)} for field {name!r}",
                file=path,
                line=header_row,
                field=name,
                hint=hint,
            )
        out[name] = found
    for name, column in profile.extra.items():
        if header_key(column) not in by_key:
            raise KoppelError(f"no column {column!r} for extra field {name!r}", file=path, line=header_row, field=name)
        out[f"extra:{name}"] = by_key[header_key(column)]
    return out


def infer_date_format(
    values: pd.Series,
    field: str,
    column: str,
    path: Path,
    rows: pd.Series,
    candidates: tuple[str, ...] | list[str] = DATE_CANDIDATES,
) -> str:
    """The one format of ``candidates`` that reads every value; several that disagree (03/04/2024) is an error."""
    uniques = pd.Series(values[values != ""].unique(), dtype="string")
    if uniques.empty:
        return candidates[0] if candidates is not DATE_CANDIDATES else "%Y-%m-%d"
    fits = {}
    for fmt in candidates:
        parsed = pd.to_datetime(uniques, format=fmt, errors="coerce")
        if parsed.notna().all():
            fits[fmt] = parsed
    if not fits:
        if candidates is not DATE_CANDIDATES:  # the profile's list: name a value the best of them cannot read
            readings = {fmt: pd.to_datetime(uniques, format=fmt, errors="coerce") for fmt in candidates}
            best = max(candidates, key=lambda fmt: int(readings[fmt].notna().sum()))
            example = uniques[readings[best].isna().to_numpy()].iloc[0]
            raise KoppelError(
                f"not a date in format {best}: {example!r} (the profile allows {' or '.join(candidates)}, "
                "one of them per file)",
                file=path,
                line=int(rows[values == example].iloc[0]),
                field=column,
                hint="fix the cell, or the formats under [dates] in the profile",
            )
        first = uniques.iloc[0]
        raise KoppelError(
            f"cannot tell the date format of {first!r}",
            file=path,
            line=int(rows[values == first].iloc[0]),
            field=column,
            hint=f'give it in the profile: [dates] {field} = "%d-%m-%Y" (strptime codes or DD-MM-YYYY)',
        )
    readings = list(fits.items())
    base_fmt, base = readings[0]
    for fmt, parsed in readings[1:]:
        differ = (parsed != base).to_numpy()
        if differ.any():
            example = uniques[differ].iloc[0]
            raise KoppelError(
                f"ambiguous dates: {example!r} reads as {base[differ].iloc[0]:%Y-%m-%d} with {base_fmt} "
                f"and as {parsed[differ].iloc[0]:%Y-%m-%d} with {fmt}",
                file=path,
                line=int(rows[values == example].iloc[0]),
                field=column,
                hint=f'say which in the profile: [dates] {field} = "{base_fmt}" or "{fmt}"',
            )
    return base_fmt


def parse_dates(values: pd.Series, fmt: str, column: str, path: Path, rows: pd.Series) -> pd.Series:
    """Dates (date part only) of a column in one format; ISO dates are always accepted as well."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype="string")
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    iso = text.str.match(_ISO.pattern).fillna(False)
    if fmt != "%Y-%m-%d" and iso.any():
        parsed = parsed.where(~iso, pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce"))
    bad = (parsed.isna() & (text != "")).to_numpy()
    if bad.any():
        example = text[bad].iloc[0]
        raise KoppelError(
            f"not a date in format {fmt}: {example!r}",
            file=path,
            line=int(rows[(values == example).fillna(False)].iloc[0]),
            field=column,
            hint="fix the cell, or the format under [dates] in the profile",
        )
    result = parsed.dt.normalize().astype("datetime64[s]").to_numpy()
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[s]")
    present = codes >= 0
    out[present] = result[codes[present]]
    return pd.Series(out, index=values.index)


def date_part(values: pd.Series) -> pd.Series:
    """Drop a time of day (``2024-03-01 10:15:00 +0100`` -> ``2024-03-01``): the local business date."""
    if values.str.contains(r"\d[ T]\d", regex=True).any():
        return values.str.split(r"[ T]", n=1, regex=True).str[0]
    return values


def typed_chunk(
    raw: pd.DataFrame,
    profile: Profile,
    colmap: dict[str, str | None],
    date_formats: dict[str, str],
    path: Path,
    parsed: dict[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """One chunk as typed fields: text fields (stripped), dates, money in cents (sign applied), ``_row``."""
    rows = raw[ROW]
    out = pd.DataFrame({ROW: rows.to_numpy()}, index=raw.index)
    for name, col in profile.columns.items():
        column = colmap[name]
        values = raw[column].str.strip() if column is not None else pd.Series("", index=raw.index, dtype="string")
        if col.pattern:
            extracted = values.str.extract(col.pattern, expand=False)
            values = (extracted if isinstance(extracted, pd.Series) else extracted.iloc[:, 0]).fillna("")
        if col.default is not None:
            values = values.mask(values == "", col.default)
        if col.upper:
            values = values.str.upper()
        out[name] = values.astype("string")
    for name, column in colmap.items():
        if name.startswith("extra:"):
            out[name] = parsed[name] if parsed and name in parsed else raw[column].str.strip().astype("string")
    for name in profile.dates:
        column = colmap[name] or name
        values = date_part(out[name])
        if name not in date_formats:
            given = profile.dates[name]
            if isinstance(given, list):
                given_formats = [strptime_format(f) for f in given]
                date_formats[name] = infer_date_format(values, name, column, path, rows, given_formats)
            else:
                date_formats[name] = (
                    strptime_format(given) if given else infer_date_format(values, name, column, path, rows)
                )
        out[name] = parse_dates(values, date_formats[name], column, path, rows)
    decimal, thousands = profile.dialect.decimal_mark, profile.dialect.thousands
    for name in profile.money:
        if parsed and name in parsed:  # summed already (arrow pre-aggregation)
            out[name] = parsed[name]
            continue
        cents, bad = parse_cents_series(out[name], decimal_mark=decimal, thousands=thousands)
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            grouping = f" and thousands separator {thousands!r}" if thousands else ""
            raise KoppelError(
                f"not an amount: {out[name].iloc[i]!r}",
                file=path,
                line=int(rows.iloc[i]),
                field=colmap[name] or name,
                hint=f"the profile expects decimal mark {decimal!r}{grouping}, at most two decimals",
            )
        out[name] = cents
    if profile.direction:
        _apply_direction(out, profile, colmap, path)
    return out


def _apply_direction(out: pd.DataFrame, profile: Profile, colmap: dict[str, str | None], path: Path) -> None:
    spec = profile.direction
    flag = out[spec["field"]].str.casefold()
    negative = flag.isin([v.casefold() for v in spec["negative"]])
    if spec["positive"]:
        known = negative | flag.isin([v.casefold() for v in spec["positive"]])
        if not known.all():
            i = int(np.argmax(~known.to_numpy()))
            raise KoppelError(
                f"unknown direction {out[spec['field']].iloc[i]!r}",
                file=path,
                line=int(out[ROW].iloc[i]),
                field=colmap[spec["field"]] or spec["field"],
                hint=f"expected one of {', '.join(spec['negative'] + spec['positive'])}",
            )
    for name in spec["fields"]:
        out[name] = out[name].where(~negative.to_numpy(), -out[name])
