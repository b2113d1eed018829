"""Shared plumbing for the package readers: safe streaming of XML records and line batches into the model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from lxml import etree

from ..errors import KoppelError
from ..model import TABLES, Administration, conform
from ..money import parse_cents
from ..xaf.safety import parser_options, refuse_doctype, refuse_dtd, xml_error

BATCH_SIZE = 100_000
LINE_COLUMNS = tuple(TABLES["lines"])


def iter_records(path: Path, tags: set[str], parents: set[str]) -> Iterator[etree._Element]:
    """Yield each record (an element named in ``tags`` directly under one of ``parents``) when complete,
    then free it, so memory stays flat. Same-named elements nested deeper are left to their record."""
    refuse_dtd(path)
    try:
        for _event, elem in etree.iterparse(str(path), events=("end",), tag=tuple(tags), **parser_options()):
            up = elem.getparent()
            if up is None or up.tag not in parents:
                continue
            yield elem
            parent = elem.getparent()
            elem.clear()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise xml_error(path, exc) from None


def root_tag(path: Path) -> str | None:
    """The local name of the root element, read from the first few KB only."""
    refuse_dtd(path)
    try:
        for _event, elem in etree.iterparse(str(path), events=("start",), **parser_options()):
            refuse_doctype(elem, path)
            return etree.QName(elem).localname
    except etree.XMLSyntaxError as exc:
        raise xml_error(path, exc) from None
    return None


def xml_inputs(path: Path, roots: set[str]) -> list[Path]:
    """``path`` itself, or the XML files in folder ``path`` whose root is one of ``roots``."""
    path = Path(path)
    if path.is_dir():
        found = [p for p in sorted(path.glob("*.xml")) if root_tag(p) in roots]
        if not found:
            raise KoppelError(f"no {'/'.join(sorted(roots))} XML files in this folder", file=path)
        return found
    if root_tag(path) not in roots:
        raise KoppelError(
            f"not a file of this format: the root element is not {' or '.join(sorted(roots))}",
            file=path,
            line=1,
            hint="check --from",
        )
    return [path]


def child_text(elem: etree._Element, path: str) -> str | None:
    found = elem.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def child_attr(elem: etree._Element, path: str, attr: str) -> str | None:
    found = elem.find(path)
    if found is None:
        return None
    value = found.get(attr)
    return value.strip() if value and value.strip() else None


def cents(text: str | None, path: Path, line: int | None, field: str) -> int:
    """Parse an amount of the file; errors name the file, line and field."""
    try:
        return parse_cents(text, field=field)
    except KoppelError as exc:
        raise exc.at(path, line) from None


class LineSink:
    """Collects line rows (dicts of canonical columns) and appends them to ``adm`` in batches."""

    def __init__(self, adm: Administration) -> None:
        self.adm = adm
        self.rows: list[dict] = []
        self.entries: set[tuple[str, str]] = set()

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        frame = pd.DataFrame(self.rows)
        for col in ("date", "effective_date", "due_date"):
            if col in frame:
                frame[col] = pd.to_datetime(frame[col], format="%Y-%m-%d", errors="raise").astype("datetime64[s]")
        batch = conform("lines", frame)
        self.adm.lines.append(batch)
        n_entries = batch[["journal_id", "entry_nr"]].drop_duplicates().shape[0]
        self.adm.stats.add_batch(batch, n_entries)
        self.rows = []


def master(name: str, rows: list[dict]) -> pd.DataFrame:
    """A master table from row dicts (missing columns empty, dtypes as declared)."""
    frame = pd.DataFrame(rows) if rows else pd.DataFrame()
    if name == "relations" and "payment_days" in frame:
        frame["payment_days"] = pd.to_numeric(frame["payment_days"], errors="coerce").astype("Int64")
    return conform(name, frame.drop_duplicates() if not frame.empty else frame)


def iso_date(text: str | None, path: Path, line: int | None, field: str, compact: bool = False) -> str | None:
    """Check a date (``YYYY-MM-DD``, or ``YYYYMMDD`` when ``compact``) and return it as ISO."""
    if text is None:
        return None
    raw = text.strip()
    if compact and len(raw) == 8 and raw.isdigit():
        raw = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    try:
        pd.Timestamp(raw)
        ok = len(raw) == 10 and raw[4] == "-" and raw[7] == "-"
    except ValueError:
        ok = False
    if not ok:
        shape = "YYYYMMDD" if compact else "YYYY-MM-DD"
        raise KoppelError(f"not a date: {text.strip()!r}", file=path, line=line, field=field, hint=f"write {shape}")
    return raw
