"""What the parsers read: the file itself, or — for CR-only line ends — a view with CR turned into LF.

libxml2 counts only LF as a line break, so in a file with CR-only line ends (the official 2014 test
file) every element would sit on line 1. CR → LF changes nothing else: in XML a lone CR *is* a line
end and is normalised to LF by the parser anyway (XML 1.0 §2.11).
"""

from __future__ import annotations

import io
from pathlib import Path

CHUNK = 1 << 20


def cr_only(path: Path, head_bytes: int = 1 << 16) -> bool:
    """Whether the file's line ends are CR without LF (judged from its head)."""
    with path.open("rb") as handle:
        head = handle.read(head_bytes)
    return b"\r" in head and b"\n" not in head


class _CrToLf(io.RawIOBase):
    def __init__(self, path: Path) -> None:
        self._handle = path.open("rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._handle.read(len(buffer))
        data = data.replace(b"\r", b"\n")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._handle.close()
        super().close()


def open_for_parser(path: Path, translate: bool):
    """A path string for lxml, or a binary stream with CR → LF when ``translate``."""
    if not translate:
        return str(path)
    return io.BufferedReader(_CrToLf(path), CHUNK)
