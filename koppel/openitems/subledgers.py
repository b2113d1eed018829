"""A streaming pass over an XAF 3.x file for what the canonical lines do not carry:
``subledgers/subledger/sbLine``, ``openingBalance/obSubledgers/obSubledger/obSbLine`` and the
``trLine`` keys ``matchKeyID``/``recRef`` (formats.md §2.3).

The pass is skipped at the cost of one byte scan when the file holds none of these elements.
Elements are cleared as soon as they are read, so memory grows only with the subledger lines kept.
``koppel convert --opening-with-open-items`` does not need this pass: the reader collects the same tables in
its own pass (:mod:`koppel.xaf.subledgers`, ``Administration.subledgers``); ``koppel openitems`` still uses it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from lxml import etree

from ..model import LINE_KEY_COLUMNS, SUBLEDGER_COLUMNS, SUBLEDGER_FIELDS, Subledgers
from ..xaf.safety import parser_options, xml_error
from ..xaf.subledgers import child_text, line_key, subledger_line
from ..xaf.versions import sniff_xaf

MARKERS = (b"sbLine", b"obSbLine", b"matchKeyID", b"recRef")
SB_FIELDS = SUBLEDGER_FIELDS
SB_COLUMNS = SUBLEDGER_COLUMNS
TR_COLUMNS = LINE_KEY_COLUMNS
SubledgerData = Subledgers  # the model's table; convert gets it from the read's own pass (koppel/xaf/subledgers.py)


def _holds_markers(path: Path) -> bool:
    """True when any subledger or match-key element name occurs in the bytes (chunked scan)."""
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            block = tail + chunk
            if any(marker in block for marker in MARKERS):
                return True
            tail = block[-16:]
    return False


def read_subledgers(path: str | Path, *, encoding: str | None = None) -> SubledgerData:
    """Read subledger lines and trLine match keys of an XAF 3.x file (empty for CLAIR2 and 4.0)."""
    path = Path(path)
    info = sniff_xaf(path, encoding)
    if info.version in ("2.0", "4.0") or not _holds_markers(path):
        return SubledgerData()
    ns = f"{{{info.namespace}}}" if info.namespace else ""
    sb_line, ob_line, tr_line, tx = ns + "sbLine", ns + "obSbLine", ns + "trLine", ns + "transaction"
    rows: list[dict] = []
    keys: list[tuple] = []
    forced = encoding or (info.encoding if info.encoding != "utf-8" else None)
    context = etree.iterparse(
        str(path), events=("end",), tag=[sb_line, ob_line, tr_line, tx], encoding=forced, **parser_options()
    )
    try:
        for _event, elem in context:
            tag = elem.tag
            if tag == tr_line:
                parent = elem.getparent()
                journal = parent.getparent() if parent is not None else None
                key = line_key(elem, ns, child_text(journal, ns + "jrnID"), child_text(parent, ns + "nr"))
                if key is not None:
                    keys.append(key)
                continue  # cleared with its transaction
            if tag == tx:
                elem.clear()
                parent = elem.getparent()
                while elem.getprevious() is not None and parent is not None:
                    del parent[0]
                continue
            record = subledger_line(elem, "sb" if tag == sb_line else "ob", ns, path)
            rows.append(record)
            elem.clear()
    except etree.XMLSyntaxError as exc:
        raise xml_error(path, exc, forced or info.encoding) from None
    lines = pd.DataFrame(rows, columns=list(SB_COLUMNS)).astype(object)
    return SubledgerData(lines=lines, tr_keys=pd.DataFrame(keys, columns=list(TR_COLUMNS)).astype(object))
