"""Reading ADF text: lines in batches, fixed-width fields cut and typed in Arrow, problems with line and column.

The manual allows a decimal comma or point, grouping marks and a leading (or trailing) minus; the decimals
are always present, so ``10.239,87``, ``10239,87``, ``10239.87`` and ``1023987`` all mean 10239.87. Dates are
``ddmmjjjj`` or ``d-m-jjjj``. A field that breaks these rules is a *problem*: the reader turns the first one
into a one-line error, ``koppel check`` lists them all.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import KoppelError
from .layout import SIGNATURE, AdfField, AdfLayout, adf_layout

CHUNK = 1 << 22  # bytes per block: about 8,000 lines of 496 characters
# required fields without which a line cannot be booked; an empty name or description is a finding of check
FATAL_WHEN_EMPTY = ("grootboekrekeningcode", "mutatiedatum")
_BOM = codecs.BOM_UTF8
# grouped (1.234.567,89), plain with a mark (10239,87) or without one (1023987: the decimals are implied)
_NUMBER = r"^(?P<lead>-?)(?P<num>\d{1,3}(?:[.,]\d{3})+[.,]\d{DEC}|\d+[.,]\d{DEC}|\d+)(?P<trail>-?)$"
_INTEGER = r"^(?P<lead>-?)(?P<num>\d+)(?P<trail>-?)$"
_DATE_DASH = r"^(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})$"
_DATE_PLAIN = r"^(?P<d>\d{2})(?P<m>\d{2})(?P<y>\d{4})$"


def is_adf(head: bytes) -> bool:
    """True when the bytes start like an ADF auditfile (the version string at byte 0, after a BOM if any)."""
    if head.startswith(_BOM):
        head = head[3:]
    return head.startswith(SIGNATURE.encode("ascii"))


@dataclass
class Problem:
    """One field that breaks the layout: where (line, field, columns), the value and what is wrong."""

    line: int
    field: str
    columns: str
    value: str
    message: str

    def error(self, path: Path) -> KoppelError:
        shown = self.value if len(self.value) <= 40 else self.value[:37] + "..."
        return KoppelError(
            f"{self.message}: {shown!r}" if self.value else self.message,
            file=path,
            line=self.line,
            field=f"{self.field} ({self.columns})",
            hint="export the auditfile again; koppel check FILE lists every malformed line",
        )


@dataclass
class ParsedLines:
    """One batch of mutation lines, typed: text fields (null when blank), cents, dates, and the problems."""

    line_nrs: np.ndarray  # file line number of every row
    text: dict[str, pa.Array]
    numbers: dict[str, pa.Array]  # int64 in units of 10**-decimals, null when blank or invalid
    dates: dict[str, pa.Array]  # date32, null when blank or invalid
    problems: list[Problem] = field(default_factory=list)
    bad: np.ndarray | None = None  # rows with a problem


@dataclass
class LineBlock:
    """Complete lines of the file as a byte matrix: one row per line, padded with spaces to ``width``."""

    first: int  # file line number of the first row
    rows: np.ndarray  # uint8, shape (lines, width)
    lengths: np.ndarray  # bytes of each line without its line end
    overflow: dict[int, bytes]  # row -> non-blank bytes beyond ``width``


def iter_blocks(path: Path, width: int, chunk: int = CHUNK) -> Iterator[LineBlock]:
    """Yield the file's lines in blocks of about ``chunk`` bytes (line ends CR LF or LF; a DOS end mark dropped).

    The lines are gathered into a fixed-width matrix with numpy, without a Python step per line: that keeps
    the cost per line near the cost of copying its bytes.
    """
    first = 1
    rest = b""
    cols = np.arange(width, dtype=np.int64)
    with path.open("rb") as handle:
        opening = True
        while True:
            data = handle.read(chunk)
            eof = not data
            if opening and data.startswith(_BOM):
                data = data[3:]
            opening = False
            data = rest + data
            if eof:
                if not data:
                    return
                block, rest = (data if data.endswith(b"\n") else data + b"\n"), b""
            else:
                cut = data.rfind(b"\n") + 1
                if cut == 0:  # a line longer than a chunk: read on
                    rest = data
                    continue
                block, rest = data[:cut], data[cut:]
            buf = np.frombuffer(block, dtype=np.uint8)
            ends = np.flatnonzero(buf == 10)
            starts = np.concatenate(([0], ends[:-1] + 1))
            stop = ends.copy()
            for mark in (13, 26, 13):  # CR before LF, a DOS end mark (and a CR before that)
                has = (stop > starts) & (buf[np.maximum(stop - 1, 0)] == mark)
                stop[has] -= 1
            lengths = stop - starts
            overflow: dict[int, bytes] = {}
            for i in np.flatnonzero(lengths > width):
                extra = bytes(buf[starts[i] + width : stop[i]]).strip()
                if extra:
                    overflow[int(i)] = extra
            rows = _gather(buf, starts, lengths, width, cols)
            yield LineBlock(first, rows, lengths, overflow)
            first += len(starts)
            if eof:
                return


@cache
def _transcoder(encoding: str) -> tuple[np.ndarray, np.ndarray] | None:
    """For a one-byte encoding: each byte's UTF-8 length (0 = not valid) and its UTF-8 bytes; else None."""
    try:
        if len("\u00e9".encode(encoding, "replace")) != 1 or codecs.lookup(encoding).name.startswith("utf"):
            return None
    except LookupError:
        return None
    lengths = np.zeros(256, dtype=np.int64)
    table = np.zeros((256, 4), dtype=np.uint8)
    for b in range(256):
        try:
            utf8 = bytes([b]).decode(encoding).encode("utf-8")
        except UnicodeDecodeError:
            continue
        lengths[b] = len(utf8)
        table[b, : len(utf8)] = list(utf8)
    return lengths, table


def _gather(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray, width: int, cols: np.ndarray) -> np.ndarray:
    """Lines as rows of ``width`` bytes, padded with spaces; one copy when every line has the same length."""
    uniform = len(starts) > 1 and (lengths == lengths[0]).all() and (np.diff(starts) == starts[1] - starts[0]).all()
    if uniform:
        step, size = int(starts[1] - starts[0]), int(lengths[0])
        matrix = buf[: step * len(starts)].reshape(len(starts), step)[:, : min(size, width)]
        if size >= width:
            return np.ascontiguousarray(matrix)
        rows = np.full((len(starts), width), 32, dtype=np.uint8)
        rows[:, :size] = matrix
        return rows
    padded = np.concatenate((buf, np.full(width, 32, dtype=np.uint8)))
    idx = starts[:, None] + cols[None, :]
    rows = padded[idx]
    rows[cols[None, :] >= lengths[:, None]] = 32
    return rows


def decode_column(sub: np.ndarray, encoding: str) -> tuple[pa.Array, list[int]]:
    """A (rows, length) byte matrix as an Arrow string column, and the rows whose bytes are not valid in
    ``encoding``. ASCII needs no copy; a one-byte code page is transcoded to UTF-8 with table look-ups."""
    n, length = sub.shape
    sub = np.ascontiguousarray(sub)
    if not (sub >= 128).any():
        offsets = np.arange(0, n * length + 1, length, dtype=np.int64)
        return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(sub)).cast(pa.string()), []
    tables = _transcoder(encoding)
    if tables is None:  # a multi-byte encoding: decode row by row
        values: list[str | None] = []
        wrong: list[int] = []
        for i, row in enumerate(sub):
            try:
                values.append(row.tobytes().decode(encoding))
            except UnicodeDecodeError:
                values.append(None)
                wrong.append(i)
        return pa.array(values, pa.string()), wrong
    lengths, table = tables
    flat = sub.ravel()
    out_len = lengths[flat]
    wrong = sorted(set((np.flatnonzero(out_len == 0) // length).tolist()))
    out_len = np.where(out_len == 0, 1, out_len)  # an invalid byte keeps a place; its row is reported
    ends = np.cumsum(out_len)
    starts = ends - out_len
    data = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    for k in range(4):
        has = out_len > k
        if not has.any():
            break
        data[starts[has] + k] = table[flat[has], k]
    row_ends = ends[length - 1 :: length] if length else np.zeros(n, dtype=np.int64)
    offsets = np.concatenate(([0], row_ends)).astype(np.int64)
    column = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data)).cast(pa.string())
    if wrong:
        mask = np.zeros(n, dtype=bool)
        mask[wrong] = True
        column = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), column)
    return column, wrong


def _trimmed(arr: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def parse_number_text(text: str, decimals: int = 2) -> int | None:
    """One ADF number as an integer of 10**-decimals units; None when it breaks the manual's rules."""
    arr = _numbers(pa.array([text.strip()], pa.string()), decimals)[0]
    return arr[0].as_py()


def _numbers(values: pa.Array, decimals: int) -> tuple[pa.Array, pa.Array]:
    """Numbers and a mask of the values that are present but not numbers (Arrow, no Python loop)."""
    pattern = _NUMBER.replace("{DEC}", "{" + str(decimals) + "}") if decimals else _INTEGER
    present = pc.is_valid(values)
    parts = pc.extract_regex(pc.fill_null(values, ""), pattern)
    ok = pc.and_(present, pc.is_valid(parts))
    both_signs = pc.and_(pc.equal(pc.struct_field(parts, [0]), "-"), pc.equal(pc.struct_field(parts, [2]), "-"))
    ok = pc.and_(ok, pc.invert(pc.fill_null(both_signs, False)))
    digits = pc.replace_substring_regex(pc.struct_field(parts, [1]), r"[.,]", "")
    digits = pc.if_else(ok, digits, pa.scalar(None, pa.string()))
    magnitude = pc.cast(digits, pa.int64())
    negative = pc.or_(pc.equal(pc.struct_field(parts, [0]), "-"), pc.equal(pc.struct_field(parts, [2]), "-"))
    number = pc.if_else(pc.fill_null(negative, False), pc.negate(magnitude), magnitude)
    bad = pc.and_(present, pc.invert(ok))
    return number, bad


def _dates(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Dates (date32) and a mask of the values that are present but not valid dates.

    A year has at most 366 distinct dates: each distinct text is parsed once, then spread over the rows."""
    encoded = pc.dictionary_encode(values)
    date, bad = _parse_dates(encoded.dictionary)
    return date.take(encoded.indices), pc.fill_null(bad.take(encoded.indices), False)


def _parse_dates(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    present = pc.is_valid(values)
    filled = pc.fill_null(values, "")
    dash = pc.extract_regex(filled, _DATE_DASH)
    plain = pc.extract_regex(filled, _DATE_PLAIN)
    parts = pc.if_else(pc.is_valid(dash), dash, plain)

    def pad(i: int, width: int) -> pa.Array:
        return pc.utf8_lpad(pc.struct_field(parts, [i]), width, "0")

    iso = pc.binary_join_element_wise(pad(2, 4), pad(1, 2), pad(0, 2), "-")
    stamp = pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True)
    date = pc.cast(stamp, pa.date32())
    # strptime accepts 31-02 on some platforms' rules: the round trip must give the same text back
    same = pc.equal(pc.strftime(stamp, format="%Y-%m-%d"), iso)
    date = pc.if_else(pc.fill_null(same, False), date, pa.scalar(None, pa.date32()))
    bad = pc.and_(present, pc.is_null(date))
    return date, bad


def parse_lines(block: LineBlock, encoding: str, layout: AdfLayout | None = None) -> ParsedLines:
    """Cut and type one block of mutation lines (blank lines are left out, their numbers kept for the rest)."""
    layout = layout or adf_layout()
    rows = block.rows
    line_nrs = np.arange(block.first, block.first + len(rows), dtype=np.int64)
    keep = (rows != 32).any(axis=1)
    overflow = block.overflow
    if not keep.all():
        index = np.flatnonzero(keep)
        rows, line_nrs = rows[index], line_nrs[index]
        position = {int(old): new for new, old in enumerate(index)}
        overflow = {position[i]: v for i, v in overflow.items() if i in position}
    problems: list[Problem] = []
    bad = np.zeros(len(rows), dtype=bool)
    width = layout.line_length
    for i, extra in sorted(overflow.items()):
        bad[i] = True
        problems.append(Problem(int(line_nrs[i]), "regel", f"kolom {width + 1}-", extra.decode(encoding, "replace"),
                                f"text beyond column {width}, where the last field ends (are the fields shifted?)"))
    text: dict[str, pa.Array] = {}
    numbers: dict[str, pa.Array] = {}
    dates: dict[str, pa.Array] = {}
    for f in layout.line:
        column, undecodable = decode_column(rows[:, f.start - 1 : f.end], encoding)
        raw = _trimmed(column)
        for i in undecodable:
            bad[i] = True
            problems.append(Problem(int(line_nrs[i]), f.name, f.columns, "", f"bytes not valid in {encoding}"))
        if f.type == "number":
            numbers[f.name], wrong = _numbers(raw, f.decimals)
            _collect(problems, bad, wrong, raw, line_nrs, f, "not a number in the manual's notation")
        elif f.type == "date":
            dates[f.name], wrong = _dates(raw)
            _collect(problems, bad, wrong, raw, line_nrs, f, "not a date (ddmmjjjj or d-m-jjjj)")
        else:
            text[f.name] = raw
        if f.required and f.name in FATAL_WHEN_EMPTY and not undecodable:
            _collect(problems, bad, pc.is_null(raw), raw, line_nrs, f, "required field is empty")
    problems.sort(key=lambda p: p.line)
    return ParsedLines(line_nrs, text, numbers, dates, problems, bad)


def _collect(problems: list[Problem], bad: np.ndarray, mask: pa.Array, raw: pa.Array, line_nrs: np.ndarray,
             f: AdfField, message: str) -> None:  # fmt: skip
    hits = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
    if not len(hits):
        return
    bad[hits] = True
    values = raw.take(pa.array(hits)).to_pylist()
    for i, value in zip(hits, values, strict=True):
        problems.append(Problem(int(line_nrs[i]), f.name, f.columns, value or "", message))


@dataclass
class AdfHeader:
    """The header line's fields as written, typed where the manual types them."""

    fields: dict[str, str | None]
    line_count: int | None
    total_debit: int | None
    total_credit: int | None
    created: str | None  # ISO date
    problems: list[Problem]


def parse_header(text: str, layout: AdfLayout | None = None) -> AdfHeader:
    """The header line (line 1): facts, declared counts and totals, and what is wrong with it."""
    layout = layout or adf_layout()
    fields: dict[str, str | None] = {}
    problems: list[Problem] = []
    typed: dict[str, object] = {}
    for f in layout.header:
        value = f.cut(text).strip() or None
        fields[f.name] = value
        if value is None:
            if f.required:
                problems.append(Problem(1, f.name, f.columns, "", "required header field is empty"))
            continue
        if f.type == "number":
            number = parse_number_text(value, f.decimals)
            if number is None:
                problems.append(Problem(1, f.name, f.columns, value, "not a number in the manual's notation"))
            typed[f.name] = number
        elif f.type == "date":
            date, wrong = _dates(pa.array([value], pa.string()))
            if wrong[0].as_py():
                problems.append(Problem(1, f.name, f.columns, value, "not a date (ddmmjjjj or d-m-jjjj)"))
            typed[f.name] = None if date[0].as_py() is None else date[0].as_py().isoformat()
    if fields.get("versie") != SIGNATURE:
        problems.append(Problem(1, "versie", layout.field("versie").columns, fields.get("versie") or "",
                                f"the version must be {SIGNATURE}"))  # fmt: skip
    return AdfHeader(
        fields=fields,
        line_count=typed.get("aantalMutaties"),  # type: ignore[arg-type]
        total_debit=typed.get("tellingDebet"),  # type: ignore[arg-type]
        total_credit=typed.get("tellingCredit"),  # type: ignore[arg-type]
        created=typed.get("datumAanmaak"),  # type: ignore[arg-type]
        problems=problems,
    )


def read_header_line(path: Path, encoding: str) -> str:
    """Line 1 of the file, decoded."""
    with path.open("rb") as handle:
        head = handle.readline(4096)
    if head.startswith(_BOM):
        head = head[3:]
    return head.rstrip(b"\r\n\x1a").decode(encoding, "replace")


def iter_mutation_blocks(path: Path, layout: AdfLayout, chunk: int = CHUNK) -> Iterator[LineBlock]:
    """The blocks of lines after the header line."""
    for block in iter_blocks(path, layout.line_length, chunk):
        if block.first == 1:
            overflow = {i - 1: v for i, v in block.overflow.items() if i > 0}
            block = LineBlock(2, block.rows[1:], block.lengths[1:], overflow)
        if len(block.rows):
            yield block
