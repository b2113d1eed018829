"""Read ERP/POS/shop/bank exports through a source profile into an Administration of balanced entries.

``read_source(path, profile=...)`` takes one file or a folder of exports (read in name order). Rows are
identified by a stable id (a column such as Stripe's ``balance_transaction_id``, else a hash of the row's
cells plus its occurrence number within the file), so a row seen in an earlier file of the same run is a
duplicate of an overlapping export: skipped and counted, never booked twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import KoppelError
from ..model import Administration, Header
from ..money import parse_cents_arrow_plain
from ..read_result import ReadResult
from .entries import ROWS, ROWS_WITH_MONEY, EntryBuilder, row_counts
from .fields import resolve_columns, typed_chunk
from .profile import ENCODINGS, Profile, load_profile
from .table import ROW, NotPlain, csv_head, read_csv_blocks, read_csv_chunks, read_raw

SUFFIXES = {
    "csv": (".csv", ".txt", ".tsv"),
    "xlsx": (".xlsx", ".xlsm"),
    "mt940": (".sta", ".mt940", ".940", ".txt", ".swi", ".mta"),  # .swi: Rabobank, .mta: ING
    "camt053": (".xml", ".053"),
}


def source_files(path: Path, profile: Profile) -> list[Path]:
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES[profile.dialect.format]
        )
        if not files:
            raise KoppelError(f"no {profile.dialect.format} files in this folder", file=path)
        return files
    if not path.is_file():
        raise KoppelError("file not found", file=path)
    return [path]


class _Seen:
    """Row ids of the files read so far in this run, plus per-file occurrence counters."""

    def __init__(self) -> None:
        self.earlier = pd.Index([], dtype="uint64")
        self.current: list[np.ndarray] = []
        self.counts = pd.Series(dtype="int64")

    def next_file(self) -> None:
        if self.current:
            self.earlier = self.earlier.append(pd.Index(np.concatenate(self.current)))
        self.current = []
        self.counts = pd.Series(dtype="int64")

    def ids(self, raw: pd.DataFrame, columns: list[str], id_column: str | None) -> np.ndarray:
        if id_column is not None:
            return pd.util.hash_pandas_object(raw[id_column].str.strip(), index=False).to_numpy()
        content = pd.util.hash_pandas_object(raw[columns], index=False).to_numpy()
        h = pd.Series(content)
        occurrence = (
            h.groupby(h, sort=False).cumcount().to_numpy() + h.map(self.counts).fillna(0).astype("int64").to_numpy()
        )
        self.counts = self.counts.add(h.value_counts(), fill_value=0).astype("int64")
        return pd.util.hash_array(content ^ (occurrence.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)))

    def duplicate(self, ids: np.ndarray) -> np.ndarray:
        self.current.append(ids)
        if len(self.earlier) == 0:
            return np.zeros(len(ids), dtype=bool)
        return pd.Index(ids).isin(self.earlier)


BLOCK_BYTES = 16 << 20  # a CSV is parsed in pieces of this size (the memory of the Arrow path follows it)
SPLIT_ROWS = 200_000  # a chunk of at least this many rows is summed in two halves, one per worker thread
MAX_PARTIALS = 8  # partial sums kept before they are summed together (memory follows distinct keys)
LEFT_OUT_WHY = "left out by the source profile's rules (see what); not an error"


def _is_totals(raw: pd.DataFrame, first_column: str, labels: list[str]) -> pd.Series:
    first = raw[first_column].fillna("").str.strip().str.casefold()
    mask = pd.Series(False, index=raw.index)
    for label in labels:
        mask |= first.str.startswith(label.casefold()).to_numpy()
    return mask


def _check_currency(typed: pd.DataFrame, prof: Profile, colmap: dict, file: Path) -> None:
    """Amounts are in the administration currency; a row in another currency needs converting first."""
    if "currency" not in typed:
        return
    other = (typed["currency"].str.upper() != prof.currency.upper()) & (typed["currency"] != "")
    if other.any():
        i = int(np.argmax(other.to_numpy()))
        raise KoppelError(
            f"amount in {typed['currency'].iloc[i]!r}, not {prof.currency}",
            file=file,
            line=int(typed[ROW].iloc[i]),
            field=colmap.get("currency") or "currency",
            hint="this profile books one currency; convert foreign-currency rows first or split the export",
        )


def _extra_fields(colmap: dict) -> list[str]:
    """The extra fields (``extra:NAME``) of the column map."""
    return [name for name in colmap if name.startswith("extra:")]


def _arrow_keys(prof: Profile, colmap: dict, builder: EntryBuilder) -> list[str]:
    """The source columns whose cells decide a posting: rows equal in these are summed."""
    fields = builder._key_fields() + list(prof.only_when)
    fields += ["currency"] if "currency" in prof.columns else []
    fields += [prof.direction["field"]] if prof.direction else []
    return list(dict.fromkeys(colmap[f] for f in fields if colmap.get(f)))


def _arrow_columns(prof: Profile, colmap: dict, columns: list[str], keys: list[str]) -> list[str]:
    """The columns the Arrow path reads: keys, money, extras and (for totals rows) the first column."""
    money = [colmap[name] for name in prof.money if colmap.get(name)]
    extras = [colmap[name] for name in _extra_fields(colmap)]
    first = columns[:1] if prof.dialect.totals_rows else []
    wanted = set(first + keys + money + extras)
    return [c for c in columns if c in wanted]


def _arrow_part(table: pa.Table, prof: Profile, colmap: dict, columns: list[str], keys: list[str]):
    """One chunk's sums per key combination: (partial table, rows, totals rows), or None for an unusual amount.

    The partial has the key columns, ``_row`` (first row), ``m:NAME``/``c:NAME`` (sum and count of each
    money field) and ``extra:NAME`` (non-empty cells); partials of several chunks add up (:func:`_arrow_sum`).
    """
    totals = 0
    if prof.dialect.totals_rows and columns:
        first = table[columns[0]]
        mask = None
        for label in prof.dialect.totals_rows:
            hit = pc.starts_with(first, label, ignore_case=True)
            mask = hit if mask is None else pc.or_(mask, hit)
        totals = pc.sum(mask).as_py() or 0
        if totals:
            table = table.filter(pc.invert(mask))
    arrays = {c: table[c] for c in keys}
    arrays[ROW] = table[ROW]
    aggs = [(ROW, "min")]
    presence: dict[str, np.ndarray] = {}
    for name in prof.money:
        column = colmap.get(name)
        if column is None:
            continue
        result = parse_cents_arrow_plain(
            table[column], decimal_mark=prof.dialect.decimal_mark, thousands=prof.dialect.thousands
        )
        if result is None:
            return None
        cents, present = result
        presence[name] = present
        arrays[f"m:{name}"] = pa.array(cents, mask=~present)
        arrays[f"c:{name}"] = pa.array(present.astype(np.int64))
        aggs += [(f"m:{name}", "sum"), (f"c:{name}", "sum")]
    # how many source rows each sum stands for, so that the report counts rows, not sums
    for fields in dict.fromkeys(row_counts(prof).values()):
        column = _count_column(fields)
        if column not in arrays:
            arrays[column] = pa.array(_any_present(fields, presence, table.num_rows).astype(np.int64))
            aggs.append((column, "sum"))
    for name in _extra_fields(colmap):
        filled = pc.not_equal(pc.utf8_trim_whitespace(table[colmap[name]]), "")
        arrays[name] = pc.cast(filled, pa.int64())
        aggs.append((name, "sum"))
    return _arrow_sum(pa.table(arrays), keys, aggs), table.num_rows, totals


def _arrow_sum(table: pa.Table, keys: list[str], aggs: list[tuple[str, str]]) -> pa.Table:
    """Group by the keys and aggregate, keeping each column's own name (so partials can be summed again)."""
    grouped = table.group_by(keys, use_threads=False).aggregate(aggs)
    return grouped.rename_columns([name if name in keys else name.rsplit("_", 1)[0] for name in grouped.column_names])


def _arrow_reduce_file(chunks, prof: Profile, colmap: dict, columns: list[str], keys: list[str], counts) -> tuple:
    """Sum a file's rows per distinct combination of the cells that decide a posting, in pyarrow.

    Each chunk is summed in halves by two worker threads (pyarrow works without the GIL), after it is read
    (the CSV parser uses every core itself); the partial sums are summed again at the end, so the result does
    not depend on the chunk size. Memory follows the chunk and the number of distinct combinations, not the
    file. Returns (frame of text cells + ``_row`` in file order, parsed money/extra counts), or None when a
    money cell is not a plain amount (then the row-wise path reads the file and names the bad cell).
    """
    from concurrent.futures import ThreadPoolExecutor

    partials: list[pa.Table] = []
    rows = totals = 0
    failed = False
    aggs: list[tuple[str, str]] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for table in chunks:
            half = table.num_rows // 2 if table.num_rows >= SPLIT_ROWS else table.num_rows
            pieces = (table.slice(0, half), table.slice(half)) if half < table.num_rows else (table,)
            for result in pool.map(lambda piece: _arrow_part(piece, prof, colmap, columns, keys), pieces):
                if result is None:
                    failed = True
                    continue
                part, n, t = result
                rows, totals = rows + n, totals + t
                partials.append(part)
                aggs = [(c, "min" if c == ROW else "sum") for c in part.column_names if c not in keys]
            if failed:
                break
            if len(partials) > MAX_PARTIALS:  # keep memory to the distinct combinations
                partials[:] = [_arrow_sum(pa.concat_tables(partials), keys, aggs)]
    if failed:
        return None
    counts["rows"] += rows
    counts["totals"] += totals
    if not partials:
        return pd.DataFrame(columns=[*columns, ROW], dtype="string"), None
    grouped = _arrow_sum(pa.concat_tables(partials), keys, aggs) if len(partials) > 1 else partials[0]
    return summed_rows(grouped, prof, colmap, keys)


def summed_rows(grouped: pa.Table, prof: Profile, colmap: dict, keys: list[str]) -> tuple[pd.DataFrame, dict]:
    """The sums per key combination as the row-wise path takes them: (text cells + ``_row`` in file order, parsed
    money, extra and row counts). ``grouped``: the key columns, ``_row`` (first row), ``m:NAME``/``c:NAME`` per
    money field, ``extra:NAME`` and the row-count columns (see :func:`_arrow_part`)."""
    money = [name for name in prof.money if colmap.get(name)]
    extras = _extra_fields(colmap)
    frame = grouped.to_pandas(types_mapper=lambda t: pd.StringDtype() if t == pa.string() else None)
    raw = frame[keys].copy()
    for column in set(c for c in colmap.values() if c) - set(keys):
        raw[column] = pd.Series("", index=raw.index, dtype="string")
    raw[ROW] = frame[ROW].to_numpy()
    order = np.argsort(raw[ROW].to_numpy(), kind="stable")  # keep file order for stable entries
    raw = raw.iloc[order].reset_index(drop=True)
    frame = frame.iloc[order].reset_index(drop=True)
    parsed: dict[str, pd.Series] = {}
    for name in money:
        count = frame[f"c:{name}"].to_numpy()
        parsed[name] = pd.Series(
            pd.arrays.IntegerArray(frame[f"m:{name}"].fillna(0).to_numpy(np.int64), count == 0)
        )
    for post in prof.postings:  # a row without its given VAT must stay visible after summing
        if post.vat_amount and post.vat_amount[0][1] in parsed:
            vat = frame[f"c:{post.vat_amount[0][1]}"].to_numpy()
            amount = np.max([frame[f"c:{n}"].to_numpy() for _, n in post.amount if n in money], axis=0)
            parsed[post.vat_amount[0][1]] = parsed[post.vat_amount[0][1]].mask(vat < amount)
    for name in extras:
        parsed[name] = frame[name].astype("int64")
    for name, fields in row_counts(prof).items():
        parsed[name] = pd.Series(frame[_count_column(fields)].to_numpy(np.int64))
    return raw, parsed


def _count_column(fields: tuple[str, ...]) -> str:
    """The partial-sum column holding a row count: the money count ``c:NAME`` of one field is reused."""
    return f"c:{fields[0]}" if len(fields) == 1 else "n:" + "|".join(fields)


def _any_present(fields: tuple[str, ...], presence: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Rows with an amount in any of ``fields`` (every row for ``()``; a field not in the file has none)."""
    if not fields:
        return np.ones(n, dtype=bool)
    return np.logical_or.reduce([presence.get(f, np.zeros(n, dtype=bool)) for f in fields])


def _source_rows(typed: pd.DataFrame, prof: Profile, parsed: dict | None) -> tuple[pd.DataFrame, int]:
    """The source-row counts of each typed row (summed rows stand for many) and the rows without amounts.

    Adds the counts of rows with an amount and with each posting's amount (see :func:`row_counts`) to ``typed``;
    rows without any amount are counted and dropped (a shop's further line-item rows: nothing to post). The Arrow
    path brings the counts summed in ``parsed``; a row read as it is counts 0 or 1.
    """
    fields_of = row_counts(prof)
    if parsed is not None and ROWS in parsed:
        counts = {name: parsed[name].to_numpy() for name in fields_of}
    else:
        presence = {name: typed[name].notna().to_numpy() for name in prof.money}
        counts = {name: _any_present(f, presence, len(typed)).astype(np.int64) for name, f in fields_of.items()}
    without = int((counts[ROWS] - counts[ROWS_WITH_MONEY]).sum())
    for name, values in counts.items():
        if name != ROWS:
            typed[name] = values
    return typed[counts[ROWS_WITH_MONEY] > 0], without


def _until_mask(dates: pd.Series, until: dt.date, aggregate: str) -> pd.Series:
    limit = pd.Timestamp(until)
    if aggregate == "month":
        return (dates + pd.offsets.MonthEnd(0)) > limit
    return dates > limit


def read_source(
    path: str | Path,
    *,
    profile: str | Path | Profile,
    until: str | dt.date | None = None,
    aggregate: str | None = None,
    encoding: str | None = None,
    progress=None,
    want_row_ids: bool = False,
    skip_row_ids: Iterable[str] | None = None,
    **_options,
) -> Administration:
    """Read one export (or a folder of them) into balanced entries as the profile says."""
    return read_export(
        path,
        profile=profile,
        until=until,
        aggregate=aggregate,
        encoding=encoding,
        progress=progress,
        want_row_ids=want_row_ids,
        skip_row_ids=skip_row_ids,
    ).adm


def read_export(
    path: str | Path,
    *,
    profile: str | Path | Profile,
    until: str | dt.date | None = None,
    aggregate: str | None = None,
    encoding: str | None = None,
    progress=None,
    want_row_ids: bool = False,
    skip_row_ids: Iterable[str] | None = None,
    **_options,
) -> ReadResult:
    """Read one export as :func:`read_source` does, with the row ids beside the Administration.

    Row ids (a profile's ``[row_id]``) de-duplicate overlapping exports across runs: with ``want_row_ids``
    the result carries ``row_ids`` (str, one per source row it booked); rows whose id is in
    ``skip_row_ids`` (booked by an earlier input) are left out before aggregating and counted in
    ``rows_skipped``. A profile without ``[row_id]`` gives no ids: its rows cannot be recognised again.
    """
    path = Path(path)
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    if aggregate:
        if aggregate not in ("none", "day", "month"):
            raise KoppelError(f"unknown aggregation {aggregate!r}", hint="use none, day or month")
        prof.aggregate = aggregate
    if encoding:
        if encoding.lower() not in ENCODINGS:
            raise KoppelError(f"unsupported encoding {encoding!r}", hint="use utf-8, cp1252, latin-1, utf-16 or utf-32")
        prof.dialect.encoding = ENCODINGS[encoding.lower()]
    if isinstance(until, str):
        from ..dates import parse_user_date

        until = parse_user_date(until, field="--until")
    builder = EntryBuilder(prof)
    seen = _Seen()
    counts = {"rows": 0, "totals": 0, "duplicates": 0, "held_closed": 0, "held_until": 0, "no_amounts": 0,
              "booked_before": 0}  # fmt: skip
    tracking = bool(want_row_ids or skip_row_ids) and bool(prof.row_id_field or prof.row_id_fields)
    skip = pd.Index(list(skip_row_ids or ()), dtype="string")
    booked: list[np.ndarray] = []
    files = source_files(path, prof)
    for file in files:
        seen.next_file()
        # the Arrow fast path sums rows before they have ids: not used when row ids are tracked
        arrow = builder.merging and len(files) == 1 and prof.dialect.format == "csv" and not tracking
        reduced = None
        if arrow:
            head = csv_head(file, prof.dialect)
            colmap = resolve_columns(prof, head.columns, file, head.header_row)
            keys = _arrow_keys(prof, colmap, builder)
            include = _arrow_columns(prof, colmap, head.columns, keys)
            raw_table = None
            if not head.quoted:  # every line break ends a row: parse blocks of the file on all cores
                try:
                    blocks = read_csv_blocks(file, prof.dialect, head, include, block_size=BLOCK_BYTES)
                    reduced = _arrow_reduce_file(blocks.chunks, prof, colmap, head.columns, keys, counts)
                    raw_table = blocks
                except NotPlain:  # a row with a wrong cell count, say: the streaming reader reports it in order
                    pass
            if raw_table is None:
                raw_table = read_csv_chunks(file, prof.dialect, arrow=True, head=head, include=include)
                reduced = _arrow_reduce_file(raw_table.chunks, prof, colmap, raw_table.columns, keys, counts)
            if reduced is None:  # an unusual amount cell: the row-wise path reads the file and names it
                raw_table = read_csv_chunks(file, prof.dialect, head=head)
        else:
            raw_table = read_raw(file, prof.dialect)
            colmap = resolve_columns(prof, raw_table.columns, file, raw_table.header_row)
        id_column = colmap.get(prof.row_id_field) if prof.row_id_field else None
        id_columns = [colmap[f] for f in prof.row_id_fields if colmap.get(f)] or raw_table.columns
        date_formats: dict[str, str] = {}
        for raw in [reduced[0]] if reduced is not None else raw_table.chunks:
            parsed = reduced[1] if reduced is not None else None
            if parsed is None and prof.dialect.totals_rows and raw_table.columns:
                totals = _is_totals(raw, raw_table.columns[0], prof.dialect.totals_rows)
                counts["totals"] += int(totals.sum())
                raw = raw[~totals.to_numpy()]
            if raw.empty:
                continue
            if parsed is None:
                counts["rows"] += len(raw)
            ids = seen.ids(raw, id_columns, id_column) if len(files) > 1 or tracking else None
            dup = seen.duplicate(ids) if len(files) > 1 else np.zeros(0, bool)
            if dup.any():
                counts["duplicates"] += int(dup.sum())
                raw, ids = raw[~dup], ids[~dup]
            row_ids = None
            if tracking:
                # the row hashes as decimal text (stable across runs: the same row gives the same id)
                row_ids = pd.Series(ids.astype(np.uint64).astype(str), index=raw.index, dtype="string")
                before = row_ids.isin(skip).to_numpy()
                if before.any():
                    counts["booked_before"] += int(before.sum())
                    raw, row_ids = raw[~before], row_ids[~before]
            typed = typed_chunk(raw, prof, colmap, date_formats, file, parsed)
            typed, without = _source_rows(typed, prof, parsed)
            counts["no_amounts"] += without
            _check_currency(typed, prof, colmap, file)
            keep = pd.Series(True, index=typed.index)
            for name, values in prof.only_when.items():
                keep &= typed[name].str.casefold().isin([v.casefold() for v in values]).to_numpy()
            rows_of = typed[ROWS_WITH_MONEY].to_numpy()
            counts["held_closed"] += int(rows_of[~keep.to_numpy()].sum())
            if until is not None:
                late = _until_mask(typed["date"], until, prof.aggregate) & keep
                counts["held_until"] += int(rows_of[late.to_numpy()].sum())
                keep &= ~late
            missing_date = typed["date"].isna() & keep
            if missing_date.any():
                i = int(np.argmax(missing_date.to_numpy()))
                raise KoppelError(
                    "the date is empty", file=file, line=int(typed[ROW].iloc[i]), field=colmap.get("date") or "date"
                )
            builder.add(typed[keep.to_numpy()], file)
            if row_ids is not None:  # booked: the rows that made it into entries (held-back rows come again)
                booked.append(row_ids.loc[typed.index[keep.to_numpy()]].to_numpy(dtype=object))
        for number, text in raw_table.skipped_rows:
            label = text.strip().strip('"').casefold()
            if any(label.startswith(t.casefold()) for t in prof.dialect.totals_rows):
                counts["totals"] += 1
                continue
            raise KoppelError(
                f"row has a different number of cells than the header: {text[:80]!r}",
                file=file,
                line=number if number > 0 else None,
                hint="check the delimiter and quote of the profile",
            )
    header = Header(
        company_name=None,
        currency=prof.currency,
        software=f"koppel source profile {prof.name}",
        source_format="profile",
        source_version=prof.name,
        encoding=prof.dialect.encoding if prof.dialect.format == "csv" else None,
        date_created=dt.date.today().isoformat(),
    )
    adm = builder.finish(header)
    dates = [(b["date"].min(), b["date"].max()) for b in adm.lines.batches()]
    if dates:
        adm.header.start_date = f"{min(d[0] for d in dates):%Y-%m-%d}"
        adm.header.end_date = f"{max(d[1] for d in dates):%Y-%m-%d}"
        adm.header.fiscal_year = adm.header.start_date[:4]
    def left_out(what: str, n: int) -> None:
        if n:
            adm.not_carried[what] = n
            adm.not_carried_why[what] = LEFT_OUT_WHY

    left_out("rows already in an earlier file (duplicates, skipped)", counts["duplicates"])
    left_out("rows booked before by an earlier input (row id, skipped)", counts["booked_before"])
    result = ReadResult(adm, path)
    if tracking:
        result.row_ids = tuple(np.concatenate(booked).tolist()) if booked else ()
        result.rows_skipped = counts["booked_before"]
    left_out("totals rows of the export (skipped)", counts["totals"])
    if counts["held_closed"]:
        what = ", ".join(f"{k} not {'/'.join(v)}" for k, v in prof.only_when.items())
        left_out(f"rows held back: {what}", counts["held_closed"])
    left_out(f"rows held back: period not closed by {until}", counts["held_until"])
    if builder.zero_lines:
        what = "lines of amount 0 (nothing to post, not written)"
        adm.not_carried[what] = builder.zero_lines
        adm.not_carried_why[what] = "a line without money changes no balance; the source rows are in 'rows read'"
    report = [
        {"item": "files", "count": len(files), "detail": ", ".join(f.name for f in files)},
        {"item": "rows read", "count": counts["rows"], "detail": ""},
        {"item": "rows without amounts (nothing to post)", "count": counts["no_amounts"], "detail": ""},
        {"item": "lines of amount 0 (not written)", "count": builder.zero_lines, "detail": ""},
    ]
    for (table, value), n in sorted(builder.fallbacks.items()):
        report.append({"item": f"fallback account of [map.{table}]", "count": n, "detail": value})
    for text in builder.vat_differences:
        report.append({"item": "VAT of the source differs from its rate (booked as given)", "count": 1, "detail": text})
    result.extras["source_report"] = pd.DataFrame(report, columns=["item", "count", "detail"])
    if builder.line_extras is not None:
        result.extras["lines"] = builder.line_extras
    return result
