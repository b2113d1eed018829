"""Small helpers for the XML package writers (the engine, :mod:`koppel.layouts.xml_writer`, and the hooks):
texts cut only when the user opts in, topic files not written empty, the schema to check against and the check."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from ..errors import KoppelError
from ..xaf.schema import load_xsd


class Truncator:
    """Text longer than the target allows is an error naming the record, or — when the user opted in with
    ``--truncate`` — cut and counted (never shortened silently)."""

    def __init__(self, allow: bool = False, target: str = "the target") -> None:
        self.allow = allow
        self.target = target
        self.counts: Counter[str] = Counter()

    def __call__(self, text: str | None, limit: int, what: str, record: str | None = None) -> str | None:
        if text is None or len(text) <= limit:
            return text
        if not self.allow:
            where = f" of {record}" if record else ""
            raise KoppelError(
                f"{what}{where} has {len(text)} characters; {self.target} allows {limit}: {text[:30]!r}…",
                field=what,
                hint="pass --truncate to cut it, or leave out --strict (each cut is reported), or shorten it "
                "in the source",
            )
        self.counts[f"{what} cut to {limit} characters"] += 1
        return text[:limit]

    def report(self, result) -> None:
        for what, n in sorted(self.counts.items()):
            result.adapt(f"text cut: {what}", n, "the target field is shorter: the text was cut")


def peek(items: Iterable[etree._Element]) -> Iterator[etree._Element] | None:
    """``items`` as an iterator, or None when it yields nothing (so no empty topic file is written)."""
    iterator = iter(items)
    try:
        first = next(iterator)
    except StopIteration:
        return None
    return itertools.chain([first], iterator)


def find_schema(schema_dir: str | Path, root: str, prefer: str = "") -> Path:
    """The XSD in ``schema_dir`` (or the file itself) that declares element ``root``."""
    path = Path(schema_dir)
    if path.is_file():
        return path
    if not path.is_dir():
        raise KoppelError("schema folder not found", file=path, hint="pass the folder that holds the vendor's XSDs")
    candidates = [p for p in sorted(path.glob("*.xsd")) if f'name="{root}"'.encode() in p.read_bytes()]
    candidates.sort(key=lambda p: prefer.lower() not in p.name.lower())
    if not candidates:
        raise KoppelError(f"no XSD declaring <{root}> in this folder", file=path)
    return candidates[0]


def validate_file(path: Path, xsd: Path, shown_as: str | Path | None = None) -> None:
    """Validate ``path`` against ``xsd`` while streaming; the first error becomes a KoppelError."""
    schema = load_xsd(Path(xsd).resolve())
    try:
        for _event, elem in etree.iterparse(str(path), events=("end",), schema=schema, resolve_entities=False):
            parent = elem.getparent()
            if parent is not None and parent.getparent() is not None and parent.getparent().getparent() is None:
                elem.clear()  # a record under root/topic: done, free it
                while elem.getprevious() is not None:
                    del parent[0]
        return
    except etree.XMLSyntaxError as exc:
        err = exc.error_log.last_error if exc.error_log else None
        line = err.line if err is not None else None
        message = err.message if err is not None else str(exc)
        raise KoppelError(
            f"output does not validate against {Path(xsd).name}: {message}",
            file=shown_as or path,
            line=line,
            hint="this is a koppel bug or a value the target cannot carry; please report it",
        ) from None
