"""Raw cells of a source file as text, in chunks: CSV (pyarrow, streamed), XLSX (calamine), MT940, CAMT.053.

Every cell stays text here; typing happens in ``fields``. Each chunk carries ``_row``: the row number in the
file as a spreadsheet or editor shows it (header = the line after ``skip_rows``), for error messages.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import mmap
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import KoppelError
from .bom import WIDE, bom_of, file_bom
from .profile import ExportDialect

ROW = "_row"
BLOCK = 4 << 20
_C1 = re.compile(rb"[\x80-\x9f]")
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


@dataclass
class RawTable:
    """Header names and an iterator of text chunks (each with ``_row``)."""

    columns: list[str]
    header_row: int
    chunks: Iterator[pd.DataFrame]
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)  # rows with a wrong cell count
    arrow: bool = False  # chunks are pyarrow Tables (with an int64 ``_row``) instead of pandas frames


def _line_of(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1


def check_encoding(path: Path, encoding: str, quote: str | None = None) -> bool:
    """Refuse a file whose bytes do not fit the profile's encoding, saying which encoding it likely is.

    ``encoding`` is the one the file is read in (:func:`file_encoding`: a byte-order mark overrides the
    profile). Returns whether the file holds the ``quote`` character anywhere (True when not asked or not one
    byte, and always for UTF-16/32): a file without it has no quoted cells, so no cell can hold a line break.
    """
    if encoding in WIDE:
        _check_wide(path, encoding)
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    utf8_ok, high = True, False
    c1_at = undefined_at = None
    mark = quote.encode("ascii") if quote is not None and quote.isascii() and len(quote) == 1 else None
    quoted = mark is None
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            if not quoted and mark in block:
                quoted = True
            if not high and not block.isascii():
                high = True
            if encoding != "utf-8" and not block.isascii():
                if c1_at is None and (m := _C1.search(block)):
                    c1_at = offset + m.start()
                if undefined_at is None and (m := _CP1252_UNDEFINED.search(block)):
                    undefined_at = offset + m.start()
            if utf8_ok and high:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    if encoding == "utf-8":
                        bad = block[exc.start]
                        raise KoppelError(
                            f"not UTF-8: byte 0x{bad:02X}",
                            file=path,
                            line=_line_of(path, offset + exc.start),
                            field="encoding",
                            hint='set encoding = "cp1252" in [dialect] for Windows exports (byte 0x80 is €), '
                            'or "latin-1" only for ISO-8859-1 files without €',
                        ) from None
                    utf8_ok = False
            offset += len(block)
    if utf8_ok and high and (cut := decoder.getstate()[0]):  # the last character has only its first byte(s)
        if encoding == "utf-8":
            at = offset - len(cut)
            in_cp1252 = cut.decode("cp1252", "replace")
            raise KoppelError(
                f"the file ends in the middle of a UTF-8 character (byte 0x{cut[0]:02X} at byte offset {at}): "
                f"it was cut off, or it is not UTF-8 (in cp1252 the last byte(s) would read {in_cp1252!r})",
                file=path,
                line=_line_of(path, at),
                field="encoding",
                hint='export the file again (whole); if it is a Windows export, set encoding = "cp1252" in [dialect]',
            )
        utf8_ok = False
    if encoding == "utf-8":
        return quoted
    if utf8_ok and high:
        raise KoppelError(
            f"the profile says {encoding} but the file is UTF-8 (reading it as {encoding} would garble é and €)",
            file=path,
            field="encoding",
            hint='set encoding = "utf-8" in [dialect]',
        )
    if encoding == "latin-1" and c1_at is not None:
        raise KoppelError(
            "latin-1 reads bytes 0x80-0x9F as control characters, but this file uses them: it is cp1252 (0x80 is €)",
            file=path,
            line=_line_of(path, c1_at),
            field="encoding",
            hint='set encoding = "cp1252" in [dialect]',
        )
    if encoding == "cp1252" and undefined_at is not None:
        raise KoppelError(
            "byte not defined in cp1252 (0x81, 0x8D, 0x8F, 0x90 or 0x9D): this is not a Windows export",
            file=path,
            line=_line_of(path, undefined_at),
            field="encoding",
            hint='try encoding = "latin-1" or "utf-8"',
        )
    return quoted


def file_encoding(path: Path, encoding: str) -> str:
    """The encoding to read ``path`` in: what its byte-order mark says, else the profile's ``encoding``.

    A profile that says utf-16 or utf-32 needs the mark (it tells the byte order); without one the file is
    refused, naming what it more likely is.
    """
    mark = file_bom(path)
    if mark is not None:
        return mark[0]
    if encoding in WIDE:
        raise KoppelError(
            f"the profile says {encoding}, but the file does not start with a byte-order mark",
            file=path,
            line=1,
            field="encoding",
            hint='set encoding = "utf-8" (or "cp1252" for a Windows export) in [dialect]',
        )
    return encoding


def _check_wide(path: Path, encoding: str) -> None:
    """A UTF-16/32 file must decode to its last byte: a cut file ends in half a character."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    mark = file_bom(path)
    name = mark[1] if mark else encoding.upper()
    with path.open("rb") as handle:
        while True:
            block = handle.read(BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                at = offset + exc.start
                what = "ends in the middle of a character" if not block else f"has bytes that are not {name}"
                raise KoppelError(
                    f"the file {what} (byte offset {at}; the byte-order mark says {name}): {exc.reason}",
                    file=path,
                    field="encoding",
                    hint="export or save the file again (whole); Excel's 'Unicode text' is UTF-16 LE",
                ) from None
            if not block:
                return
            offset += len(block)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        name = name.strip()
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(name if n == 0 else f"{name}.{n + 1}")
    return out


@dataclass
class CsvHead:
    """What a delimited file's first pass tells: header names, header row, quotes, encoding and delimiter."""

    columns: list[str]
    header_row: int
    quoted: bool = True  # the quote character occurs somewhere (else no cell can hold a line break)
    encoding: str = "utf-8"  # the profile's, or what the file's byte-order mark says
    delimiter: str = ","  # the profile's, or the one sniffed from the header when the profile does not pin it


DELIMITERS = (";", ",", "\t", "|")


def sniff_delimiter(lines: list[str], quote: str = '"') -> str:
    """The delimiter that splits the header into the most columns, the data rows agreeing (``,`` when none).

    Only the candidates :data:`DELIMITERS` are tried; cells in quotes do not count.
    """
    best, best_score = ",", (1, 0)
    for delimiter in DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delimiter, quotechar=quote))
        if not rows:
            continue
        width = len(rows[0])
        agree = sum(len(row) == width for row in rows[1:] if row)
        if width > 1 and (width, agree) > best_score:
            best, best_score = delimiter, (width, agree)
    return best


def _python_codec(encoding: str) -> str:
    """The Python codec that reads a file in ``encoding`` and skips its byte-order mark."""
    return "utf-8-sig" if encoding == "utf-8" else encoding


def csv_head(path: Path, dialect: ExportDialect) -> CsvHead:
    """Check the encoding (one pass over the bytes), sniff the delimiter if not pinned, read the header row."""
    encoding = file_encoding(path, dialect.encoding)
    quoted = check_encoding(path, encoding, dialect.quote)
    with path.open(encoding=_python_codec(encoding), newline="") as handle:
        for _ in range(dialect.skip_rows):
            handle.readline()
        delimiter = dialect.delimiter
        if delimiter is None:
            start = handle.tell()
            delimiter = sniff_delimiter([line for _, line in zip(range(20), handle, strict=False)], dialect.quote)
            handle.seek(start)
        header = next(csv.reader(handle, delimiter=delimiter, quotechar=dialect.quote), None)
    if not header:
        raise KoppelError("the file has no header row", file=path, line=dialect.skip_rows + 1)
    return CsvHead(_unique(header), dialect.skip_rows + 1, quoted, encoding, delimiter)


def _arrow_encoding(encoding: str) -> str:
    """An encoding as pyarrow's CSV reader names it (anything but UTF-8 goes through Python's codecs)."""
    return "utf8" if encoding == "utf-8" else encoding


def _as_text(columns: list[str], include: list[str] | None) -> pacsv.ConvertOptions:
    """Every cell as text (empty cells stay empty strings), only the ``include`` columns when given."""
    return pacsv.ConvertOptions(
        column_types={name: pa.string() for name in columns}, strings_can_be_null=False, include_columns=include
    )


READ_AHEAD_BLOCKS = 40  # pyarrow's streaming CSV reader parses about this many blocks ahead, whatever its consumer does
READ_AHEAD_BUDGET = 160 << 20  # so the memory that read-ahead may take is bounded by choosing the block size


def streaming_block_size(file_size: int, largest: int = 16 << 20) -> int:
    """The block size for ``pyarrow.csv.open_csv`` on a file of ``file_size`` bytes.

    The reader keeps about :data:`READ_AHEAD_BLOCKS` parsed blocks ahead of the batches taken (measured with
    pyarrow 26: on a 340 MB file it held 370 MB before the first batch was used). A file that fits in the
    budget is read in ``largest`` blocks (the fastest); a larger one in blocks of budget / 40 = 4 MB, which
    is about a quarter slower but keeps the read-ahead near 160 MB however large the file is.
    """
    if file_size <= READ_AHEAD_BUDGET:
        return largest
    return min(largest, max(1 << 20, READ_AHEAD_BUDGET // READ_AHEAD_BLOCKS))


def read_csv_chunks(
    path: Path,
    dialect: ExportDialect,
    block_size: int | None = None,
    arrow: bool = False,
    head: CsvHead | None = None,
    include: list[str] | None = None,
) -> RawTable:
    """Stream a delimited file as text chunks with pyarrow (vectorised; no per-row Python).

    ``head`` is :func:`csv_head` done already; ``include`` limits the chunks to those columns (the row
    count check still sees every cell). A file without the quote character is parsed without looking
    for line breaks inside cells (faster; it cannot have them). ``block_size`` defaults to
    :func:`streaming_block_size` of the file, so memory stays bounded on any size of file.
    """
    head = head or csv_head(path, dialect)
    if block_size is None:
        block_size = streaming_block_size(path.stat().st_size)
    columns, header_row = head.columns, head.header_row
    skipped: list[tuple[int, str]] = []

    def on_invalid(row) -> str:
        skipped.append((row.number if row.number is not None else -1, row.text))
        return "skip"

    try:
        reader = pacsv.open_csv(
            str(path),
            read_options=pacsv.ReadOptions(
                encoding=_arrow_encoding(head.encoding),
                skip_rows=header_row,
                column_names=columns,
                block_size=block_size,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=head.delimiter,
                quote_char=dialect.quote,
                newlines_in_values=head.quoted,
                invalid_row_handler=on_invalid,
            ),
            convert_options=_as_text(columns, include),
        )
    except pa.ArrowInvalid as exc:  # e.g. an unclosed quote in the header runs on into the rows
        raise KoppelError(
            f"cannot read this CSV: {exc}", file=path, line=header_row, hint="check the header row, delimiter and quote"
        ) from None

    def chunks() -> Iterator[pd.DataFrame]:
        start = header_row + 1
        try:
            for batch in reader:
                if arrow:
                    table = pa.Table.from_batches([batch])
                    yield table.append_column(ROW, pa.array(np.arange(start, start + len(table), dtype=np.int64)))
                    start += len(table)
                    continue
                frame = batch.to_pandas(types_mapper=lambda t: pd.StringDtype() if t == pa.string() else None)
                frame[ROW] = pd.RangeIndex(start, start + len(frame))
                start += len(frame)
                yield frame
        except pa.ArrowInvalid as exc:
            raise KoppelError(f"cannot read this CSV: {exc}", file=path, hint="check delimiter and quote") from None

    return RawTable(columns, header_row, chunks(), skipped, arrow)


class NotPlain(Exception):
    """The quick block reader met something unusual (a bad row, a parse error): use the streaming reader."""


def read_csv_blocks(
    path: Path, dialect: ExportDialect, head: CsvHead, include: list[str] | None = None, block_size: int = 32 << 20
) -> RawTable:
    """A file without quote characters as Arrow tables, parsed on all cores, memory bounded by ``block_size``
    (the file is memory-mapped; each piece's pages are given back once parsed, see :func:`_forget_pages`).

    Without quotes every line break ends a row, so the bytes can be cut at the last one in each block and
    each piece parsed by ``pyarrow.csv.read_csv`` (which splits it over threads). A row with a wrong cell
    count or any parse error raises :class:`NotPlain` before a table is yielded from its block: the
    caller then reads the file with :func:`read_csv_chunks`, which reports such rows in file order.
    """
    if head.quoted or head.encoding in WIDE:
        raise ValueError("read_csv_blocks is for UTF-8 or one-byte files without quote characters")
    columns, header_row = head.columns, head.header_row
    encoding = _arrow_encoding(head.encoding)
    parse = pacsv.ParseOptions(delimiter=head.delimiter, quote_char=False, newlines_in_values=False)
    convert = _as_text(columns, include)

    def table_of(data: pa.Buffer, skip: int) -> pa.Table:
        try:
            return pacsv.read_csv(
                data,
                read_options=pacsv.ReadOptions(encoding=encoding, skip_rows=skip, column_names=columns),
                parse_options=parse,
                convert_options=convert,
            )
        except pa.ArrowInvalid as exc:
            raise NotPlain(str(exc)) from None

    def chunks() -> Iterator[pa.Table]:
        # The file is memory-mapped and each piece goes to the parser without a copy: reading 64 MB into
        # bytes first cost about 30 ms of a 1M-row file's ~120 ms parse. begin..pos is what the blocks read
        # so far hold; a piece ends at the last line break in it, as when the blocks were read one by one.
        try:
            with path.open("rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                view = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b"")
        except (OSError, ValueError) as exc:  # a file system without memory maps: the streaming reader reads it
            raise NotPlain(str(exc)) from None
        mapped = view.obj
        try:
            yield from _pieces_of(view, mapped)
        finally:  # also when the caller stops early; a buffer still held (a traceback's frame) leaves it to GC
            with contextlib.suppress(BufferError):
                view.release()
                if isinstance(mapped, mmap.mmap):
                    mapped.close()

    def _pieces_of(view: memoryview, mapped) -> Iterator[pa.Table]:
        start, skip = header_row + 1, header_row
        begin = pos = 0
        while True:
            end = min(pos + block_size, len(view))
            block = end > pos
            pos = end
            if block:
                cut = mapped.rfind(b"\n", begin, pos)
                cut = cut if cut >= 0 else mapped.rfind(b"\r", begin, pos)  # old Mac line ends
                if cut < 0:
                    continue
                piece = cut + 1
            else:
                piece = pos
            if piece > begin:
                table = table_of(pa.py_buffer(view[begin:piece]), skip)
                _forget_pages(mapped, begin, piece)
                begin, skip = piece, 0
                yield table.append_column(ROW, pa.array(np.arange(start, start + len(table), dtype=np.int64)))
                start += len(table)
            if not block:
                return

    return RawTable(columns, header_row, chunks(), [], True)


def _forget_pages(mapped, begin: int, end: int) -> None:
    """Drop the parsed pages of [begin, end) from this process: mapped pages once read stay resident (and
    count in its RSS) until unmapped, so without this a 1 GB file would cost 1 GB of memory."""
    start = begin - begin % mmap.PAGESIZE
    stop = end - end % mmap.PAGESIZE  # the page holding the next piece's start stays
    if stop > start and hasattr(mapped, "madvise"):
        mapped.madvise(mmap.MADV_DONTNEED, start, stop - start)


def _cell_text(value, decimal_mark: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        return text.replace(".", decimal_mark) if decimal_mark != "." else text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path, dialect: ExportDialect) -> RawTable:
    """A sheet of a workbook as text: numbers in the profile's decimal mark, dates as ISO."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for broken or non-Excel files
        raise KoppelError(f"cannot open this workbook: {exc}", file=path) from None
    name = dialect.sheet or book.sheet_names[0]
    if name not in book.sheet_names:
        raise KoppelError(
            f"no sheet named {name!r}", file=path, field="sheet", hint=f"sheets: {', '.join(book.sheet_names)}"
        )
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    rows = rows[dialect.skip_rows :]
    if not rows:
        raise KoppelError("the sheet is empty", file=path, field=name)
    columns = _unique([_cell_text(v, ".") for v in rows[0]])
    mark = dialect.decimal_mark
    body = [[_cell_text(v, mark) for v in row] for row in rows[1:] if any(v not in ("", None) for v in row)]
    numbers = [i + 2 + dialect.skip_rows for i, row in enumerate(rows[1:]) if any(v not in ("", None) for v in row)]
    frame = (
        pd.DataFrame(body, columns=columns, dtype="string") if body else pd.DataFrame(columns=columns, dtype="string")
    )
    frame[ROW] = numbers
    return RawTable(columns, dialect.skip_rows + 1, iter([frame]))


def read_raw(path: Path, dialect: ExportDialect) -> RawTable:
    """Dispatch on the dialect's format."""
    if dialect.format == "csv":
        return read_csv_chunks(path, dialect)
    if dialect.format == "xlsx":
        return read_xlsx(path, dialect)
    from .banks import COLUMNS, mt940_frames, read_camt053

    if dialect.format == "mt940":
        return RawTable(list(COLUMNS), 0, mt940_frames(path))
    return RawTable(list(COLUMNS), 0, iter([read_camt053(path)]))


def sniff_text(path: Path, size: int = 65536) -> tuple[str, str]:
    """The start of a file decoded with the encoding it most likely has: (text, encoding).

    A byte-order mark decides (UTF-8/16/32); else UTF-8 when the bytes are, else cp1252 when bytes 0x80-0x9F
    occur (€, quotes, dashes), else latin-1.
    """
    with path.open("rb") as handle:
        head = handle.read(size)
    mark = bom_of(head)
    if mark is not None and mark[0] in WIDE:  # a character cut at the end of the sample is left out
        return codecs.getincrementaldecoder(mark[0])(errors="replace").decode(head), mark[0]
    try:
        return head.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4 and exc.reason == "unexpected end of data":  # a character cut at the end
            return head[: exc.start].decode("utf-8-sig"), "utf-8"
    enc = "cp1252" if any(0x80 <= b <= 0x9F for b in head) else "latin-1"
    return head.decode(enc, errors="replace"), enc


__all__ = [
    "ROW", "CsvHead", "NotPlain", "RawTable", "check_encoding", "csv_head", "file_encoding", "io", "read_csv_blocks",
    "read_raw", "sniff_delimiter", "sniff_text",
]  # fmt: skip
