"""One generic reader for the delimited package layouts: the same descriptors, read backwards.

Input is the output folder of a target (every file of its layout found by name) or one file (recognised by
name, otherwise taken as the entries file). Lines stream in record batches; the opening-balance file becomes
the opening entries (``opening_source = "period0"``), so converting package to package writes it once.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import KoppelError
from ..identity import as_read
from ..model import DATE, Administration, Header, conform
from ..money import parse_cents_arrow
from .descriptor import FileLayout, TargetLayout, load_target
from .sources import ACCOUNT_KIND_NL, KIND_NL

# Arrow's streaming CSV reader holds several blocks in flight (read-ahead and parsing): its transient
# memory is about 10-15x the block size. 4 MB keeps reading fast; the read-back proof, which runs while
# the writer's own memory is still held, uses 1 MB (about 0.2 s slower on 1.2M lines, 150 MB less peak).
BLOCK = 4 << 20
# Arrow's streaming CSV reader holds a few dozen blocks ahead: 1 MB blocks took the read-back of a 1.2M-line
# Minox file from 181 to 227 MB (the peak of the whole conversion); 256 KB blocks hold ~40 MB less for +0.25 s.
READ_BACK_BLOCK = 256 << 10
DIRECT = {
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
}
_POSTCODE_CITY = r"^(\d{4}\s?[A-Za-z]{2})\s+(.*)$"


def find_files(layout: TargetLayout, path: Path) -> tuple[dict[str, Path], str | None]:
    """Files of the layout in a folder (or the one file given), and the administration name in their names."""
    found: dict[str, Path] = {}
    admin = None
    candidates = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for f in layout.files:
        pattern = f.name.format(admin="*")
        hits = [p for p in candidates if fnmatch.fnmatch(p.name, pattern)]
        if len(hits) > 1:
            raise KoppelError(
                f"several files look like {f.title!r}: {', '.join(h.name for h in hits)}",
                file=path,
                hint="keep one administration per folder",
            )
        if hits:
            found[f.id] = hits[0]
            prefix = f.name.split("{admin}")[0]
            suffix = f.name.split("{admin}")[-1]
            admin = admin or hits[0].name[len(prefix) : len(hits[0].name) - len(suffix)]
    if not found and path.is_file():
        entries = layout.for_content("entries")
        if entries:
            found[entries[0].id] = path
    if not found:
        names = ", ".join(f.name.format(admin="*") for f in layout.files)
        raise KoppelError(f"no {layout.title} files here", file=path, hint=f"expected names like {names}")
    return found, admin


def _csv_batches(
    f: FileLayout, path: Path, columns: list[str] | None = None, binary: tuple[str, ...] = (), block: int = BLOCK
):
    """Record batches of strings; ``binary`` columns stay bytes (no transcoding: fast read-back).

    An empty file holds no records (Arrow would call it an error)."""
    if path.stat().st_size == 0:
        return
    d = f.dialect
    names = [c.name for c in f.columns]
    encoding = "utf8" if binary else d.encoding
    read = pacsv.ReadOptions(column_names=names, skip_rows=1 if d.header else 0, encoding=encoding, block_size=block)
    parse = pacsv.ParseOptions(delimiter=d.delimiter, quote_char='"', double_quote=True, newlines_in_values=True)
    convert = pacsv.ConvertOptions(
        column_types={n: pa.binary() if n in binary else pa.string() for n in names},
        strings_can_be_null=False,
        include_columns=columns,
        quoted_strings_can_be_null=False,
    )
    if d.header:
        _check_header(f, path)
    try:
        reader = pacsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        yield from reader
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise KoppelError(f"cannot read as {f.title}: {exc}", file=path, hint="is this file of that layout?") from None


def _check_header(f: FileLayout, path: Path) -> None:
    d = f.dialect
    with path.open("rb") as handle:
        first = handle.readline().decode(d.encoding, errors="replace").rstrip("\r\n").lstrip("\ufeff")
    got = [h.strip('"') for h in first.split(d.delimiter)]
    expected = [c.name for c in f.columns]
    if got != expected:
        diff = next(
            (
                f"column {i + 1}: expected {e!r}, found {g!r}"
                for i, (e, g) in enumerate(zip(expected, got, strict=False))
                if e != g
            ),
            f"{len(got)} columns instead of {len(expected)}",
        )
        raise KoppelError(
            f"header row does not match the {f.title} layout: {diff}",
            file=path,
            line=1,
            hint="koppel reads a package's files in the layout it writes them (see 'koppel formats'); a file of "
            "another layout is read with a source profile: koppel profile init FILE",
        )


def _null_empty(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _strings(batch: pa.RecordBatch, name: str) -> pd.Series:
    return pd.Series(_null_empty(batch.column(name)).to_pandas(), dtype="string")


def _money(f: FileLayout, batch: pa.RecordBatch, name: str, path: Path, first_line: int) -> pd.Series:
    col = f.column(name)
    arr = batch.column(name)
    empty = pc.equal(arr, "").to_numpy(zero_copy_only=False)
    zero = "0" if col.type == "cents" else f"0{f.dialect.decimal}00"
    filled = pc.if_else(pc.equal(arr, ""), zero, arr)
    try:
        cents = parse_cents_arrow(
            filled,
            decimal_mark=f.dialect.decimal if col.type == "decimal" else ".",
            integer=col.type == "cents",
            field=name,
        )
    except KoppelError as exc:
        bad = next(i for i, v in enumerate(filled.to_pylist()) if not _is_amount(v, col.type, f.dialect.decimal))
        raise exc.at(path, first_line + bad) from None
    out = pd.Series(cents, dtype="Int64")
    out[empty] = pd.NA
    return out


def _is_amount(text: str, kind: str, mark: str) -> bool:
    pattern = r"-?\d+" if kind == "cents" else rf"-?\d+(?:{re.escape(mark)}\d{{1,2}})?"
    return re.fullmatch(pattern, text) is not None


def _dates(f: FileLayout, batch: pa.RecordBatch, name: str, path: Path, first_line: int) -> pd.Series:
    fmt = f.column(name).format or f.dialect.date
    text = _strings(batch, name)
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    bad = parsed.isna() & text.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise KoppelError(f"not a date in the form {fmt}: {text.iloc[i]!r}", file=path, line=first_line + i, field=name)
    return parsed.astype(DATE)


def lines_from_batch(f: FileLayout, batch: pa.RecordBatch, path: Path, first_line: int, state: dict) -> pd.DataFrame:
    """Canonical lines from one record batch of an entries/opening file."""
    data: dict[str, object] = {}
    by_source = {c.source: c.name for c in f.columns if c.source}
    for source, name in by_source.items():
        if source in DIRECT:
            data[source] = _strings(batch, name)
    if "text" in by_source:
        data["description"] = _strings(batch, by_source["text"])
    if "journal_upper" in by_source:
        data["journal_id"] = _strings(batch, by_source["journal_upper"])
    for source in ("relation_customer", "relation_supplier"):
        if source in by_source:
            values = _strings(batch, by_source[source])
            data["relation_id"] = values if "relation_id" not in data else data["relation_id"].fillna(values)
    for source in ("invoice_customer", "invoice_supplier"):
        if source in by_source:
            values = _strings(batch, by_source[source])
            data["invoice_ref"] = values if "invoice_ref" not in data else data["invoice_ref"].fillna(values)
    for source in ("line_seq", "running"):
        if source in by_source:
            data["line_nr"] = _strings(batch, by_source[source])
    for source in ("date", "due_date", "effective_date"):
        if source in by_source:
            data[source] = _dates(f, batch, by_source[source], path, first_line)
    if "amount" in by_source:
        data["amount"] = _money(f, batch, by_source["amount"], path, first_line)
    else:
        debit = _money(f, batch, by_source["debit"], path, first_line)
        credit = _money(f, batch, by_source["credit"], path, first_line)
        data["amount"] = debit.fillna(0) - credit.fillna(0)
    if "vat_amount" in by_source:
        data["vat_amount"] = _money(f, batch, by_source["vat_amount"], path, first_line)
    elif "vat_amount_abs" in by_source:
        vat = _money(f, batch, by_source["vat_amount_abs"], path, first_line)
        data["vat_amount"] = vat.where(data["amount"] >= 0, -vat)
    for source in ("year_period", "period2"):
        if source in by_source and "period" not in data:
            text = _strings(batch, by_source[source]).str[-2:]
            data["period"] = text.str.lstrip("0").mask(text.str.lstrip("0") == "", "0")
    if "payment_days" in by_source and "date" in data:
        days = pd.to_numeric(_strings(batch, by_source["payment_days"]), errors="coerce")
        data["due_date"] = (data["date"] + pd.to_timedelta(days, unit="D")).astype(DATE)
    frame = pd.DataFrame(dict(data.items()))
    frame["_line"] = np.arange(first_line, first_line + len(frame))
    if f.head and f.line_id:
        head = (_strings(batch, f.line_id) == "0").fillna(False).to_numpy()
        text_col = f.column(by_source.get("text", f.line_id)).name
        heads = _strings(batch, text_col).where(head)
        if len(head) and not head[0] and state.get("entry_description") is not None:
            heads.iloc[0] = state["entry_description"]  # the entry began in the previous batch
        desc = heads.ffill()
        state["entry_description"] = desc.iloc[-1] if len(desc) else state.get("entry_description")
        frame["entry_description"] = desc
        frame = frame.loc[~head]
    if "line_nr" not in frame and {"journal_id", "entry_nr"} <= set(frame.columns):
        keys = [frame["journal_id"].fillna(""), frame["entry_nr"].fillna("")]
        frame["line_nr"] = (frame.groupby(keys, sort=False).cumcount() + 1).astype("string")
    missing = frame["amount"].isna()
    if missing.any():
        raise KoppelError("a line without an amount", file=path, line=int(frame.loc[missing, "_line"].iloc[0]))
    frame["amount"] = frame["amount"].astype("int64")
    return conform("lines", frame.reset_index(drop=True))


def _read_lines(f: FileLayout, path: Path, adm: Administration, opening: bool) -> None:
    state: dict = {}
    line = 2 if f.dialect.header else 1
    for batch in _csv_batches(f, path):
        frame = lines_from_batch(f, batch, path, line, state)
        line += batch.num_rows
        if frame.empty:
            continue
        if opening:
            adm.opening_entries.update(zip(frame["journal_id"], frame["entry_nr"], strict=True))
            adm.opening_balance = conform(
                "opening_balance",
                pd.concat(
                    [adm.opening_balance, frame[["line_nr", "account_id", "amount", "description", "relation_id"]]]
                ),
            )
        adm.lines.append(frame)
        entries = frame[["journal_id", "entry_nr"]].drop_duplicates().shape[0]
        adm.stats.add_batch(frame, entries)


def _read_table(f: FileLayout, path: Path) -> pd.DataFrame:
    parts = []
    for batch in _csv_batches(f, path):
        data = {}
        for c in f.columns:
            if not c.source or c.source.startswith("source_"):
                continue
            values = _strings(batch, c.name)
            if c.source == "address":
                data["street"] = values
            elif c.source == "postcode_city":
                parts_ = values.str.extract(_POSTCODE_CITY)
                data["postal_code"] = parts_[0].astype("string")
                data["city"] = parts_[1].astype("string").fillna(values)
            elif c.source == "kind_nl":
                table = KIND_NL if f.content in ("debtors", "creditors", "relations") else ACCOUNT_KIND_NL
                data["kind"] = values.map({v: k for k, v in table.items()}).astype("string")
            elif c.source == "kind_bp":
                data["kind"] = values
            elif c.source == "payment_days":
                data["payment_days"] = pd.to_numeric(values, errors="coerce").astype("Int64")
            elif c.source == "kvk_digits":
                data["kvk"] = values
            elif c.source in ("account_function", "search_code"):
                continue  # the target's own keys, not part of the canonical model
            else:
                data[c.source] = values
        parts.append(pd.DataFrame(data))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def read_layout_files(layout: TargetLayout, files: dict[str, Path], admin: str | None = None) -> Administration:
    """An Administration from the given files (file id -> path) of one target layout."""
    adm = Administration(header=Header(source_format=layout.name, company_id=admin))
    relations = []
    for file_id in ("debtors", "creditors", "relations"):
        for f in layout.for_content(file_id):
            if f.id in files:
                frame = _read_table(f, files[f.id])
                if not frame.empty:
                    if f.content != "relations" or "kind" not in frame:
                        frame["kind"] = {"debtors": "customer", "creditors": "supplier"}.get(f.content, pd.NA)
                    relations.append(frame)
    if relations:
        rel = pd.concat(relations, ignore_index=True)
        both = rel["relation_id"].duplicated(keep=False)
        rel.loc[both, "kind"] = "both"
        adm.relations = conform("relations", rel.drop_duplicates("relation_id").reset_index(drop=True))
    for f in layout.for_content("accounts"):
        if f.id in files:
            adm.accounts = conform("accounts", _read_table(f, files[f.id]))
    for f in layout.for_content("opening"):
        if f.id in files:
            _read_lines(f, files[f.id], adm, opening=True)
    if adm.opening_entries:
        adm.header.opening_source = "period0"
    for f in layout.for_content("entries"):
        if f.id in files:
            _read_lines(f, files[f.id], adm, opening=False)
    adm.lines.close()
    return adm


def make_reader(target: str):
    """A registry reader for target ``target``: ``read(path, encoding=None, **options)``."""

    def read(path: str | Path, *, encoding: str | None = None, progress=None, **options) -> Administration:
        layout = load_target(target)
        if encoding:
            layout = layout.with_overrides({"encoding": encoding}, None)
        mapping_dialect = options.get("dialect")
        if mapping_dialect:
            layout = layout.with_overrides(mapping_dialect, None)
        files, admin = find_files(layout, Path(path))
        return read_layout_files(layout, files, admin)

    read.__name__ = f"read_{target.replace('-', '_')}"
    return read


def account_totals(layout: TargetLayout, files: dict[str, Path]) -> dict[str, int]:
    """Cents per account in the written entry/opening files, reading only the columns needed (read-back)."""
    totals: dict[str, int] = {}
    for f in [*layout.for_content("opening"), *layout.for_content("entries")]:
        if f.id not in files:
            continue
        by_source = {c.source: c.name for c in f.columns if c.source}
        wanted = [by_source["account_id"]]
        money = [by_source[s] for s in ("amount", "debit", "credit") if s in by_source]
        wanted += money
        if f.head and f.line_id:
            wanted.append(f.line_id)
        account = by_source["account_id"]
        identity = f.column(account).reads_as
        for batch in _csv_batches(f, files[f.id], wanted, binary=(account,), block=READ_BACK_BLOCK):
            if f.head and f.line_id:
                keep = pc.not_equal(batch.column(f.line_id), "0")
                batch = batch.filter(keep)
            if "amount" in by_source:
                cents = _money(f, batch, by_source["amount"], files[f.id], 0).fillna(0)
            else:
                cents = _money(f, batch, by_source["debit"], files[f.id], 0).fillna(0) - _money(
                    f, batch, by_source["credit"], files[f.id], 0
                ).fillna(0)
            codes, uniques = pd.factorize(batch.column(account).to_numpy(zero_copy_only=False))
            sums = np.zeros(len(uniques), dtype=np.int64)
            np.add.at(sums, codes, cents.to_numpy(dtype=np.int64))
            for key, value in zip(uniques, sums, strict=True):
                name = as_read(key.decode(f.dialect.encoding), identity)  # the id as the package reads it
                totals[name] = totals.get(name, 0) + int(value)
    return totals
