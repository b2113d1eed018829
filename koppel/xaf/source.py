"""The byte source the XAF reader parses: optional progress reporting and namespace stripping.

Stripping the XAF default namespace from the root start tag makes every tag a short local name
(``accID`` instead of ``{http://…/XAF/3.2}accID``): lxml then builds far cheaper tag strings, which is
most of the per-element cost of the parse loop. It is only done when it cannot change the meaning:
the namespace is declared once, as the default namespace of the root, and appears nowhere else in
the file (:func:`namespace_only_once` checks that with one memory-mapped search before parsing).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 16
SCAN_BLOCK = 4 << 20  # plain reads over the whole file (the namespace here, cuts and line numbers in parallel.py)
_ROOT_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?auditfile\b[^>]*>", re.S)


def namespace_only_once(path: Path, namespace: str) -> bool:
    """True when the namespace URI occurs exactly once in the file (its declaration on the root).

    Read in blocks into one buffer rather than memory-mapped (mapped pages would count as resident memory); the
    last bytes of a block stay in front of the next, so an occurrence across two blocks is counted once.
    """
    needle = namespace.encode("ascii")
    keep = len(needle) - 1
    buffer = bytearray(SCAN_BLOCK + keep)
    view = memoryview(buffer)
    found = have = 0
    with path.open("rb", buffering=0) as handle:
        while read := handle.readinto(view[have:]):
            total = have + read
            found += buffer.count(needle, 0, total)
            if found > 1:
                return False
            have = min(keep, total)  # too short to hold the needle: counted with what follows, never twice
            buffer[:have] = buffer[total - have : total]
    return found == 1


class XafSource:
    """A binary reader for lxml: reports progress and, when asked, drops the root's default namespace."""

    def __init__(self, handle: BinaryIO, namespace: str | None, progress: Callable[[int], None] | None = None):
        """``namespace``: the default namespace to drop from the root (None keeps it).

        Files with CR-only line ends are read with LF instead (XML treats both alike), so that libxml2,
        which counts LF, reports the right line numbers.
        """
        self._handle = handle
        self._progress = progress
        self.position = 0
        self.stripped = False
        self._needle = namespace.encode("ascii") if namespace else None
        self._pending = b""
        self._cr_only = False
        if self._needle:
            self._prepare()
        else:
            self._pending = self._handle.read(CHUNK)
        if b"\r" in self._pending and b"\n" not in self._pending:
            self._cr_only = True
            self._pending = self._pending.replace(b"\r", b"\n")

    def _prepare(self) -> None:
        head = b""
        while True:
            chunk = self._handle.read(CHUNK)
            head += chunk
            match = _ROOT_START.search(head)
            if match or not chunk or len(head) > (1 << 24):
                break
        if match:
            tag = match.group(0)
            default = b'xmlns="' + self._needle + b'"'
            default_sq = b"xmlns='" + self._needle + b"'"
            uses = tag.count(self._needle)
            for decl in (default, default_sq):
                if uses == 1 and decl in tag and head.count(self._needle) == 1:
                    new_tag = tag.replace(b" " + decl, b"").replace(decl, b"")
                    head = head[: match.start()] + new_tag + head[match.end() :]
                    self.stripped = True
                    break
        self._pending = head

    def read(self, size: int = -1) -> bytes:
        if self._pending:
            data, self._pending = self._pending, b""
        else:
            data = self._handle.read(CHUNK if size is None or size < 0 else max(size, CHUNK))
            if self._cr_only:
                data = data.replace(b"\r", b"\n")
        if self._progress is not None:
            self.position = self._handle.tell()  # bytes of the file, whatever was dropped or translated
            self._progress(self.position)
        return data

    def close(self) -> None:
        self._handle.close()
