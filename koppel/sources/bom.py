"""Byte-order marks: the one statement a text file makes about its own encoding.

Excel's "Unicode text" (and Notepad's "Unicode") is UTF-16 little-endian with a BOM; a few tools write UTF-32.
A BOM is unambiguous, so it decides the encoding whatever a profile says: reading such a file as UTF-8 or
cp1252 only gives ``ÿþd\\0a\\0t\\0e\\0`` and garbled column names.
"""

from __future__ import annotations

from pathlib import Path

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_MARKS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32 BE"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16", "UTF-16 LE"),
    (b"\xfe\xff", "utf-16", "UTF-16 BE"),
)
WIDE = ("utf-16", "utf-32")  # encodings in which a line break is not the byte 0x0A: no byte-level splitting


def bom_of(head: bytes) -> tuple[str, str, int] | None:
    """(Python codec that reads the file and skips the mark, human name, mark length) or None without a BOM.

    The codecs ``utf-16``/``utf-32`` read the mark to learn the byte order and drop it; ``utf-8`` here means
    the caller strips the three bytes (``utf-8-sig``).
    """
    for mark, codec, name in _MARKS:
        if head.startswith(mark):
            return codec, name, len(mark)
    return None


def file_bom(path: Path) -> tuple[str, str, int] | None:
    """:func:`bom_of` of the first bytes of ``path`` (None for an unreadable or empty file)."""
    try:
        with path.open("rb") as handle:
            return bom_of(handle.read(4))
    except OSError:
        return None


def utf32_without_bom(head: bytes) -> str | None:
    """'UTF-32 LE'/'UTF-32 BE' when an XML or text file starts with a character in UTF-32 without a mark."""
    if len(head) >= 4 and head[0] and head[1:4] == b"\x00\x00\x00":
        return "UTF-32 LE"
    if len(head) >= 4 and head[:3] == b"\x00\x00\x00" and head[3]:
        return "UTF-32 BE"
    return None
