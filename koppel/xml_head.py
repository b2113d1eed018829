"""The root element of an XML document from its first bytes, without parsing it: for telling formats apart
(the registry's ``xml_root``, a format's ``detect``).

A substring test ("<transactions" somewhere in the first 4 KB) would also match an auditfile, which has a
``<transactions>`` element of its own; the root element is what a format owns.
"""

from __future__ import annotations

import re

_BOMS = (b"\xef\xbb\xbf",)
# what may come before the root element: blanks, the XML declaration, processing instructions, comments, DOCTYPE
_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S)
_START = re.compile(rb"\s*<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def root_name(head: bytes) -> str | None:
    """The local name of the first element in ``head`` (UTF-8 or an ASCII-compatible encoding), else None."""
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
    pos = 0
    while True:
        prolog = _PROLOG.match(head, pos)
        if prolog is None or prolog.end() == pos:
            break
        pos = prolog.end()
    start = _START.match(head, pos)
    return start.group(2).decode("ascii") if start else None
