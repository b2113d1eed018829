"""One generic writer for every delimited layout: format, validate, quote and encode a batch, vectorised.

Each batch is formatted column by column with pyarrow compute, checked against the descriptor (required,
width, digits, encoding) and only then appended to the temp file; the caller publishes it (AtomicDir).
A value that does not fit is an error naming the record and the column — or, for text columns and only when
the user opted in (``truncate``), cut to the width and counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import KoppelError
from ..money import format_cents_arrow, parse_cents_arrow
from .descriptor import Column, FileLayout

Label = Callable[[int], str]  # row position -> "entry MEMO/12, line 3" (for error messages)


def _to_arrow(values: pd.Series) -> pa.Array:
    return pa.array(values, from_pandas=True)


def format_dates(values: pd.Series, fmt: str) -> pa.Array:
    """Dates as text; formatted once per distinct day (a year has 365), then spread by index."""
    codes, uniques = pd.factorize(values)
    texts = pa.array([*pd.DatetimeIndex(uniques).strftime(fmt), None])
    return texts.take(pa.array(np.where(codes < 0, len(uniques), codes)))


def format_column(col: Column, values: pd.Series, layout: FileLayout) -> pa.Array:
    """Format one column's values as a string array (nulls stay null)."""
    arr = _format(col, values, layout)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.string())


def _format(col: Column, values: pd.Series, layout: FileLayout) -> pa.Array:
    d = layout.dialect
    if col.type in ("decimal", "cents"):
        mask = values.isna().to_numpy()
        cents = values.fillna(0).astype("int64").to_numpy()
        text = format_cents_arrow(cents, decimal_mark=d.decimal, integer=col.type == "cents")
        return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), text) if mask.any() else text
    if col.type == "date":
        return format_dates(values, col.format or d.date)
    if col.type == "int":
        if pd.api.types.is_integer_dtype(values.dtype):
            return pc.cast(_to_arrow(values), pa.string())
        return _to_arrow(values.astype("string"))
    return _to_arrow(values.astype("string"))


# The mapping section that renumbers the codes a column carries (koppel/mapping.py).
SECTION_OF = {
    "account_id": "accounts", "control_account": "accounts", "journal_id": "journals", "journal_upper": "journals",
    "vat_code": "vat_codes", "relation_id": "relations", "relation_customer": "relations",
    "relation_supplier": "relations",
}  # fmt: skip


def fix_for(col: Column, value: str, rule: str, strict: bool = True) -> str:
    """The option or mapping line that resolves a code that does not fit ``col``. Without ``--strict`` koppel
    adapts every code but those the user gave (the mapping file, ``[defaults]``, ``--option``): leaving out
    --strict is then no remedy, and the hint says where the value came from."""
    if col.source == "entry_nr":
        if not strict:
            return "the entry numbers are kept as asked: pass --option entry_numbers=renumber (1..n per journal)"
        return "pass --option entry_numbers=renumber (numbers 1..n per journal), or leave out --strict"
    section = SECTION_OF.get(col.source)
    if section is None:
        if not strict:
            return "correct it in the source"
        return "shorten it in the source, or leave out --strict to leave the field empty (reported)"
    if not strict:
        where = f"[{section}]"
        if section == "journals":
            where += ", or for the opening entry [defaults] opening_journal or --option opening_journal"
        return (
            f"{json.dumps(value)} is given in the mapping file or an option ({where}): change it there to a code "
            f"that fits ({rule}), or leave it out to let koppel generate one"
        )
    return (
        f'map it in the mapping file: [{section}] {json.dumps(value)} = "…" ({rule}), or leave out --strict to '
        "let koppel generate a code (listed in mapping.generated.toml)"
    )


@dataclass
class FileStats:
    rows: int = 0
    truncated: dict[str, int] = field(default_factory=dict)
    blanked: dict[str, list] = field(default_factory=dict)  # column -> [count, first example]


class DelimitedWriter:
    """Appends validated batches of one layout to one (temp) file."""

    def __init__(
        self, layout: FileLayout, path: Path, *, truncate: bool = False, display_name: str | None = None,
        strict: bool = True,
    ):  # fmt: skip
        self.layout = layout
        self.path = path
        self.truncate = truncate
        self.strict = strict  # --strict: nothing was adapted, so leaving it out is a remedy (see fix_for)
        self.display = display_name or path.name
        self.stats = FileStats()
        self.handle = path.open("wb")
        d = layout.dialect
        self._codec = "utf-8" if d.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else d.encoding
        if d.header:
            header = pa.array([c.name for c in layout.columns])
            self._write_rows([self._quote(pa.array([h])) for h in header.to_pylist()], lambda i: "header")

    # -- validation -------------------------------------------------------------------------------
    def _check(self, col: Column, arr: pa.Array, label: Label) -> pa.Array:
        where = f"{self.display}: column {col.name}"
        if col.required:
            empty = pc.or_kleene(pc.is_null(arr), pc.equal(arr, ""))
            if pc.any(empty).as_py():
                i = int(np.flatnonzero(empty.to_numpy(zero_copy_only=False))[0])
                hint = (
                    "pass --option missing_names=code to write the code as the name, or leave out --strict"
                    if col.source == "name"
                    else None
                )
                raise KoppelError(
                    f"{label(i)}: {col.name} is required but empty", file=self.display, field=col.name, hint=hint
                )
        if col.type in ("int", "cents"):
            bad = pc.invert(pc.match_substring_regex(arr, r"^-?\d+$"))
            bad = pc.fill_null(bad, False)
            arr, bad = self._blank(col, arr, bad, label, "not a whole number")
            if pc.any(bad).as_py():
                i = int(np.flatnonzero(bad.to_numpy(zero_copy_only=False))[0])
                raise KoppelError(
                    f"{label(i)}: {col.name} must be a whole number, got {arr[i].as_py()!r}",
                    file=self.display,
                    field=col.name,
                    hint=fix_for(col, arr[i].as_py(), "a number", self.strict),
                )
        if col.width:
            too_long = pc.fill_null(pc.greater(pc.utf8_length(arr), col.width), False)
            arr, too_long = self._blank(col, arr, too_long, label, f"longer than {col.width}")
            if pc.any(too_long).as_py():
                if self.truncate and col.may_truncate:
                    n = int(pc.sum(too_long).as_py())
                    self.stats.truncated[col.name] = self.stats.truncated.get(col.name, 0) + n
                    return pc.if_else(too_long, pc.utf8_slice_codeunits(arr, 0, col.width), arr)
                i = int(np.flatnonzero(too_long.to_numpy(zero_copy_only=False))[0])
                hint = (
                    "allow cutting texts with --truncate, or leave out --strict (each cut is reported in "
                    "control.json), or shorten it in the source"
                    if col.may_truncate
                    else fix_for(col, arr[i].as_py(), f"at most {col.width} characters", self.strict)
                )
                raise KoppelError(
                    f"{label(i)}: {col.name} {arr[i].as_py()!r} is longer than {col.width} characters",
                    file=self.display,
                    field=col.name,
                    hint=hint,
                ) from None
        del where
        return arr

    def _blank(self, col: Column, arr: pa.Array, bad: pa.Array, label: Label, why: str):
        """With ``truncate`` on, leave an optional attribute that does not fit empty (counted, with an example)."""
        if not (self.truncate and col.on_invalid == "blank" and not col.required) or not pc.any(bad).as_py():
            return arr, bad
        i = int(np.flatnonzero(bad.to_numpy(zero_copy_only=False))[0])
        entry = self.stats.blanked.setdefault(col.name, [0, f"{label(i)}: {arr[i].as_py()!r} {why}"])
        entry[0] += int(pc.sum(bad).as_py())
        return pc.if_else(bad, pa.scalar(None, pa.string()), arr), pc.and_(bad, False)

    def _quote(self, arr: pa.Array, col: Column | None = None) -> pa.Array:
        arr = pc.fill_null(arr, "")
        d = self.layout.dialect
        if col is not None and col.type in ("int", "cents", "date") and d.delimiter not in "-/":
            return arr  # digits (and '-' or '/') only: never holds the delimiter, a quote or a line break
        if col is not None and col.type == "decimal" and d.delimiter != d.decimal:
            return arr
        need = None
        for char in {d.delimiter, '"', "\r", "\n"}:
            hit = pc.match_substring(arr, char)
            need = hit if need is None else pc.or_(need, hit)
        if not pc.any(need).as_py():
            return arr
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
        return pc.if_else(need, quoted, arr)

    # -- writing ----------------------------------------------------------------------------------
    def format_rows(self, columns: dict[str, pa.Array], n: int, label: Label) -> list[pa.Array]:
        """Checked, quoted string arrays in layout order (a missing column is empty)."""
        empty = pa.nulls(n, pa.string())
        out = []
        for col in self.layout.columns:
            arr = columns.get(col.name)
            arr = empty if arr is None else self._check(col, arr, label)
            out.append(arr)
        return out

    def write_arrays(self, arrays: list[pa.Array], label: Label) -> None:
        d = self.layout.dialect
        filled = [pc.fill_null(a, "") if a.null_count else a for a in arrays]
        if len(filled) > 1 and d.delimiter not in "\r\n\"":
            rows = pc.binary_join_element_wise(*filled, d.delimiter)
            # Fast path: no field holds the delimiter, a quote or a line break, so none needs quoting.
            clean = pc.all(pc.equal(pc.count_substring(rows, d.delimiter), len(filled) - 1)).as_py() is not False
            for char in ('"', "\r", "\n"):
                clean = clean and not pc.any(pc.match_substring(rows, char)).as_py()
            if clean:
                self._write_joined(rows, label)
                return
        self._write_rows([self._quote(a, c) for a, c in zip(filled, self.layout.columns, strict=True)], label)

    def _write_rows(self, arrays: list[pa.Array], label: Label) -> None:
        d = self.layout.dialect
        rows = pc.binary_join_element_wise(*arrays, d.delimiter) if len(arrays) > 1 else arrays[0]
        self._write_joined(rows, label)

    def _write_joined(self, rows: pa.Array, label: Label) -> None:
        """Append rows (each + line end) straight from Arrow's buffer; encode to the file's encoding."""
        d = self.layout.dialect
        if isinstance(rows, pa.ChunkedArray):
            rows = rows.combine_chunks()
        if len(rows) == 0:
            return
        rows = pc.binary_join_element_wise(rows, pa.scalar("", pa.string()), d.line_end).cast(pa.string())
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[rows.offset : rows.offset + len(rows) + 1]
        raw = memoryview(rows.buffers()[2])[offsets[0] : offsets[-1]]
        if self._codec == "utf-8":
            self.handle.write(raw)
            return
        text = bytes(raw).decode("utf-8")
        try:
            data = text.encode(self._codec)
        except UnicodeEncodeError as exc:
            row = text.count(d.line_end, 0, exc.start)
            bad = text[exc.start : exc.end]
            column = self._column_at(text, row, exc.start)
            raise KoppelError(
                f"{label(row)}: {column} holds {bad!r}, which {d.encoding} cannot carry",
                file=self.display,
                field=column,
                hint='replace the character in the source, or set [dialect] encoding = "utf-8" in the mapping '
                "if the package reads UTF-8",
            ) from None
        self.handle.write(data)

    def _column_at(self, text: str, row: int, pos: int) -> str:
        start = text.rfind(self.layout.dialect.line_end, 0, pos)
        start = 0 if start < 0 else start + len(self.layout.dialect.line_end)
        fields = text[start:pos].count(self.layout.dialect.delimiter)  # quoted delimiters are rare here
        names = [c.name for c in self.layout.columns]
        return names[min(fields, len(names) - 1)]

    def close(self) -> None:
        self.handle.close()


def amount_cents(layout: FileLayout, columns: dict[str, pa.Array]) -> np.ndarray | None:
    """Cents per row as written, parsed back from the formatted strings (proof of the formatting)."""
    d = layout.dialect
    amount = layout.by_source("amount")
    if amount is not None:
        arr = columns[amount.name]
        return parse_cents_arrow(pc.fill_null(arr, "0"), decimal_mark=d.decimal, integer=amount.type == "cents")
    debit, credit = layout.by_source("debit"), layout.by_source("credit")
    if debit is None or credit is None:
        return None
    dr = parse_cents_arrow(
        pc.fill_null(columns[debit.name], "0,00" if d.decimal == "," else "0.00"), decimal_mark=d.decimal
    )
    cr = parse_cents_arrow(
        pc.fill_null(columns[credit.name], "0,00" if d.decimal == "," else "0.00"), decimal_mark=d.decimal
    )
    return dr - cr
