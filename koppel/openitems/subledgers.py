"""A second, small streaming pass over an XAF 3.x file for what the main reader does not carry:
``subledgers/subledger/sbLine``, ``openingBalance/obSubledgers/obSubledger/obSbLine`` and the
``trLine`` keys ``matchKeyID``/``recRef`` (formats.md §2.3).

The pass is skipped at the cost of one byte scan when the file holds none of these elements.
Elements are cleared as soon as they are read, so memory grows only with the subledger lines kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from lxml import etree

from ..errors import KoppelError
from ..money import parse_cents
from ..xaf.safety import parser_options, xml_error
from ..xaf.versions import sniff_xaf

MARKERS = (b"sbLine", b"obSbLine", b"matchKeyID", b"recRef")
SB_FIELDS = (
    "nr",
    "jrnID",
    "trNr",
    "trLineNr",
    "obLineNr",
    "desc",
    "docRef",
    "recRef",
    "matchKeyID",
    "custSupID",
    "invRef",
    "invPurSalTp",
    "invTp",
    "invDt",
    "invDueDt",
    "mutTp",
)
SB_COLUMNS = ("kind", "sb_type", *SB_FIELDS, "amount", "source_line")
TR_COLUMNS = ("journal_id", "entry_nr", "line_nr", "match_key", "rec_ref")


@dataclass
class SubledgerData:
    """Subledger lines (``kind`` "sb" or "ob") and trLine match keys of one auditfile."""

    lines: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(SB_COLUMNS), dtype="object"))
    tr_keys: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(TR_COLUMNS), dtype="object"))

    @property
    def empty(self) -> bool:
        return self.lines.empty and self.tr_keys.empty


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
    n = len(ns)
    sb_line, ob_line, tr_line, tx = ns + "sbLine", ns + "obSbLine", ns + "trLine", ns + "transaction"
    wanted = set(SB_FIELDS)
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
                match_key = rec_ref = None
                for child in elem:
                    if child.tag == ns + "matchKeyID":
                        match_key = _text(child)
                    elif child.tag == ns + "recRef":
                        rec_ref = _text(child)
                if match_key is not None or rec_ref is not None:
                    parent = elem.getparent()
                    journal = parent.getparent() if parent is not None else None
                    keys.append(
                        (
                            _text_of(journal, ns + "jrnID"),
                            _text_of(parent, ns + "nr"),
                            _text_of(elem, ns + "nr"),
                            match_key,
                            rec_ref,
                        )
                    )
                continue  # cleared with its transaction
            if tag == tx:
                elem.clear()
                parent = elem.getparent()
                while elem.getprevious() is not None and parent is not None:
                    del parent[0]
                continue
            record: dict[str, object] = {"kind": "sb" if tag == sb_line else "ob", "source_line": elem.sourceline}
            side = amount = None
            for child in elem:
                if not isinstance(child.tag, str):
                    continue
                local = child.tag[n:]
                if local == "amnt":
                    amount = child.text
                elif local == "amntTp":
                    side = _text(child)
                elif local in wanted:
                    record[local] = _text(child)
            parent = elem.getparent()
            record["sb_type"] = _text_of(parent, ns + "sbType")
            record["amount"] = _signed(amount, side, path, elem.sourceline, local_name=tag[n:])
            rows.append(record)
            elem.clear()
    except etree.XMLSyntaxError as exc:
        raise xml_error(path, exc, forced or info.encoding) from None
    lines = pd.DataFrame(rows, columns=list(SB_COLUMNS)).astype(object)
    return SubledgerData(lines=lines, tr_keys=pd.DataFrame(keys, columns=list(TR_COLUMNS)).astype(object))


def _text(elem) -> str | None:
    text = elem.text
    if text is None:
        return None
    return text.strip() or None


def _text_of(elem, tag: str) -> str | None:
    if elem is None:
        return None
    child = elem.find(tag)
    return _text(child) if child is not None else None


def _signed(amount: str | None, side: str | None, path: Path, line: int, local_name: str) -> int:
    try:
        cents = parse_cents(amount, field=f"{local_name}/amnt")
    except KoppelError as exc:
        raise exc.at(path, line) from None
    if side not in ("D", "C"):
        if cents == 0:
            return 0
        raise KoppelError(
            f"{local_name} without amntTp D or C: the side of amount {amount} is unknown",
            file=path,
            line=line,
            field=f"{local_name}/amntTp",
            hint="every subledger line needs amntTp D (debit) or C (credit)",
        )
    return cents if side == "D" else -cents
